"""What the API sends and accepts. Public identity only: pseudonym, age band, sex."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.identity import answer_signature, public_name
from accounts.models import Sex
from forum import selectors, services
from forum.api.inputs import MAX_ID, JSONInput, SpecialtyField, TextField
from forum.asking import BODY_MIN_LENGTH, TITLE_MIN_LENGTH, Draft, posted_title
from forum.emergency import call_now
from forum.models import (
    Answer,
    AskingFor,
    AssessmentSource,
    Duration,
    FollowUp,
    Notification,
    NotificationKind,
    Question,
    Specialty,
    Urgency,
)
from forum.similarity import SimilarItem, similar_stored

SIMILAR_PER_ROW = 3  # as on the queue page
CAUSES_NOTE = "Possible causes are hints from the text for doctors and patients, not a diagnosis."


class SpecialtySerializer(serializers.ModelSerializer[Specialty]):
    class Meta:
        model = Specialty
        fields = ["slug", "name", "description"]


def _original(serializer: serializers.Serializer[Any], question: Question) -> bool:
    """Whether the caller reads the typed text (the asker, doctors, moderators) or the public
    copy with personal details masked (everyone else, and any call without a request)."""
    request = serializer.context.get("request")
    if request is None:
        return False
    return selectors.sees_original(user=request.user, question=question)


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    doctor = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="Markdown.")
    # Null when not known (an imported answer).
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    answered_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Answer
        fields = ["doctor", "specialty", "body", "answered_at"]

    def get_doctor(self, answer: Answer) -> str:
        return answer_signature(answer.doctor, kept_name=answer.doctor_name)

    def get_body(self, answer: Answer) -> str:
        return answer.shown("body", original=_original(self, answer.question))


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(
        help_text="As written for the asker, doctors and moderators; for everyone else with "
        "e-mail addresses, phone numbers, addresses and names replaced by placeholders."
    )

    class Meta:
        model = FollowUp
        fields = ["id", "kind", "author", "body", "created_at"]

    def get_author(self, followup: FollowUp) -> str:
        return public_name(followup.author, asker_id=followup.question.author_id)

    def get_body(self, followup: FollowUp) -> str:
        return followup.shown("body", original=_original(self, followup.question))


class EvidenceSerializer(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(help_text="The words in the post that triggered this.")
    start = serializers.IntegerField(help_text="Offset into title + blank line + body.")
    end = serializers.IntegerField()


class FlagSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    # The contract's key is "label", which shadows Field.label in the type stubs only.
    label = serializers.CharField()  # type: ignore[assignment]
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    evidence = EvidenceSerializer(many=True)


class CauseSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    score = serializers.FloatField()
    evidence = EvidenceSerializer(many=True)


class TriageSerializer(serializers.Serializer[dict[str, Any]]):
    """The triage in force. For an emergency, `call_now` says what to do before anything else."""

    urgency = serializers.ChoiceField(choices=Urgency.choices)
    emergency = serializers.SerializerMethodField()
    call_now = serializers.SerializerMethodField(
        help_text="Set only for an emergency: call emergency services now."
    )
    advice = serializers.CharField()
    flags = FlagSerializer(many=True, help_text="Red flags, each with the words that raised it.")
    specialty = serializers.CharField(help_text="Suggested specialty slug.")
    causes = CauseSerializer(many=True)
    causes_note = serializers.SerializerMethodField()
    missing_info = serializers.ListField(child=serializers.CharField())
    # "source" shadows Field.source in the type stubs only (the metaclass takes the fields).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=AssessmentSource.choices,
        help_text="engine, retriage, or doctor (a doctor's correction, with its reason).",
    )
    reason = serializers.CharField(allow_blank=True)
    engine_version = serializers.CharField()
    kb_version = serializers.CharField()

    def get_emergency(self, result: dict[str, Any]) -> bool:
        return bool(result["urgency"] == Urgency.EMERGENCY)

    def get_call_now(self, result: dict[str, Any]) -> str | None:
        return call_now(result["urgency"])

    def get_causes_note(self, result: dict[str, Any]) -> str:
        return CAUSES_NOTE


class HiddenPartSerializer(serializers.Serializer[dict[str, str]]):
    """A personal detail the public copy hides."""

    kind = serializers.ChoiceField(choices=["email", "phone", "address", "name"])
    label = serializers.CharField(help_text='In words: "an e-mail address".')  # type: ignore[assignment]
    text = serializers.CharField(help_text="The words as typed.")


class QuestionListSerializer(serializers.ModelSerializer[Question]):
    """A public question in a list: its title as the public reads it."""

    title = serializers.CharField(
        source="public_title",
        read_only=True,
        help_text="With e-mail addresses, phone numbers, addresses and names replaced by "
        "placeholders such as [name].",
    )
    asker = serializers.SerializerMethodField()
    # Null until the triage worker files a question the asker did not file.
    specialty: serializers.SlugRelatedField[Specialty] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
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
        if question.author is None:
            return None
        return public_name(question.author, asker_id=question.author_id)


class QuestionSerializer(QuestionListSerializer):
    triage = serializers.SerializerMethodField(
        help_text="For the asker, doctors and moderators; null for everyone else. Read it "
        "first: for an emergency it says to call emergency services now."
    )
    title = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="As typed for the asker, doctors and moderators; for everyone else with "
        "e-mail addresses, phone numbers, addresses and names replaced by placeholders."
    )
    body = serializers.SerializerMethodField(help_text="Markdown; masked as the title is.")
    medicines = serializers.SerializerMethodField(help_text="Masked as the title is.")
    hidden_from_public = serializers.SerializerMethodField(
        help_text="For the asker, doctors and moderators: what the public copy hides "
        "(kind, label and the words as typed); empty for everyone else."
    )
    answer = serializers.SerializerMethodField()
    followups = FollowUpSerializer(many=True, read_only=True)

    class Meta(QuestionListSerializer.Meta):
        fields = [
            "id",
            "triage",
            *QuestionListSerializer.Meta.fields[1:],
            "body",
            "asking_for",
            "duration",
            "medicines",
            "is_private",
            "urgency",
            "hidden_from_public",
            "answer",
            "followups",
        ]

    def get_title(self, question: Question) -> str:
        return question.shown("title", original=_original(self, question))

    def get_body(self, question: Question) -> str:
        return question.shown("body", original=_original(self, question))

    def get_medicines(self, question: Question) -> str:
        return question.shown("medicines", original=_original(self, question))

    @extend_schema_field(HiddenPartSerializer(many=True))
    def get_hidden_from_public(self, question: Question) -> list[dict[str, str]]:
        return question.hidden_parts() if _original(self, question) else []

    @extend_schema_field(TriageSerializer(allow_null=True))
    def get_triage(self, question: Question) -> dict[str, Any] | None:
        result = selectors.triage_for_viewer(question, user=self.context["request"].user)
        return TriageSerializer(result).data if result else None

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, question: Question) -> dict[str, Any] | None:
        answer = selectors.visible_answer(question, user=self.context["request"].user)
        return AnswerSerializer(answer, context=self.context).data if answer else None


class QuestionCreateSerializer(JSONInput):
    """The ask form's fields and rules (forum/asking.py), for apps. A post that reads as an
    emergency is accepted with whatever it says; refused, its 400 still leads with `call_now`."""

    title = TextField(max_length=200, required=False, allow_blank=True, default="")
    body = TextField(max_length=10000, required=False, allow_blank=True, default="")
    asking_for = serializers.ChoiceField(choices=AskingFor.choices, default=AskingFor.SELF)
    age_years = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")
    duration = serializers.ChoiceField(choices=Duration.choices, required=False, default="")
    medicines = TextField(max_length=2000, required=False, allow_blank=True)
    specialty = SpecialtyField(optional=True)
    is_private = serializers.BooleanField(default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emergency = False

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # The draft is read before the field checks, so a mistyped field of an emergency post
        # still gets the call-now advice first.
        if isinstance(data, dict):
            age = data.get("age_years")
            draft = Draft(
                title=str(data.get("title") or ""),
                body=str(data.get("body") or ""),
                age_years=age if isinstance(age, int) and not isinstance(age, bool) else None,
                sex=str(data.get("sex") or ""),
                asking_for=str(data.get("asking_for") or AskingFor.SELF),
                duration=str(data.get("duration") or ""),
            )
            self.emergency = services.question_ask_check(draft).emergency
        return super().run_validation(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        draft = Draft(
            title=attrs.get("title", ""),
            body=attrs.get("body", ""),
            age_years=attrs.get("age_years"),
            sex=attrs.get("sex", ""),
            asking_for=attrs.get("asking_for", AskingFor.SELF),
            duration=attrs.get("duration", ""),
        )
        check = services.question_ask_check(draft)
        # Refused, the 400 leads with the call-now advice if either reading is an emergency.
        self.emergency = self.emergency or check.emergency
        if check.errors:
            raise serializers.ValidationError(check.errors)
        if check.emergency:
            attrs["title"] = posted_title(attrs.get("title", ""), attrs.get("body", ""))
        return attrs


class QuestionUpdateSerializer(JSONInput):
    """An edit by the asker: an edited title or body follows the rules of asking a question
    (`POST /api/questions/`); a 400 names the field that does not."""

    title = TextField(min_length=TITLE_MIN_LENGTH, max_length=200, required=False)
    body = TextField(min_length=BODY_MIN_LENGTH, max_length=10000, required=False)
    duration = serializers.ChoiceField(choices=Duration.choices, required=False)
    medicines = TextField(max_length=2000, required=False, allow_blank=True)
    is_private = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The question edited, from the view (context): its other fields complete the draft.
        errors = services.question_edit_errors(question=self.context["question"], fields=attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class FollowUpCreateSerializer(JSONInput):
    body = TextField(min_length=2, max_length=5000)


class SimilarOut(serializers.Serializer[dict[str, object]]):
    """A similar public doctor-answered Q&A and what it shares with the text."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.CharField()
    specialty = serializers.CharField(allow_null=True)


