"""The ask rules, one home for the form and the API: what a question needs before it is posted.

A post that reads as an emergency is never turned away for being short or for a missing age:
it is accepted with whatever it says, so a doctor still sees it, and every response leads with
the advice to call emergency services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.models import Sex
from forum.models import AskingFor
from forum.privacy.masking import LABELS, mask, notice
from forum.triage_adapter import assess_fields

TITLE_MIN_LENGTH = 10
BODY_MIN_LENGTH = 30
BODY_MIN_WORDS = 5
CHILD_AGE = 13
# The title an emergency post gets when its asker gave none worth showing.
EMERGENCY_TITLE_LENGTH = 80


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    age_years: int | None = None
    sex: str = ""
    asking_for: str = AskingFor.SELF
    duration: str = ""


def assess_draft(draft: Draft) -> dict[str, Any] | None:
    """The engine's reading of the words so far (with whatever intake is filled in)."""
    if not (draft.title + draft.body).strip():
        return None
    # A mistyped field is left out rather than allowed to stop the reading of the words.
    age = draft.age_years if draft.age_years is not None and 0 <= draft.age_years <= 120 else None
    return assess_fields(
        title=draft.title,
        body=draft.body,
        age=age,
        sex=draft.sex if draft.sex in Sex.values else "",
        asking_for=draft.asking_for if draft.asking_for in AskingFor.values else AskingFor.SELF,
        duration=draft.duration,
    ).to_dict()


def reads_as_emergency(result: dict[str, Any] | None) -> bool:
    return bool(result and result["urgency"] == "emergency")


def ask_errors(draft: Draft, *, emergency: bool) -> dict[str, str]:
    """Field -> message for each ask rule the draft breaks. An emergency needs only some text."""
    errors: dict[str, str] = {}
    title, body = draft.title.strip(), draft.body.strip()
    if emergency:
        if not body and not title:
            errors["body"] = "Say in a few words what is happening."
        return errors
    if len(title) < TITLE_MIN_LENGTH:
        errors["title"] = f"Give a title of at least {TITLE_MIN_LENGTH} characters."
    if len(body) < BODY_MIN_LENGTH:
        errors["body"] = f"Describe it in at least {BODY_MIN_LENGTH} characters."
    elif len(set(body.lower().split())) < BODY_MIN_WORDS:
        errors["body"] = "Describe your symptoms in a few more words."
    if draft.age_years is None:
        errors["age_years"] = "Give their age in years (0 for a baby under one)."
    if not draft.sex:
        errors["sex"] = "Choose their sex."
    if (
        draft.asking_for == AskingFor.SELF
        and draft.age_years is not None
        and draft.age_years < CHILD_AGE
    ):
        errors["asking_for"] = "For a child under 13, pick A child as who the question is about."
    return errors


def posted_title(title: str, body: str) -> str:
    """The title as posted: an emergency's short or empty title is kept, or taken from its text."""
    title = title.strip()
    if title:
        return title
    words = body.strip().split()
    text = " ".join(words)
    return text[:EMERGENCY_TITLE_LENGTH] or "Emergency"


@dataclass(frozen=True)
class HiddenDetails:
    """What will be hidden from the public in a draft: the notice in words and each part."""

    notice: str = ""
    parts: list[dict[str, str]] = field(default_factory=list)


def hidden_before_posting(*, title: str, body: str, medicines: str = "") -> HiddenDetails:
    """The personal details the public copies of this draft will hide, so the ask page can
    tell the patient before they post ("Before your question is public we will hide: an
    e-mail address and a name.")."""
    parts: list[dict[str, str]] = []
    for text in (title, body, medicines):
        for detail in mask(text).details:
            parts.append(
                {"kind": detail.kind, "label": LABELS[detail.kind][0], "text": detail.text}
            )
    return HiddenDetails(notice=notice([p["kind"] for p in parts]), parts=parts)
