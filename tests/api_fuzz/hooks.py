"""Schemathesis hooks for the fuzz test, loaded by the schemathesis process through
SCHEMATHESIS_HOOKS (no Django here).

One false finding is dropped: a *wrong type* in a form or multipart body that the API accepts. A
form carries only text, so Schemathesis's "integer 0 where a boolean is due" reaches the server
as the text "0", which is how a form says false. Every other finding stands, including wrong
types in JSON bodies, where the API holds each value to its JSON type (forum/api/inputs.py).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario, FuzzingPhaseData

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _only_a_type_change_in_the_body(case: Any) -> bool:
    meta = case.meta
    if meta is None:
        return False
    negative = {location for location, c in meta.components.items() if c.mode.is_negative}
    if negative != {ParameterLocation.BODY}:
        return False
    data = meta.phase.data
    if isinstance(data, CoveragePhaseData):
        return bool(data.scenario == CoverageScenario.INCORRECT_TYPE)
    if isinstance(data, FuzzingPhaseData):
        return bool(data.mutations) and all(
            m.operator == OperatorKind.CHANGE_TYPE for m in data.mutations
        )
    return False


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a form body's wrong type that the API read as text."""
    form = (case.media_type or "").split(";")[0] in FORM_TYPES
    return not (
        isinstance(failure, AcceptedNegativeData) and form and _only_a_type_change_in_the_body(case)
    )
