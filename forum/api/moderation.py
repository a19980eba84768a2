"""Moderators: hide and restore questions, answers and follow-ups with a reason (audited),
and the queue overview. Everything else moderators do is in the admin."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import logged_in_user, user_can_moderate, user_needs_totp_for_powers
from forum import selectors, services
from forum.api import examples
from forum.api.errors import errors
from forum.api.inputs import JSONInput, TextField
from forum.models import Answer, FollowUp, Question


class IsModerator(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if user_can_moderate(request.user):
            return True
        self.message = (
            "Set up two-factor authentication on the site to moderate."
            if user_needs_totp_for_powers(request.user)
            else "Only moderators can do this."
        )
        return False


class ReasonSerializer(JSONInput):
    reason = TextField(min_length=5, max_length=500)


HIDDEN = inline_serializer(
    "ModerationResult",
    {"id": serializers.IntegerField(), "is_hidden": serializers.BooleanField()},
)

# (model, hide, restore) for each kind of post in the URL.
KINDS: dict[str, tuple[Any, Any, Any]] = {
    "questions": (Question, services.question_hide, services.question_restore),
    "answers": (Answer, services.answer_hide, services.answer_restore),
    "followups": (FollowUp, services.followup_hide, services.followup_restore),
}
_ARGUMENT = {"questions": "question", "answers": "answer", "followups": "followup"}
NOT_A_MODERATOR = "Not a moderator with two-factor on (the message says which)."


class SetHidden(APIView):
    """Hide or restore a post: `Hide` and `Restore` below, one operation each."""

    permission_classes = [IsModerator]
    hide = True

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(KINDS)),
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The post's id."
            ),
        ],
        request=ReasonSerializer,
        responses={200: HIDDEN, **errors(400, 401, 403, 404, e403=NOT_A_MODERATOR)},
    )
    def post(self, request: Request, kind: str, pk: int) -> Response:
        if kind not in KINDS:
            raise NotFound("No such kind of post.")
        model, hide, restore = KINDS[kind]
        obj = get_object_or_404(model, pk=pk)
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        action = hide if self.hide else restore
        action(
            moderator=logged_in_user(request),
            reason=form.validated_data["reason"],
            **{_ARGUMENT[kind]: obj},
        )
        return Response({"id": obj.pk, "is_hidden": obj.is_hidden}, status=status.HTTP_200_OK)


# One view class each, so that each operation in the schema has its own examples.
@extend_schema_view(post=extend_schema(examples=examples.MODERATION_HIDE))
class Hide(SetHidden):
    """Hide a post, with a reason (audited). A hidden question leaves every list and similar
    list at once; its asker still sees it, with the reason."""

    hide = True


@extend_schema_view(post=extend_schema(examples=examples.MODERATION_RESTORE))
class Restore(SetHidden):
    """Show a hidden post again, with a reason (audited)."""

    hide = False


OVERVIEW_ROW = inline_serializer(
    "QueueOverviewRow",
    {
        "specialty": serializers.CharField(),
        "urgency": serializers.CharField(),
        "status": serializers.CharField(),
        "count": serializers.IntegerField(),
        "longest_wait_seconds": serializers.IntegerField(),
        "uncovered": serializers.BooleanField(
            help_text="Emergency or urgent, and no verified doctor of the specialty or on call: "
            "listed first."
        ),
    },
    many=True,
)


class QueueOverview(APIView):
    """Waiting questions per specialty, urgency and status, with the longest wait; emergency
    and urgent ones that no verified doctor covers come first."""

    permission_classes = [IsModerator]

    @extend_schema(
        responses={200: OVERVIEW_ROW, **errors(401, 403, e403=NOT_A_MODERATOR)},
        examples=examples.QUEUE_OVERVIEW,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.queue_overview()
        return Response(
            [
                {
                    **{k: v for k, v in row.items() if k != "longest_wait"},
                    "longest_wait_seconds": int(row["longest_wait"].total_seconds()),
                }
                for row in rows
            ]
        )
