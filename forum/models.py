"""Questions, answers and follow-ups; the specialties they are filed under; the audit trail."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import get_script_prefix, reverse

from forum.markdown import render_markdown
from forum.privacy.masking import LABELS, markdown_safe, mask


class Specialty(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """The lifecycle of a question (docs/architecture.md, 'The flow of a question')."""

    SUBMITTED = "submitted", "Submitted"
    QUEUED = "queued", "Waiting for a doctor"
    CLAIMED = "claimed", "A doctor is answering"
    NEEDS_INFO = "needs_info", "The doctor needs more information"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class AskingFor(models.TextChoices):
    SELF = "self", "Myself"
    CHILD = "child", "A child"
    ADULT = "adult", "Another adult"


class Duration(models.TextChoices):
    HOURS = "less than a day", "Less than a day"
    DAYS = "1-7 days", "1–7 days"
    WEEKS = "1-4 weeks", "1–4 weeks"
    MONTHS = "1-3 months", "1–3 months"
    LONG = "more than 3 months", "More than 3 months"
    UNKNOWN = "not sure", "Not sure"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    SOON = "soon", "Soon"
    ROUTINE = "routine", "Routine"


PRIORITY: dict[str, int] = {
    Urgency.EMERGENCY: 40,
    Urgency.URGENT: 30,
    Urgency.SOON: 20,
    Urgency.ROUTINE: 10,
}


class MaskedText(models.Model):
    """Texts a person typed, kept twice: as typed, for the asker, the doctors and moderators,
    and as the public reads them, with e-mail addresses, phone numbers, street addresses and
    names replaced by placeholders ("[e-mail address]"). The public copies are written on every
    save that changes a typed text, so no write path can forget them and a public read costs
    nothing; `personal_details` records what was hidden (kind and offsets into the text)."""

    # Typed field -> its public copy.
    MASKED_FIELDS: ClassVar[dict[str, str]] = {}

    personal_details = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="What the public copies hide: [{field, kind, start, end}] into the typed text.",
    )

    class Meta:
        abstract = True

    def save(self, **kwargs: Any) -> None:
        """Save; a save that writes a typed text writes its public copy and `personal_details`
        with it (a save of other fields only, such as a status, leaves them as they are)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.mask_personal_details()
        elif set(update_fields) & set(self.MASKED_FIELDS):
            self.mask_personal_details()
            kwargs["update_fields"] = {
                *update_fields,
                *self.MASKED_FIELDS.values(),
                "personal_details",
            }
        super().save(**kwargs)

    def mask_personal_details(self) -> None:
        """Write the public copies of the typed texts (in memory; `save` stores them)."""
        found: list[dict[str, Any]] = []
        for source, copy in self.MASKED_FIELDS.items():
            masked = mask(getattr(self, source) or "")
            setattr(self, copy, masked.text)
            found += [
                {"field": source, "kind": d.kind, "start": d.start, "end": d.end}
                for d in masked.details
            ]
        self.personal_details = found

    def shown(self, source: str, *, original: bool) -> str:
        """The typed text for those who may read it, the public copy for everyone else."""
        return str(getattr(self, source if original else self.MASKED_FIELDS[source]) or "")

    def hidden_parts(self) -> list[dict[str, str]]:
        """What the public does not see, in the words of the asker's page: for each detail its
        kind, the label ("an e-mail address") and the words as typed."""
        parts = []
        for item in self.personal_details or []:
            typed = str(getattr(self, item.get("field", ""), "") or "")
            start, end, kind = item.get("start", 0), item.get("end", 0), item.get("kind", "")
            if kind in LABELS and 0 <= start < end <= len(typed):
                parts.append({"kind": kind, "label": LABELS[kind][0], "text": typed[start:end]})
        return parts


# The rows the public lists' partial indexes hold: the question's own part of `public_q` (an
# index cannot see the answer's row) with an answer time. Keep the two together.
PUBLIC_LISTED = models.Q(
    status="answered", is_hidden=False, is_private=False, answered_at__isnull=False
)


