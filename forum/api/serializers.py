"""What the API sends and accepts. Public identity only: pseudonym, age band, sex."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forum.models import Answer, FollowUp, Question, Specialty


class SpecialtySerializer(serializers.ModelSerializer[Specialty]):
    class Meta:
        model = Specialty
        fields = ["slug", "name", "description"]


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    doctor = serializers.SerializerMethodField()
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    answered_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Answer
        fields = ["doctor", "specialty", "body", "answered_at"]

    def get_doctor(self, answer: Answer) -> str:
        profile = getattr(answer.doctor, "doctor_profile", None) if answer.doctor else None
        return profile.display_name if profile else answer.doctor_name


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "kind", "author", "body", "created_at"]

    def get_author(self, followup: FollowUp) -> str:
        profile = getattr(followup.author, "doctor_profile", None)
        return profile.display_name if profile else followup.author.pseudonym


class QuestionListSerializer(serializers.ModelSerializer[Question]):
    asker = serializers.SerializerMethodField()
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    asked_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "title",
            "asker",
            "age_band",
            "sex",
            "specialty",
            "status",
            "asked_at",
            "answered_at",
        ]

    def get_asker(self, question: Question) -> str | None:
        return question.author.pseudonym if question.author else None


class QuestionSerializer(QuestionListSerializer):
    answer = serializers.SerializerMethodField()
    followups = FollowUpSerializer(many=True, read_only=True)

    class Meta(QuestionListSerializer.Meta):
        fields = [
            *QuestionListSerializer.Meta.fields,
            "body",
            "asking_for",
            "duration",
            "medicines",
            "is_private",
            "urgency",
            "answer",
            "followups",
        ]

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, question: Question) -> dict[str, Any] | None:
        from forum.selectors import visible_answer

        answer = visible_answer(question, user=self.context["request"].user)
        return AnswerSerializer(answer).data if answer else None
