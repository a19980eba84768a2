from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config.health import healthz, readyz
from config.security_txt import security_txt

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path("admin/", admin.site.urls),
    path("api/", include("forum.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("", include("forum.urls")),
]

# The site's own error pages (config/errors.py), in production as in development.
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