def public_q(prefix: str = "", *, with_answer: bool = False) -> models.Q:
    """The rule "a public Q&A" as a filter: answered, not private, not hidden by a moderator,
    and its answer not hidden by one either. What anyone may read, list, search and be offered
    as similar; `Question.is_public` is the same rule on a row, `public_sql` in SQL.

    `prefix` reaches the question through a relation ("similar__"). `with_answer` also asks
    for the doctor's answer to exist (the similar Q&As show it); without it a question a
    moderator set to answered before any answer was written is public too."""
    own = models.Q(
        **{f"{prefix}status": Status.ANSWERED, f"{prefix}is_hidden": False},
        **{f"{prefix}is_private": False},
    )
    if with_answer:
        return own & models.Q(**{f"{prefix}answer__is_hidden": False})
    return own & ~models.Q(**{f"{prefix}answer__is_hidden": True})


def public_sql(alias: str) -> tuple[str, list[Any]]:
    """`public_q()` as an SQL condition on the question table under `alias`, with its
    parameters, for the full-text search's own statements."""
    return (
        f"{alias}.status = %s AND {alias}.is_hidden = %s AND {alias}.is_private = %s "  # noqa: S608
        "AND NOT EXISTS (SELECT 1 FROM forum_answer AS hidden_answer "
        f"WHERE hidden_answer.question_id = {alias}.id AND hidden_answer.is_hidden = %s)",
        [Status.ANSWERED.value, False, False, True],
    )


def live_claim_q(now: datetime, *, by: Any = None) -> models.Q:
    """The rule "a live claim" as a filter: claimed, and the claim not run out at `now`
    (of the doctor `by`, when given). `Question.has_live_claim` is the same rule on a row."""
    live = models.Q(status=Status.CLAIMED, claimed_until__gt=now)
    return live & models.Q(claimed_by=by) if by is not None else live


def expired_claim_q(now: datetime) -> models.Q:
    """A claim that has run out at `now`: the question is back in the queue for everyone."""
    return models.Q(status=Status.CLAIMED, claimed_until__lte=now)


def claimable_q(now: datetime, *, by: Any) -> models.Q:
    """What the doctor `by` may claim at `now`, of what their queue reaches: a question waiting
    in the queue, one whose claim has run out, or one they hold already (claiming renews it)."""
    return (
        models.Q(status=Status.QUEUED)
        | expired_claim_q(now)
        | models.Q(status=Status.CLAIMED, claimed_by=by)
    )


class QuestionQuerySet(models.QuerySet["Question"]):
    def public(self, *, with_answer: bool = False) -> QuestionQuerySet:
        """The public Q&As (`public_q`): what anyone may read."""
        return self.filter(public_q(with_answer=with_answer))

    def live_claims(self, *, now: datetime, by: Any = None) -> QuestionQuerySet:
        """The questions under a live claim at `now` (`live_claim_q`), of `by` when given."""
        return self.filter(live_claim_q(now, by=by))


