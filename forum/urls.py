from __future__ import annotations

from django.urls import path

from forum import doctor_views, views

app_name = "forum"

urlpatterns = [
    path("", views.question_list, name="question-list"),
    path("ask/", views.question_create, name="question-create"),
    path("my/questions/", views.my_questions, name="my-questions"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("questions/<int:pk>/follow-ups/", views.followup_create, name="followup-create"),
    path("questions/<int:pk>/reply/", views.info_reply, name="info-reply"),
    path("doctor/queue/", doctor_views.queue, name="queue"),
    path("questions/<int:pk>/claim/", doctor_views.claim, name="claim"),
    path("questions/<int:pk>/release/", doctor_views.release, name="release"),
    path("questions/<int:pk>/answer/", doctor_views.answer, name="answer-create"),
    path("questions/<int:pk>/request-info/", doctor_views.request_info, name="request-info"),
    path("questions/<int:pk>/reroute/", doctor_views.reroute, name="reroute"),
    path("questions/<int:pk>/correct-triage/", doctor_views.correct_triage, name="correct-triage"),
]
