"""The caller's notifications: list (newest first) and mark read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import logged_in_user
from forum import selectors
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


class NotificationList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="only unread ones"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: NotificationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.notifications_for(user=request.user)
        if request.query_params.get("unread", "").lower() in {"1", "true", "yes"}:
            qs = qs.filter(read_at=None)
        pages = Pages()
        rows = pages.paginate_queryset(qs, request, view=self)
        return pages.get_paginated_response(NotificationSerializer(rows, many=True).data)


class NotificationsMarkRead(APIView):
    """Mark the given notifications (or all of yours) read. Other people's ids are ignored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkReadSerializer, responses={200: MARKED})
    def post(self, request: Request) -> Response:
        form = MarkReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = logged_in_user(request)
        marked = notifications_mark_read(user=user, ids=form.validated_data.get("ids"))
        return Response(
            {"marked": marked, "unread": selectors.unread_notification_count(user=user)}
        )
