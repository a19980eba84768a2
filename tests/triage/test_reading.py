"""How the engine reads what people really write: hidden characters, misspellings, irregular
verbs, measurements, word order, word senses, sentence context, who the post is about, and posts
in other languages."""

from __future__ import annotations

import pytest

from triage import assess
from triage.text import clean


def urgency(text: str, **kwargs: object) -> str:
    return assess(text, **kwargs).urgency  # type: ignore[arg-type]


def codes(text: str, **kwargs: object) -> set[str]:
    return set(assess(text, **kwargs).flag_codes)  # type: ignore[arg-type]


# -- cleaning -------------------------------------------------------------------------------------


def test_hidden_characters_do_not_hide_an_emergency_and_evidence_points_into_the_original() -> None:
    text = "my dad\u200b's face is droo\u00adping on one side and his ar\u200bm is weak"
    result = assess(text)
    assert result.urgency == "emergency"
    for flag in result.flags:
        for ev in flag.evidence:
            assert text[ev.start : ev.end].replace("\u200b", "").replace("\u00ad", "") == ev.text


def test_clean_maps_every_position_back() -> None:
    cleaned = clean("chest\u200b pain \u201cbad\u201d")
    assert cleaned.text == 'chest pain "bad"'


# -- spelling and inflection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my son is having a siezure and wont stop shaking",
        "she cant breath and her lips are going blue",
        "my husband is gaspin for air and cant talk",
        "i think my daughter is unconcious, she wont wake up",
    ],
)
def test_misspelt_emergencies_are_read(text: str) -> None:
    assert urgency(text) == "emergency"


def test_a_real_english_word_is_never_corrected_into_a_symptom() -> None:
    # "swearing" is one letter from "sweating"; it is a word, so it stays a word
    assert "sweating" not in {
        ev.text for f in assess("he keeps swearing at me").flags for ev in f.evidence
    }


def test_irregular_verbs_are_read_in_any_tense() -> None:
    assert (
        urgency("she fell down the stairs and hit her head, now she's drowsy and being sick")
        == "emergency"
    )
    assert urgency("my toddler swallowed a button battery an hour ago") == "emergency"


# -- measurements ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "type 1 diabetic, my meter read 612 mg/dL and I keep throwing up, breathing fast",
            "emergency",
        ),
        ("my blood sugar is 2.1 and I'm shaking and confused", "emergency"),
        ("oxygen on the finger thing says 84% and she is struggling to breathe", "emergency"),
        ("I took about thirty of my sertraline tablets an hour ago", "emergency"),
        ("my 5 week old has a temperature of 38.4", "emergency"),
        ("temp 37.2 and a runny nose for two days, feel fine otherwise", "routine"),
    ],
)
def test_measurements_set_the_urgency(text: str, expected: str) -> None:
    assert urgency(text) == expected


def test_a_past_measurement_is_not_current() -> None:
    assert (
        urgency(
            "In 2019 my blood sugar dropped to 1.9 in hospital. "
            "Today I'm fine, is a hypo likely to come back?"
        )
        != "emergency"
    )


# -- word order and word senses -------------------------------------------------------------------


def test_a_body_part_and_what_is_wrong_with_it_are_read_in_any_order() -> None:
    assert urgency("her lips, they have gone a bit blue and she is wheezing") == "emergency"
    assert urgency("the pain in the middle of my chest is crushing and I'm sweating") == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my phone battery died so I couldn't call the GP about my sore throat",
        "the kids nearly gave me a heart attack at the park, anyway I have a cold",
        "type 1 here, the sick day plan says call the team if ketones go over 1.5, mine are 0.4",
    ],
)
def test_words_that_mean_something_else_raise_no_emergency(text: str) -> None:
    assert urgency(text) != "emergency"


# -- sentence context -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what should I do if someone collapses and isn't breathing? I want to be prepared",
        "Re: status epilepticus\nMy son had one last year. "
        "Is 5 minutes the right time for the rescue medicine?",
        "The midwife said to ring triage if I get bleeding, a bad headache or the baby moves less. "
        "None of that, just heartburn.",
        "45M. Chest wall pain after bench press. Denies dyspnoea, diaphoresis, "
        "radiation to arm or jaw, palpitations or syncope.",
        "can sepsis be prevented?",
        "my dad had a cardiac arrest in March and is doing well now, when can he drive?",
    ],
)
def test_questions_advice_and_denials_raise_no_emergency(text: str) -> None:
    assert urgency(text) != "emergency"


def test_an_emergency_after_an_information_question_is_still_caught() -> None:
    text = (
        "What are the signs of a stroke? "
        "My mum's face has just dropped on one side and she can't lift her arm"
    )
    assert urgency(text) == "emergency"


# -- who the post is about ------------------------------------------------------------------------


def test_worried_about_my_wife_makes_the_wife_the_patient() -> None:
    text = (
        "I'm worried about my wife. Our son is 11 days old. She hasn't slept for three nights and "
        "tonight she told me the baby has been swapped and the TV is sending her messages."
    )
    assert urgency(text) == "emergency"


def test_a_relatives_relative_is_the_patient() -> None:
    text = "My neighbour's son drank insecticide. Now he is foaming at the mouth and shaking."
    assert urgency(text) == "emergency"


def test_a_thing_stays_named_in_a_hypothetical_but_a_habit_is_not_a_swallow() -> None:
    assert (
        urgency("what if he swallowed a magnet? he had two of his brother's magnets in his mouth")
        == "emergency"
    )
    text = (
        "if my child swallowed a button battery what should I do? "
        "he's 2 and puts everything in his mouth"
    )
    assert urgency(text) != "emergency"


# -- posts the knowledge base cannot read ---------------------------------------------------------


def test_a_post_in_another_language_goes_to_a_person_with_emergency_advice_first() -> None:
    result = assess("Tengo una erupción en el brazo desde hace una semana")
    assert result.urgency == "urgent"
    assert "not_assessed" in result.flag_codes
    assert result.advice.startswith("Si es una emergencia")


def test_emergency_words_in_another_language_make_an_emergency() -> None:
    result = assess("mi padre no puede respirar y tiene los labios morados")
    assert result.urgency == "emergency"
    assert "emergency_other_language" in result.flag_codes


def test_an_emoji_only_post_is_not_called_self_care() -> None:
    assert urgency("😩😩🤒🤒") == "urgent"


def test_emoji_saying_blue_lips_or_failing_lungs_are_an_emergency() -> None:
    assert urgency("🫁❌ lips 🔵 🆘") == "emergency"
    assert urgency("🫁😷🤧") == "urgent"


def test_a_post_with_nothing_recognised_is_read_by_a_doctor() -> None:
    result = assess("it's been happening again since the weekend and I'm fed up with it")
    assert result.urgency == "soon"
    assert "nothing_recognised" in result.flag_codes


def test_a_short_search_style_query_asks_for_information() -> None:
    for query in ("endometriosis symptoms", "mmr vaccine what age", "vasectomy recovery time"):
        result = assess(query)
        assert result.urgency == "routine", query
        assert "nothing_recognised" not in result.flag_codes
    assert urgency("its back again what now") == "soon"


def test_a_post_wide_word_sense_explains_words_in_another_sentence() -> None:
    explained = (
        "My son's lips and tongue are blue! Then I realised he'd had a blue raspberry slushie. "
        "He's running around and breathing fine."
    )
    assert urgency(explained) != "emergency"
    blue_and_struggling = "My son's lips and tongue are blue and he is struggling to breathe"
    assert urgency(blue_and_struggling) == "emergency"