def similar_rows(items: list[SimilarItem]) -> list[dict[str, object]]:
    return [
        {
            "id": item.question.pk,
            "title": item.question.public_title,
            "url": item.question.get_absolute_url(),
            "score": round(item.score, 3),
            "explanation": item.explanation,
            "specialty": item.question.specialty.slug if item.question.specialty else None,
        }
        for item in items
    ]


class QueueItemSerializer(QuestionListSerializer):
    """A question in a doctor's queue, with the triage a doctor reads before claiming: as the
    patient typed it (doctors read the original)."""

    title = serializers.CharField(read_only=True)
    body = serializers.CharField()
    triage = serializers.SerializerMethodField()
    waiting_seconds = serializers.SerializerMethodField(
        help_text="Since the question entered the queue."
    )
    claimed_by_me = serializers.SerializerMethodField()
    claimed_until = serializers.SerializerMethodField(
        help_text="When your claim runs out; null unless you hold it."
    )
    similar = serializers.SerializerMethodField(
        help_text="Up to three similar doctor-answered Q&As, stored by the worker after triage."
    )

    class Meta(QuestionListSerializer.Meta):
        fields = [
            "id",
            "urgency",
            "triage",
            *QuestionListSerializer.Meta.fields[1:],
            "body",
            "asking_for",
            "duration",
            "medicines",
            "queued_at",
            "waiting_seconds",
            "claimed_by_me",
            "claimed_until",
            "similar",
        ]

    @extend_schema_field(SimilarOut(many=True))
    def get_similar(self, question: Question) -> list[dict[str, object]]:
        if question.urgency == Urgency.EMERGENCY:
            return []  # an emergency is offered nothing to read
        # The list view reads every row's links in one query and passes them in.
        stored = self.context.get("similar")
        if stored is None:
            stored = similar_stored([question], limit=SIMILAR_PER_ROW)
        return similar_rows(stored.get(question.pk, []))

    def _mine(self, question: Question) -> bool:
        return question.has_live_claim(now=self.context["now"], by=self.context["request"].user)

    @extend_schema_field(TriageSerializer(allow_null=True))
    def get_triage(self, question: Question) -> dict[str, Any] | None:
        assessment = selectors.latest_assessment(question)
        if assessment is None:
            return None
        return TriageSerializer(selectors.assessment_view(assessment)).data

    def get_waiting_seconds(self, question: Question) -> int:
        since = question.queued_at or question.created_at
        return max(0, int((self.context["now"] - since).total_seconds()))

    def get_claimed_by_me(self, question: Question) -> bool:
        return self._mine(question)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_claimed_until(self, question: Question) -> Any:
        if not self._mine(question) or question.claimed_until is None:
            return None
        return serializers.DateTimeField().to_representation(question.claimed_until)


class AnswerCreateSerializer(JSONInput):
    body = TextField(min_length=20, max_length=20000, help_text="Markdown.")


class InfoRequestSerializer(JSONInput):
    message = TextField(
        min_length=10, max_length=2000, help_text="What you need to know from the patient."
    )


class RerouteSerializer(JSONInput):
    specialty = SpecialtyField()
    reason = TextField(min_length=5, max_length=500)


class CorrectTriageSerializer(JSONInput):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    specialty = SpecialtyField(optional=True)
    reason = TextField(min_length=5, max_length=500)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "question", "created_at", "read", "read_at"]

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkReadSerializer(JSONInput):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=500,
        help_text="The notifications to mark read; leave out to mark all of them read.",
    )
