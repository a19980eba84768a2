from __future__ import annotations

from csp.decorators import csp_update
from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as me
from forum.api import auth, moderation, notifications, previews, queue, views


class AnyId:
    """An object's id in a path. Any segment matches, so that `/api/questions/abc/` reaches the
    view and gets the API's JSON 404 rather than the site's HTML page: a segment that is not a
    whole number becomes 0, which no object has."""

    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        return int(value) if value.isascii() and value.isdigit() else 0

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(AnyId, "api_id")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so scripts stay 'self'-only; Swagger
    # UI sets inline styles, allowed on this page alone.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/tokens/", auth.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<str:key>/", auth.TokenDetailView.as_view(), name="token-detail"),
    path("specialties/", views.SpecialtyList.as_view(), name="specialty-list"),
    path("questions/", views.QuestionList.as_view(), name="question-list"),
    path("questions/<api_id:pk>/", views.QuestionDetail.as_view(), name="question-detail"),
    path("questions/<api_id:pk>/followups/", views.FollowUpList.as_view(), name="followup-list"),
    path("questions/<api_id:pk>/similar/", views.SimilarList.as_view(), name="similar-list"),
    path("queue/", queue.QueueList.as_view(), name="queue"),
    path("queue/<api_id:pk>/claim/", queue.Claim.as_view(), name="queue-claim"),
    path("queue/<api_id:pk>/release/", queue.Release.as_view(), name="queue-release"),
    path("queue/<api_id:pk>/answer/", queue.AnswerCreate.as_view(), name="queue-answer"),
    path("queue/<api_id:pk>/request-info/", queue.RequestInfo.as_view(), name="queue-request-info"),
    path("queue/<api_id:pk>/reroute/", queue.Reroute.as_view(), name="queue-reroute"),
    path(
        "queue/<api_id:pk>/correct-triage/",
        queue.CorrectTriage.as_view(),
        name="queue-correct-triage",
    ),
    path("notifications/", notifications.NotificationList.as_view(), name="notification-list"),
    path(
        "notifications/read/",
        notifications.NotificationsMarkRead.as_view(),
        name="notification-read",
    ),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/export/", me.MeExport.as_view(), name="me-export"),
    path("me/delete/", me.MeDelete.as_view(), name="me-delete"),
    # Any kind matches here too; the view answers an unknown one with a JSON 404.
    path(
        "moderation/<str:kind>/<api_id:pk>/hide/",
        moderation.Hide.as_view(),
        name="moderation-hide",
    ),
    path(
        "moderation/<str:kind>/<api_id:pk>/restore/",
        moderation.Restore.as_view(),
        name="moderation-restore",
    ),
    path("moderation/overview/", moderation.QueueOverview.as_view(), name="moderation-overview"),
    path("triage/preview/", previews.TriagePreviewView.as_view(), name="triage-preview"),
    path("similar/preview/", previews.SimilarPreviewView.as_view(), name="similar-preview"),
]
