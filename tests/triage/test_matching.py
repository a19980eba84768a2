from __future__ import annotations

import json
import re
from pathlib import Path

from triage import knowledge_base, patient
from triage import text as text_module
from triage.patient import find_readings, infer_age, parse_duration
from triage.text import split_tokens, stem, tokenize

EVAL = Path(__file__).parent / "data" / "eval_posts.jsonl"


def test_the_stemmer_joins_inflections() -> None:
    assert stem("twitching") == stem("twitches") == stem("twitch")
    assert stem("breathe") == stem("breath") == stem("breathing")
    assert stem("bleeding") == stem("bleed")


def test_tokens_keep_offsets_and_sentences() -> None:
    text = "I can't breathe. Help!"
    tokens = tokenize(text, knowledge_base().normaliser)
    assert [text[t.start : t.end] for t in tokens] == ["I", "can't", "breathe", "Help"]
    assert tokens[-1].sentence == 1


def test_it_parses_durations() -> None:
    found = parse_duration("Over the past month, I have been twitching")
    assert found is not None and found.days == 30
    assert found.evidence is not None and found.evidence.text == "Over the past month"
    two = parse_duration("for about six weeks")
    assert two is not None and two.days == 42
    assert parse_duration("I had a stroke five years ago") is None


def test_it_reads_ages_from_the_text() -> None:
    assert infer_age("my 3 week old son has a fever", about_self=False) == 3 * 7 / 365
    assert infer_age("I'm 34 weeks pregnant", about_self=True) is None
    assert infer_age("Crushing chest pain, 58M", about_self=True) == 58


def test_it_reads_thresholds_from_measured_values() -> None:
    concepts = {r.concept for r in find_readings("temperature of 38.5, BP 200/125, sugar is 2.1")}
    assert concepts == {"fever", "bp_very_high", "glucose_low"}


def test_it_reads_a_duration_with_words_before_the_time() -> None:
    found = parse_duration("Started the pill a month ago and now I spot between periods")
    assert found is not None and found.days == 30
    since = parse_duration("a fever since I got back from Ghana 10 days ago")
    assert since is not None and since.days == 10


def test_a_journey_is_not_a_duration() -> None:
    assert parse_duration("Back from Nigeria a week ago with fever and chills") is None
    found = parse_duration("A week ago I flew back from Kenya. Fever since yesterday.")
    assert found is not None and found.days == 1


def test_it_reads_ages_in_words() -> None:
    assert infer_age("our two week old has a temperature", about_self=False) == 2 * 7 / 365
    assert infer_age("my six-month-old is teething", about_self=False) == 0.5
    assert infer_age("this mattress is a couple of years old", about_self=True) is None


def test_the_phrase_matcher_reports_every_match_once_in_order() -> None:
    kb = knowledge_base()
    tokens = split_tokens("no pain in my left chest. pain in the chest, no", kb.normaliser)
    matches = kb.matcher.find(tokens)
    assert matches == sorted(set(matches))
    # "*" gaps never reach into the next sentence
    assert all(tokens.sentences[m.first] == tokens.sentences[m.last] for m in matches)


# The fact parsers skip a full regex scan per pattern (see triage/patient.py); these are the
# plain scans they must agree with.
_PLAIN_SCANS = [
    (patient._AGE_OLD_W, "numbers"),
    (patient._AGE_SEX_W, "numbers"),
    (patient._AGE_SHORT_W, "numbers"),
    (patient._AGE_SELF_W, ("i", "age")),
    (patient._AGE_THIRD_W, ("third",)),
    (patient._TEMPERATURE_W, ("temp",)),
    (patient._BLOOD_PRESSURE_W, ("bp",)),
    (patient._GLUCOSE_W, ("sugar",)),
    (patient._FEMALE_SELF_W[0], ("i",)),
    (patient._FEMALE_SELF_W[1], ("female",)),
    (patient._MALE_SELF_W[0], ("i",)),
    (patient._MALE_SELF_W[1], ("male",)),
]


def test_the_fact_scans_find_what_plain_regex_scans_find() -> None:
    texts = [json.loads(line)["text"].lower() for line in EVAL.read_text().splitlines()]
    texts += [
        "i'm 34, f. 58m here, bp 190/120, sugar 2.1, temp 39.5c",
        "him 45 yrs, ashe's 4, xfor 3 days, blood pressure 160/100 and pressure 150/95",
        "he's 5 and she is (7), my 3-year-old son, i am a woman, my period, my penis",
        "12345 years old, 1234m, _34 yo, age 40, aged 6 weeks, im 20",
    ]
    for text in texts:
        cues = patient._cues(text)
        for pattern, where in _PLAIN_SCANS:
            starts = cues.numbers if where == "numbers" else patient._cue_starts(cues, *where)
            fast = [m.span() for m in patient._matches_at(pattern, text, starts)]
            plain = [m.span() for m in re.finditer(r"\b(?:" + pattern.pattern + ")", text)]
            assert fast == plain, (pattern.pattern, text)
        bare = [m.span() for m in re.finditer(patient._AGE_BARE, text)]
        fast_bare = patient._matches_at(
            patient._AGE_BARE, text, patient._bare_age_starts(text, cues.numbers)
        )
        assert [m.span() for m in fast_bare] == bare, text


def test_the_ascii_word_split_matches_the_unicode_one() -> None:
    for line in EVAL.read_text().splitlines():
        text = json.loads(line)["text"]
        if text.isascii():
            assert text_module._SPLIT_ASCII_RE.split(text) == text_module._SPLIT_RE.split(text)
    tokens = split_tokens("It’s been 3 days — can’t sleep", knowledge_base().normaliser)
    assert tokens.norms == ["it", "been", "3", "day", "cant", "sleep"]
    assert tokens.starts == [0, 5, 10, 12, 19, 25]
