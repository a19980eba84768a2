from __future__ import annotations

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as me
from forum.api import auth, moderation, notifications, previews, queue, views

app_name = "api"
KINDS = "|".join(moderation.KINDS)

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
    path("specialties/", views.SpecialtyList.as_view(), name="specialty-list"),
    path("questions/", views.QuestionList.as_view(), name="question-list"),
    path("questions/<int:pk>/", views.QuestionDetail.as_view(), name="question-detail"),
    path("questions/<int:pk>/followups/", views.FollowUpList.as_view(), name="followup-list"),
    path("questions/<int:pk>/similar/", views.SimilarList.as_view(), name="similar-list"),
    path("queue/", queue.QueueList.as_view(), name="queue"),
    path("queue/<int:pk>/claim/", queue.Claim.as_view(), name="queue-claim"),
    path("queue/<int:pk>/release/", queue.Release.as_view(), name="queue-release"),
    path("queue/<int:pk>/answer/", queue.AnswerCreate.as_view(), name="queue-answer"),
    path("queue/<int:pk>/request-info/", queue.RequestInfo.as_view(), name="queue-request-info"),
    path("queue/<int:pk>/reroute/", queue.Reroute.as_view(), name="queue-reroute"),
    path(
        "queue/<int:pk>/correct-triage/",
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
    re_path(
        rf"^moderation/(?P<kind>{KINDS})/(?P<pk>[0-9]+)/hide/$",
        moderation.SetHidden.as_view(hide=True),
        name="moderation-hide",
    ),
    re_path(
        rf"^moderation/(?P<kind>{KINDS})/(?P<pk>[0-9]+)/restore/$",
        moderation.SetHidden.as_view(hide=False),
        name="moderation-restore",
    ),
    path("moderation/overview/", moderation.QueueOverview.as_view(), name="moderation-overview"),
    path("triage/preview/", previews.TriagePreviewView.as_view(), name="triage-preview"),
    path("similar/preview/", previews.SimilarPreviewView.as_view(), name="similar-preview"),
]
