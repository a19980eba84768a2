from __future__ import annotations

from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.question_list, name="question-list"),
    path("ask/", views.question_create, name="question-create"),
    path("my/questions/", views.my_questions, name="my-questions"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("questions/<int:pk>/answer/", views.answer_create, name="answer-create"),
    path("questions/<int:pk>/follow-ups/", views.followup_create, name="followup-create"),
]
