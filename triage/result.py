"""The assessment returned by :func:`triage.assess`: frozen, hashable, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

URGENCY_LEVELS: tuple[str, ...] = ("emergency", "urgent", "soon", "routine")
URGENCY_RANK: dict[str, int] = {level: rank for rank, level in enumerate(reversed(URGENCY_LEVELS))}

SPECIALTIES: tuple[str, ...] = (
    "general-practice",
    "emergency-medicine",
    "neurology",
    "neurosurgery",
    "cardiology",
    "pulmonology",
    "gastroenterology",
    "general-surgery",
    "dermatology",
    "endocrinology",
    "psychiatry",
    "orthopedics",
    "rheumatology",
    "obstetrics-gynecology",
    "urology",
    "nephrology",
    "ent",
    "ophthalmology",
    "pediatrics",
    "infectious-disease",
    "hematology-oncology",
    "allergy-immunology",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the original text: ``text == original[start:end]``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    label: str
    urgency: str
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "urgency": self.urgency,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Cause:
    code: str
    label: str
    score: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    urgency: str
    specialty: str
    flags: tuple[Flag, ...]
    causes: tuple[Cause, ...]
    advice: str
    missing_info: tuple[str, ...]
    kb_version: str
    engine_version: str

    @property
    def flag_codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in docs/contracts.md, key for key."""
        return {
            "urgency": self.urgency,
            "specialty": self.specialty,
            "flags": [f.to_dict() for f in self.flags],
            "causes": [c.to_dict() for c in self.causes],
            "advice": self.advice,
            "missing_info": list(self.missing_info),
            "kb_version": self.kb_version,
            "engine_version": self.engine_version,
        }
