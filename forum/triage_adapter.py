"""The forum's side of the triage engine: which text of a question is assessed, and how."""

from __future__ import annotations

from typing import Any

import triage
from forum.models import Question


def question_text(question: Question) -> str:
    """Title and body, the way the engine sees them; evidence offsets point into this."""
    return f"{question.title}\n\n{question.body}"


def assess_question(question: Question) -> triage.Assessment:
    return assess_fields(
        title=question.title,
        body=question.body,
        age=question.age_years,
        sex=question.sex,
        asking_for=question.asking_for,
        duration=question.duration,
    )


def assess_fields(
    *,
    title: str,
    body: str,
    age: int | None = None,
    sex: str = "",
    asking_for: str = "self",
    duration: str = "",
) -> triage.Assessment:
    return triage.assess(
        f"{title}\n\n{body}",
        age=age,
        sex=sex or None,
        subject=asking_for or "self",
        duration=duration or None,
    )


def highlight_spans(text: str, result: dict[str, Any]) -> list[tuple[str, str]]:
    """Split `text` into (kind, piece) runs: kind 'flag', 'cause' or '' for plain text.

    Flags win over causes where evidence overlaps, so a red flag is never hidden.
    """
    marks = [""] * len(text)
    for key, kind in (("causes", "cause"), ("flags", "flag")):
        for item in result.get(key, []):
            for ev in item.get("evidence", []):
                start, end = max(0, int(ev["start"])), min(len(text), int(ev["end"]))
                for i in range(start, end):
                    if kind == "flag" or not marks[i]:
                        marks[i] = kind
    runs: list[tuple[str, str]] = []
    for ch, kind in zip(text, marks, strict=True):
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs
