"""Triage concepts of a text, for the concept-overlap part of the ranking and its explanation.

A small adapter over the triage engine: red flags and the likelier causes it finds. Only the
codes and labels are kept; evidence spans are the triage pages' business.
"""

from __future__ import annotations

from dataclasses import dataclass

import triage

# Causes below this score are guesses from a single weak cue ('at night' -> asthma) and would
# make unrelated questions look alike.
CAUSE_MIN_SCORE = 0.6


@dataclass(frozen=True, slots=True)
class Concept:
    code: str
    label: str


def concepts_of(text: str) -> list[Concept]:
    if not text.strip():
        return []
    result = triage.assess(text).to_dict()
    found: dict[str, Concept] = {}
    for flag in result.get("flags", []):
        found.setdefault(f"flag:{flag['code']}", Concept(f"flag:{flag['code']}", flag["label"]))
    for cause in result.get("causes", []):
        if float(cause.get("score", 0.0)) >= CAUSE_MIN_SCORE:
            code = f"cause:{cause['code']}"
            found.setdefault(code, Concept(code, cause["label"]))
    return list(found.values())


def to_json(concepts: list[Concept]) -> list[list[str]]:
    return [[c.code, c.label] for c in concepts]


def from_json(data: object) -> list[Concept]:
    if not isinstance(data, list):
        return []
    return [Concept(str(item[0]), str(item[1])) for item in data if len(item) == 2]
