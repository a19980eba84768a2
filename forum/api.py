"""JSON endpoints the pages use while a patient types."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Sex
from forum.models import AskingFor
from forum.triage_adapter import assess_fields


class TriagePreviewInput(serializers.Serializer[dict[str, object]]):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=10000, allow_blank=False)
    age_years = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    asking_for = serializers.ChoiceField(choices=AskingFor.choices, default=AskingFor.SELF)
    duration = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class TriagePreviewView(APIView):
    """Triage a draft: urgency, red flags with evidence, advice and suggested specialty.

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
        return Response(
            {
                "urgency": result["urgency"],
                "specialty": result["specialty"],
                "flags": result["flags"],
                "advice": result["advice"],
                "missing_info": result["missing_info"],
            }
        )
