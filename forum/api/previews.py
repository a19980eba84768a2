"""JSON endpoints the pages use while a patient types."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Sex
from forum.api import examples
from forum.api.errors import RETRY_AFTER, errors
from forum.api.inputs import JSONInput, TextField
from forum.api.serializers import (
    FlagSerializer,
    HiddenPartSerializer,
    SimilarOut,
    similar_rows,
)
from forum.asking import hidden_before_posting
from forum.emergency import call_now
from forum.models import AskingFor, Duration, Urgency
from forum.selectors import similar_to_draft
from forum.text import json_schema as text_schema
from forum.triage_adapter import assess_fields


class TriagePreviewInput(JSONInput):
    title = TextField(max_length=200, required=False, allow_blank=True, default="")
    body = TextField(max_length=10000)
    age_years = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    asking_for = serializers.ChoiceField(choices=AskingFor.choices, default=AskingFor.SELF)
    duration = serializers.ChoiceField(
        choices=Duration.choices, required=False, allow_blank=True, default=""
    )
    medicines = TextField(max_length=2000, required=False, allow_blank=True, default="")


class TriagePreviewOutput(serializers.Serializer[dict[str, object]]):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    emergency = serializers.BooleanField(help_text="The draft reads as an emergency.")
    call_now = serializers.CharField(
        allow_null=True, help_text="Set only for an emergency: call emergency services now."
    )
    specialty = serializers.CharField()
    flags = FlagSerializer(many=True)
    advice = serializers.CharField()
    missing_info = serializers.ListField(child=serializers.CharField())
    privacy_notice = serializers.CharField(
        allow_blank=True,
        help_text="What will be hidden from the public once the question is public, in words "
        '("Before your question is public we will hide: an e-mail address and a name."); '
        "empty when nothing will be.",
    )
    hidden_from_public = HiddenPartSerializer(
        many=True, help_text="Each e-mail address, phone number, address and name found."
    )


@extend_schema_view(
    post=extend_schema(
        request=TriagePreviewInput,
        responses={200: TriagePreviewOutput, **errors(400, 401, 403, 429)},
        parameters=[RETRY_AFTER],
        examples=examples.TRIAGE_PREVIEW,
    )
)
class TriagePreviewView(APIView):
    """Triage a draft: urgency, red flags with evidence, advice and suggested specialty, and
    the personal details that will be hidden from the public.

    Causes are left out: they are hints for doctors, not for a patient mid-sentence.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "preview"

    def post(self, request: Request) -> Response:
        form = TriagePreviewInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = assess_fields(
            title=str(data.get("title", "")),
            body=str(data["body"]),
            age=data.get("age_years"),
            sex=str(data.get("sex") or ""),
            asking_for=str(data.get("asking_for") or "self"),
            duration=str(data.get("duration") or ""),
        ).to_dict()
        hidden = hidden_before_posting(
            title=str(data.get("title", "")),
            body=str(data["body"]),
            medicines=str(data.get("medicines") or ""),
        )
        return Response(
            {
                "urgency": result["urgency"],
                "emergency": result["urgency"] == Urgency.EMERGENCY,
                "call_now": call_now(result["urgency"]),
                "specialty": result["specialty"],
                "flags": result["flags"],
                "advice": result["advice"],
                "missing_info": result["missing_info"],
                "privacy_notice": hidden.notice,
                "hidden_from_public": hidden.parts,
            }
        )


class SimilarPreviewInput(JSONInput):
    """A title, a text or both: at least one of them with something visible in it."""

    title = TextField(max_length=200, required=False, allow_blank=True, default="")
    body = TextField(max_length=10000, required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(min_value=1, max_value=10, default=5)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if not (attrs.get("title") or attrs.get("body")):
            raise serializers.ValidationError({"body": "Give a title or some text."})
        return attrs


class _SimilarPreviewInputSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """The rule `validate` holds to, in the schema: a title or a text that is not blank."""

    target_class = SimilarPreviewInput

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        schema["anyOf"] = [
            {"required": [name], "properties": {name: text_schema(required=True)}}
            for name in ("title", "body")
        ]
        return schema


class SimilarPreviewOutput(serializers.Serializer[dict[str, object]]):
    results = SimilarOut(many=True, help_text="Empty when the draft may be an emergency.")
    emergency = serializers.BooleanField(
        help_text="The draft reads as an emergency: no reading is suggested, `call_now` is set."
    )
    call_now = serializers.CharField(
        allow_null=True, help_text="Set only for an emergency: call emergency services now."
    )


@extend_schema_view(
    post=extend_schema(
        request=SimilarPreviewInput,
        responses={200: SimilarPreviewOutput, **errors(400, 401, 403, 429)},
        parameters=[RETRY_AFTER],
        examples=examples.SIMILAR_PREVIEW,
    )
)
class SimilarPreviewView(APIView):
    """Answered Q&As that may already answer a draft ("your question may already be answered").

    A draft that reads as an emergency gets none: it is told to call emergency services instead
    of being offered something to read.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "preview"

    def post(self, request: Request) -> Response:
        form = SimilarPreviewInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        text = f"{data['title']}\n\n{data['body']}".strip()
        urgency = assess_fields(title=str(data["title"]), body=str(data["body"])).urgency
        emergency = urgency == Urgency.EMERGENCY
        items = [] if emergency else similar_to_draft(text=text, limit=int(data["limit"]))
        return Response(
            {"results": similar_rows(items), "emergency": emergency, "call_now": call_now(urgency)}
        )
