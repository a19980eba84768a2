"""What the site tells someone whose post reads as an emergency: one home for the call-now
advice, the numbers to dial and the crisis line, used by every page, e-mail and API response."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from forum.models import Urgency

# Flags that call for the crisis line beside the emergency number.
CRISIS_FLAGS = frozenset(
    {
        "suicidal_intent",
        "suicidal_thoughts",
        "suicidal_thoughts_safe",
        "psychosis_risk",
        "self_harm",
    }
)
_DIGITS = re.compile(r"\d[\d ]*\d|\d")


def _dial(configured: str, shown: str) -> str:
    """The number a tel: link dials: the configured one, else the first number shown."""
    if configured:
        return configured.replace(" ", "")
    found = _DIGITS.search(shown)
    return found.group().replace(" ", "") if found else ""


def call_now_text() -> str:
    """The call-now line: every page, e-mail and API response that tells someone to call
    emergency services says it in these words."""
    return (
        f"This may be an emergency. Call your emergency number ({settings.EMERGENCY_NUMBER}) "
        "or go to the nearest emergency department now. Do not wait for an answer here."
    )


def call_now(urgency: str) -> str | None:
    """The call-now line for a triage of this urgency: set for an emergency, else None (the
    API's `call_now`)."""
    return call_now_text() if urgency == Urgency.EMERGENCY else None


@dataclass(frozen=True)
class EmergencyAdvice:
    """The call-now block: what to say and what to dial."""

    call_now: str
    number: str
    dial: str
    crisis_line: str
    crisis_dial: str
    # The engine's own advice beyond the call-now line (a crisis line, what not to do).
    extra: str
    reasons: tuple[str, ...]


def advice_for(result: dict[str, Any] | None) -> EmergencyAdvice | None:
    """The call-now advice for a triage result that reads as an emergency, else None."""
    if not result or result.get("urgency") != "emergency":
        return None
    codes = {flag.get("code") for flag in result.get("flags", [])}
    crisis = bool(codes & CRISIS_FLAGS)
    reasons = tuple(
        str(flag["label"]) for flag in result.get("flags", []) if flag.get("urgency") == "emergency"
    )
    return EmergencyAdvice(
        call_now=call_now_text(),
        number=settings.EMERGENCY_NUMBER,
        dial=_dial(settings.EMERGENCY_DIAL, settings.EMERGENCY_NUMBER),
        crisis_line=settings.CRISIS_LINE if crisis else "",
        crisis_dial=_dial(settings.CRISIS_DIAL, settings.CRISIS_LINE) if crisis else "",
        extra=_beyond_call_now(str(result.get("advice", "")), crisis),
        reasons=reasons,
    )


_SAID_ALREADY = re.compile(
    r"may be an emergency|call your local emergency number|emergency department|"
    r"do not wait for an answer|call emergency services now",
    re.I,
)


def _beyond_call_now(advice: str, crisis: bool) -> str:
    """The engine's advice without what the call-now block says already (the emergency number,
    and the crisis line where it is shown): one advice block, not the same words twice."""
    sentences = re.split(r"(?<=[.!?])\s+", advice.strip())
    kept = [
        s
        for s in sentences
        if s and not _SAID_ALREADY.search(s) and not (crisis and "crisis line" in s.lower())
    ]
    return " ".join(kept)
