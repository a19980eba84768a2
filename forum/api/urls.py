from __future__ import annotations

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from forum.api import auth, previews, views

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
    path("specialties/", views.SpecialtyList.as_view(), name="specialty-list"),
    path("questions/", views.QuestionList.as_view(), name="question-list"),
    path("questions/<int:pk>/", views.QuestionDetail.as_view(), name="question-detail"),
    path("questions/<int:pk>/followups/", views.FollowUpList.as_view(), name="followup-list"),
    path("triage/preview/", previews.TriagePreviewView.as_view(), name="triage-preview"),
    path("similar/preview/", previews.SimilarPreviewView.as_view(), name="similar-preview"),
]
