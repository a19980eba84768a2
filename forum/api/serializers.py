"""What the API sends and accepts. Public identity only: pseudonym, age band, sex."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Sex
from forum.models import Answer, AskingFor, Duration, FollowUp, Question, Specialty


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


class QuestionCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """The ask form's fields and rules, for apps."""

    title = serializers.CharField(min_length=10, max_length=200)
    body = serializers.CharField(min_length=30, max_length=10000)
    asking_for = serializers.ChoiceField(choices=AskingFor.choices, default=AskingFor.SELF)
    age_years = serializers.IntegerField(min_value=0, max_value=120)
    sex = serializers.ChoiceField(choices=Sex.choices)
    duration = serializers.ChoiceField(choices=Duration.choices, required=False, default="")
    medicines = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    specialty = serializers.SlugRelatedField(
        slug_field="slug", queryset=Specialty.objects.all(), required=False, allow_null=True
    )
    is_private = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("asking_for", AskingFor.SELF) == AskingFor.SELF and attrs["age_years"] < 13:
            raise serializers.ValidationError(
                {"asking_for": "For a child under 13, send asking_for=child."}
            )
        return attrs


class QuestionUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    title = serializers.CharField(min_length=10, max_length=200, required=False)
    body = serializers.CharField(min_length=30, max_length=10000, required=False)
    duration = serializers.ChoiceField(choices=Duration.choices, required=False)
    medicines = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_private = serializers.BooleanField(required=False)


class FollowUpCreateSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(min_length=2, max_length=5000)
