"""The API's error responses, for the schema: every status an operation can answer with is
documented there, with the body it carries (the fuzz test in tests/api_fuzz holds us to it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from forum.services import ConflictCode, QueueError


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The question is not in a state that allows this."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the services' own errors (settings: REST_FRAMEWORK's
    EXCEPTION_HANDLER): a ValidationError is a 400 with the same messages, and a question in the
    wrong state for the action (QueueError: claimed by another doctor, already answered, …) a
    409 whose `code` says which for a program (`claimed_by_other`, `claim_expired`,
    `claim_limit`, …). Views call the services directly and need no try/except of their own."""
    if isinstance(exc, QueueError):
        exc = Conflict(
            {"detail": " ".join(exc.messages), "code": exc.code or ConflictCode.CONFLICT}
        )
    elif isinstance(exc, DjangoValidationError):
        exc = ApiValidationError(
            exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """`{"detail": "…"}`: what every error but a validation error carries."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "Error"


class ConflictSerializer(serializers.Serializer[dict[str, Any]]):
    """A 409: why the question does not allow this now, for people (`detail`) and for
    programs (`code`)."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=ConflictCode.choices)

    class Meta:
        ref_name = "Conflict"


class ValidationErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """Field name to its messages; described by the extension below."""

    class Meta:
        ref_name = "ValidationError"


class _ValidationErrorSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": "Each invalid field's messages under its name (a list field's under "
            "the item's index); `non_field_errors` or `detail` for the request as a whole "
            "(`detail` is a single message when the body is not valid JSON).",
            "additionalProperties": {
                "oneOf": [messages, {"type": "string"}, {"type": "object"}],
            },
        }


_RESPONSES = {
    400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input."),
    401: OpenApiResponse(
        ErrorSerializer,
        description="Not logged in, or the token is wrong or revoked (a wrong token is refused "
        "even where no log-in is needed).",
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not allowed; the message says why. Also a session (cookie) caller's write "
        "without its CSRF token.",
    ),
    404: OpenApiResponse(
        ErrorSerializer, description="No such object, or not one you may see; or no such page."
    ),
    409: OpenApiResponse(
        ConflictSerializer,
        description="The question is not in a state that allows this (claimed by another "
        "doctor, claim expired, limit reached).",
    ),
    429: OpenApiResponse(
        ErrorSerializer, description="Too many requests: wait `Retry-After` seconds."
    ),
}

# Paths take any segment as an id (forum/api/urls.py, so that a wrong one gets this API's JSON
# 404); the schema says what a client should send.
ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The question's id."
)

# The header a throttled operation's 429 carries; add it to the operation's `parameters`.
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)


def errors(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """The error responses `codes` for `extend_schema(responses=…)`. A keyword `e403="…"`
    replaces that status's generic description with the operation's own."""
    return {
        code: OpenApiResponse(
            _RESPONSES[code].response,
            description=descriptions.get(f"e{code}", _RESPONSES[code].description),
        )
        for code in codes
    }


def document_json_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): every operation that takes a
    body takes JSON only (forum/api/inputs.py's JSONBodyParser), so any other body is a 415; and
    a body whose schema needs one of several fields (`anyOf`) cannot be left out."""
    components = result.get("components", {}).get("schemas", {})
    unsupported = {
        "description": "The body is not JSON (`Content-Type: application/json`).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
        },
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault("415", unsupported)
                for content in operation["requestBody"].get("content", {}).values():
                    ref = content.get("schema", {}).get("$ref", "")
                    if "anyOf" in components.get(ref.rsplit("/", 1)[-1], {}):
                        operation["requestBody"]["required"] = True
    return result
