from __future__ import annotations

from triage import knowledge_base
from triage.patient import find_readings, infer_age, parse_duration
from triage.text import stem, tokenize


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
