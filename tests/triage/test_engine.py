from __future__ import annotations

import json
import re

import pytest

from triage import ENGINE_VERSION, SPECIALTIES, URGENCY_LEVELS, assess, kb_version
from triage.result import URGENCY_RANK


def flag_codes(text: str, **kwargs: object) -> set[str]:
    return set(assess(text, **kwargs).flag_codes)  # type: ignore[arg-type]


def test_it_ignores_negated_weakness() -> None:
    assert "weakness" not in flag_codes("My calf twitches. No weakness at all.")
    assert "weakness" not in flag_codes("I haven't noticed any weakness or numbness")


def test_it_flags_affirmed_weakness() -> None:
    assert "weakness" in flag_codes("My left hand feels weak and I keep dropping my cup")


def test_it_ignores_family_history() -> None:
    result = assess("My father had ALS. I have an eyelid twitch since yesterday.")
    assert result.urgency == "routine"
    assert not result.flags


def test_it_ignores_past_history() -> None:
    result = assess("I had a stroke five years ago and recovered fully. Now my knee hurts.")
    assert "stroke_signs" not in result.flag_codes
    assert result.urgency != "emergency"


def test_it_ignores_hypothetical_mentions() -> None:
    assert not flag_codes("Could this be ALS? My calf twitches after running.")
    assert "chest_pain" not in flag_codes("If I get chest pain while running should I stop?")


def test_negation_stops_at_but() -> None:
    assert "chest_pain" in flag_codes("No fever but I have chest pain")


def test_it_tolerates_misspellings() -> None:
    assert "severe_breathing_difficulty" in flag_codes("cant breath, lips going blue")
    assert "numbness_tingling" in flag_codes("i feel numbnes in my foot")


def test_it_understands_british_spelling() -> None:
    result = assess("Vomiting and diarrhoea for 2 days, can't keep any fluids down")
    assert "dehydration_signs" in result.flag_codes
    assert result.specialty == "gastroenterology"


def test_a_post_about_a_young_baby_is_triaged_for_the_baby() -> None:
    result = assess("my 3 week old son has a fever")
    assert result.urgency == "emergency"
    assert "infant_fever" in result.flag_codes


def test_a_post_about_another_adult_counts_their_symptoms() -> None:
    result = assess("My husband has chest pain radiating to his left arm", subject="adult")
    assert result.urgency == "emergency"


def test_a_child_question_routes_to_pediatrics() -> None:
    result = assess("My daughter has a runny nose and a mild cough", subject="child", age=4)
    assert result.specialty == "pediatrics"


def test_urgency_is_never_lower_than_the_highest_flag() -> None:
    for text in [
        "Crushing chest pain spreading to my arm",
        "Twitching in my legs for two months and my arm feels weak",
        "Coughing up blood for a week",
    ]:
        result = assess(text)
        assert result.flags
        top = max(URGENCY_RANK[f.urgency] for f in result.flags)
        assert URGENCY_RANK[result.urgency] >= top


def test_emergency_advice_names_emergency_services() -> None:
    result = assess("Worst headache of my life, came on suddenly")
    assert result.urgency == "emergency"
    assert "emergency" in result.advice.lower()
    assert "999" in result.advice


def test_suicidal_intent_advice_names_a_crisis_line() -> None:
    result = assess("I want to kill myself")
    assert result.urgency == "emergency"
    assert result.specialty == "psychiatry"
    assert "988" in result.advice
    assert "Samaritans" in result.advice


def test_it_does_not_flag_denied_suicidal_thoughts() -> None:
    assert "suicidal_intent" not in flag_codes("I'm not suicidal, just tired and low")


def test_evidence_offsets_point_into_the_text() -> None:
    text = "For three weeks my leg has been twitching and now my left hand feels weak."
    result = assess(text)
    assert result.flags
    for item in list(result.flags) + list(result.causes):
        for ev in item.evidence:
            assert text[ev.start : ev.end] == ev.text


def test_it_reads_durations_into_persistence_flags() -> None:
    assert "persistent_twitching" in flag_codes("Twitching in my calf for three months")
    assert "persistent_twitching" not in flag_codes("Twitching in my calf since yesterday")
    assert "persistent_twitching" in flag_codes("Twitching in my calf", duration="6 weeks")


def test_causes_are_ranked_and_at_most_five() -> None:
    result = assess("Twitching eyelid, lots of coffee, exam stress, no sleep, and I drink beer")
    assert 1 <= len(result.causes) <= 5
    scores = [c.score for c in result.causes]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_missing_info_asks_for_age_and_duration() -> None:
    result = assess("My eyelid twitches")
    assert "age" in result.missing_info
    assert "how long the symptoms have lasted" in result.missing_info


def test_to_dict_has_the_documented_shape() -> None:
    result = assess("Chest pain spreading to my jaw, sweating")
    data = json.loads(json.dumps(result.to_dict()))
    assert list(data) == [
        "urgency",
        "specialty",
        "flags",
        "causes",
        "advice",
        "missing_info",
        "kb_version",
        "engine_version",
    ]
    assert data["urgency"] in URGENCY_LEVELS
    assert data["specialty"] in SPECIALTIES
    assert set(data["flags"][0]) == {"code", "label", "urgency", "evidence"}
    assert set(data["flags"][0]["evidence"][0]) == {"text", "start", "end"}
    assert data["kb_version"] == kb_version()
    assert data["engine_version"] == ENGINE_VERSION


