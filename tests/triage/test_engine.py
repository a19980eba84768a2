from __future__ import annotations

import json

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


def test_results_are_frozen() -> None:
    result = assess("headache")
    with pytest.raises(AttributeError):
        result.urgency = "routine"  # type: ignore[misc]
