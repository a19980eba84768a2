from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("doctor/apply/", views.doctor_apply, name="doctor-apply"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("export/", views.export_data, name="export"),
    path("delete/", views.delete_account, name="delete"),
    path("confirm-email/resend/", views.resend_confirmation, name="resend-confirmation"),
]