class Question(MaskedText):
    MASKED_FIELDS: ClassVar[dict[str, str]] = {
        "title": "public_title",
        "body": "public_body",
        "medicines": "public_medicines",
    }

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text="Empty for questions imported from an archive.",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    asking_for = models.CharField(max_length=8, choices=AskingFor.choices, default=AskingFor.SELF)
    age_band = models.CharField(
        max_length=8, blank=True, help_text="Of the person the question is about, when asked."
    )
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, blank=True)
    duration = models.CharField(max_length=20, choices=Duration.choices, blank=True)
    medicines = models.TextField(max_length=2000, blank=True)
    public_title = models.TextField(
        blank=True, editable=False, help_text="The title as the public reads it."
    )
    public_body = models.TextField(
        blank=True, editable=False, help_text="The text as the public reads it."
    )
    public_medicines = models.TextField(blank=True, editable=False)
    specialty = models.ForeignKey(
        Specialty,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="Where the question is filed: chosen by the patient or suggested by triage.",
    )
    is_private = models.BooleanField(
        default=False, help_text="Private questions are never shown to other patients."
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_questions",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it first entered the queue: waiting time counts from here.",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "is_hidden", "is_private", "-created_at"]),
            models.Index(
                fields=["status", "-priority", "queued_at"], name="forum_question_queue_idx"
            ),
            # The public lists, newest answered first (forum/listing.py): a page is read from
            # a position in one of these, whatever its depth, and counts stop at 1,001 rows.
            # `status` leads although the condition fixes it: SQLite's planner otherwise takes
            # the queue's index for `status = 'answered'` and sorts every answered row.
            models.Index(
                fields=["status", "-answered_at", "-id"],
                condition=PUBLIC_LISTED,
                name="forum_question_public_idx",
            ),
            models.Index(
                fields=["specialty", "-answered_at", "-id"],
                condition=PUBLIC_LISTED,
                name="forum_question_public_spec_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_hidden=False) | ~models.Q(hidden_reason=""),
                name="forum_question_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        # Lists link twenty questions a page: the route is resolved once per script prefix.
        head, tail = _detail_url(get_script_prefix())
        return f"{head}{self.pk}{tail}"

    @property
    def is_public(self) -> bool:
        """Whether this is a public Q&A (`public_q`): answered, not private, not hidden, and
        its answer not hidden by a moderator. Reads the answer (select it with the question)."""
        if self.status != Status.ANSWERED or self.is_hidden or self.is_private:
            return False
        try:
            return not self.answer.is_hidden
        except Question.answer.RelatedObjectDoesNotExist:
            return True

    def has_live_claim(self, *, now: datetime, by: Any = None) -> bool:
        """Whether the question is under a live claim at `now` (`live_claim_q`), held by the
        user `by` when given."""
        live = (
            self.status == Status.CLAIMED
            and self.claimed_until is not None
            and self.claimed_until > now
        )
        return live and (by is None or self.claimed_by_id == by.pk)

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @property
    def public_body_html(self) -> str:
        return render_markdown(markdown_safe(self.public_body))


_SOME_ID = 987654321


@functools.lru_cache(maxsize=16)
def _detail_url(prefix: str) -> tuple[str, str]:
    """The question page's URL around its id, for this script prefix."""
    head, _, tail = reverse("forum:question-detail", kwargs={"pk": _SOME_ID}).partition(
        str(_SOME_ID)
    )
    return head, tail


class Answer(MaskedText):
    MASKED_FIELDS: ClassVar[dict[str, str]] = {"body": "public_body"}

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    doctor_name = models.CharField(
        max_length=120, blank=True, help_text="For imported answers with no account here."
    )
    specialty = models.ForeignKey(
        Specialty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=20000)
    public_body = models.TextField(
        blank=True, editable=False, help_text="The answer as the public reads it."
    )
    created_at = models.DateTimeField()
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_hidden=False) | ~models.Q(hidden_reason=""),
                name="forum_answer_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @property
    def public_body_html(self) -> str:
        return render_markdown(markdown_safe(self.public_body))


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "followup", "Follow-up"
    INFO_REQUEST = "info_request", "Doctor asks for more information"
    INFO_REPLY = "info_reply", "Patient's reply with more information"


class FollowUp(MaskedText):
    """A message in a question's thread: a request for information and its reply, or a
    follow-up under the answer."""

    MASKED_FIELDS: ClassVar[dict[str, str]] = {"body": "public_body"}

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(
        max_length=14, choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups"
    )
    body = models.TextField(max_length=5000)
    public_body = models.TextField(
        blank=True, editable=False, help_text="The message as the public reads it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Follow-up {self.pk} on {self.question_id}"

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @property
    def public_body_html(self) -> str:
        return render_markdown(markdown_safe(self.public_body))


class AuditEvent(models.Model):
    """Who did what to whom, and why: verifications, hides, restores, triage corrections."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class AssessmentSource(models.TextChoices):
    ENGINE = "engine", "Triage engine"
    RETRIAGE = "retriage", "Re-triage"
    DOCTOR = "doctor", "Doctor's correction"


class Assessment(models.Model):
    """One triage of a question. Rows are only ever added: the newest is the one in force."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="assessments")
    source = models.CharField(max_length=10, choices=AssessmentSource.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    specialty = models.CharField(max_length=40, blank=True)
    result = models.JSONField(help_text="The engine's full result (docs/DESIGN.md contract).")
    text = models.TextField(help_text="The text that was assessed; evidence offsets point into it.")
    engine_version = models.CharField(max_length=40)
    kb_version = models.CharField(max_length=40, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source="doctor") | ~models.Q(reason=""),
                name="forum_assessment_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} ({self.source}) for question {self.question_id}"


class NotificationKind(models.TextChoices):
    ANSWERED = "answered", "Your question was answered"
    INFO_REQUESTED = "info_requested", "A doctor needs more information"
    FOLLOW_UP = "followup", "New follow-up"
    NEW_URGENT = "new_urgent", "New urgent question"
    NEW_EMERGENCY = "new_emergency", "New emergency question"
    INFO_RECEIVED = "info_received", "The patient replied"
    UNCOVERED = "uncovered", "No verified doctor covers an urgent question"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set once the e-mail went out, so a retried task sends none.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


from forum.similarity.models import SimilarityEntry  # noqa: E402, F401
