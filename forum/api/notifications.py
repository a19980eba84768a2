"""The caller's notifications: list (newest first) and mark read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import logged_in_user
from forum import selectors
from forum.api import examples
from forum.api.errors import errors
from forum.api.serializers import MarkReadSerializer, NotificationSerializer
from forum.api.views import Pages
from forum.notifications import notifications_mark_read

MARKED = inline_serializer(
    "MarkReadResult",
    {
        "marked": serializers.IntegerField(help_text="How many were marked read now."),
        "unread": serializers.IntegerField(help_text="How many are still unread."),
    },
)


class NotificationPages(Pages):
    example_path = "/api/notifications/"


class NotificationList(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPages

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="only unread ones"),
        ],
        responses={
            200: NotificationSerializer(many=True),
            **errors(400, 401, 404, e404="No such page."),
        },
        examples=examples.NOTIFICATION_LIST,
    )
    def get(self, request: Request) -> Response:
        qs = selectors.notifications_for(user=request.user)
        unread = request.query_params.get("unread", "").lower()
        if unread not in {"", "0", "false", "no", "1", "true", "yes"}:
            raise ValidationError({"unread": ["Send true or false."]})
        if unread in {"1", "true", "yes"}:
            qs = qs.filter(read_at=None)
        pages = self.pagination_class()
        rows = pages.paginate_queryset(qs, request, view=self)
        return pages.get_paginated_response(NotificationSerializer(rows, many=True).data)


class NotificationsMarkRead(APIView):
    """Mark the given notifications (or all of yours) read. Other people's ids are ignored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MarkReadSerializer,
        responses={200: MARKED, **errors(400, 401, 403)},
        examples=examples.NOTIFICATION_READ,
    )
    def post(self, request: Request) -> Response:
        form = MarkReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = logged_in_user(request)
        marked = notifications_mark_read(user=user, ids=form.validated_data.get("ids"))
        return Response(
            {"marked": marked, "unread": selectors.unread_notification_count(user=user)}
        )