def test_it_rejects_empty_text() -> None:
    with pytest.raises(ValueError, match="empty"):
        assess("   ")


def test_it_rejects_an_unknown_subject() -> None:
    with pytest.raises(ValueError, match="subject"):
        assess("headache", subject="dog")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"age": "thirty"}, "age must be a number of years between 0 and 130, not 'thirty'"),
        ({"age": [30]}, "age must be a number"),
        ({"duration": 5}, "duration must be text such as '3 days', not 5"),
        ({"sex": {"f": 1}}, "sex must be one of female, male, other"),
    ],
)
def test_it_rejects_answers_of_the_wrong_kind_naming_the_field(
    answers: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        assess("headache", **answers)  # type: ignore[arg-type]


def test_results_are_frozen() -> None:
    result = assess("headache")
    with pytest.raises(AttributeError):
        result.urgency = "routine"  # type: ignore[misc]


def test_menopause_in_the_past_still_makes_bleeding_postmenopausal() -> None:
    result = assess("went through menopause 5 years ago, now bleeding", sex="female")
    assert "postmenopausal_bleeding" in result.flag_codes
    assert URGENCY_RANK[result.urgency] >= URGENCY_RANK["soon"]
    assert result.specialty == "obstetrics-gynecology"


def test_a_status_still_counts_when_negated_or_wondered_about_it_does_not() -> None:
    assert "postmenopausal_bleeding" not in flag_codes(
        "I haven't gone through menopause yet, bleeding between periods", sex="female"
    )
    assert "postmenopausal_bleeding" not in flag_codes(
        "Could this be the menopause? My periods are irregular with some bleeding", sex="female"
    )


def test_worry_words_do_not_make_a_journey_hypothetical() -> None:
    assert "fever_after_travel" in flag_codes("I'm worried, back from Nigeria with a fever")


def test_a_journey_date_is_not_how_long_the_fever_has_lasted() -> None:
    result = assess("Back from Nigeria a week ago, fever and chills since yesterday")
    assert "fever_after_travel" in result.flag_codes
    assert "persistent_fever" not in result.flag_codes


def test_travel_months_ago_still_counts_for_fever_after_travel() -> None:
    assert "fever_after_travel" in flag_codes(
        "I was in Ghana two months ago and now I have a fever"
    )


def test_a_duration_with_words_before_the_time_feeds_persistence_flags() -> None:
    result = assess("Started the contraceptive pill a month ago and my eyelid twitches a lot")
    assert "persistent_twitching" in result.flag_codes
    assert "how long the symptoms have lasted" not in result.missing_info


def test_giant_cell_arteritis_is_urgent_and_goes_to_rheumatology() -> None:
    text = "I'm 72 with a new headache at my temple, pain in my jaw when chewing"
    result = assess(text)
    assert result.urgency == "urgent"
    assert result.specialty == "rheumatology"
    assert "giant_cell_arteritis_signs" in result.flag_codes
    assert "sight" in result.advice


def test_giant_cell_arteritis_with_eyesight_problems_is_an_emergency() -> None:
    result = assess("Pain in my temple, jaw hurts when chewing and blurred vision, I'm 72")
    assert result.urgency == "emergency"
    assert "giant_cell_arteritis_vision" in result.flag_codes


def test_giant_cell_arteritis_signs_need_an_age_over_fifty() -> None:
    assert "giant_cell_arteritis_signs" not in flag_codes(
        "pain at my temple after a long day at the screen", age=24
    )


def test_named_rheumatological_conditions_route_to_rheumatology() -> None:
    for text in [
        "I have fibromyalgia and my muscles twitch all the time",
        "Lupus patient here, joint pain and fatigue, and muscle twitching lately",
        "Lupus diagnosed in 2015, my knees and wrists are stiff and swollen every morning",
        "Widespread pain all over my body, tender points, always exhausted, and muscles twitching",
    ]:
        assert assess(text).specialty == "rheumatology", text


def test_a_condition_someone_else_has_does_not_route() -> None:
    result = assess("I have had a twitchy eyelid for a few days. My mum has lupus.")
    assert result.specialty != "rheumatology"


def test_pain_all_over_does_not_make_twitching_widespread() -> None:
    text = (
        "Widespread pain all over my body, tender points, always exhausted, and muscles twitching"
    )
    assert "widespread_twitching" not in flag_codes(text)
    assert "widespread_twitching" in flag_codes(
        "my legs twitch, my arms twitch, basically everywhere"
    )


def test_mouth_tingling_after_food_is_an_allergy_cue_not_numbness() -> None:
    for text in ["tingling of the mouth after food", "My mouth tingles after eating walnuts"]:
        result = assess(text)
        assert "numbness_tingling" not in result.flag_codes, text
        assert result.specialty == "allergy-immunology", text
        assert result.causes[0].code == "food_allergy", text


def test_numbness_elsewhere_still_counts_next_to_an_allergy_cue() -> None:
    text = "my mouth tingles after eating nuts and my left foot is numb"
    assert "numbness_tingling" in flag_codes(text)


def test_a_babys_age_in_words_is_read() -> None:
    result = assess("our two week old has a temperature")
    assert result.urgency == "emergency"
    assert "infant_fever" in result.flag_codes


def test_evidence_is_ordered_by_position() -> None:
    result = assess("Twitching eyelid, lots of coffee, exam stress, no sleep, and I drink beer")
    for item in list(result.flags) + list(result.causes):
        spans = [(ev.start, ev.end) for ev in item.evidence]
        assert spans == sorted(spans)
