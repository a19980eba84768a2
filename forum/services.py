"""Writes on the forum. Each function is one use case; views, tasks and commands call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone

import triage
from accounts.access import user_can_act_as_doctor
from accounts.models import User
from accounts.selectors import (
    doctors_for_specialty,
    doctors_on_call,
    moderators,
    specialty_is_covered,
)
from forum.asking import Draft, ask_errors, assess_draft, reads_as_emergency
from forum.enqueue import enqueue
from forum.models import (
    PRIORITY,
    Answer,
    AskingFor,
    Assessment,
    AssessmentSource,
    AuditEvent,
    FollowUp,
    FollowUpKind,
    NotificationKind,
    Question,
    Specialty,
    Status,
    Urgency,
    claimable_q,
    expired_claim_q,
)
from forum.notifications import notify
from forum.permissions import can_follow_up, is_asker
from forum.similarity import unindex_question
from forum.triage_adapter import assess_question, question_text


class ConflictCode(TextChoices):
    """Why a queue action was refused, for programs (the API's 409 carries it); the messages
    say it for people."""

    CLAIMED_BY_OTHER = "claimed_by_other", "another doctor holds a live claim on the question"
    CLAIM_EXPIRED = (
        "claim_expired",
        "you hold no live claim on the question (it ran out, or you never claimed it)",
    )
    CLAIM_LIMIT = "claim_limit", "you hold as many claims as a doctor may"
    NOT_IN_QUEUE = "not_in_queue", "the question is not in your queue to claim"
    NOT_CLAIMED = "not_claimed", "you hold no claim on the question to give back"
    CONFLICT = "conflict", "the question is not in a state that allows this"


class QueueError(ValidationError):
    """A queue action that cannot happen now (claimed by someone else, limit reached, …);
    `code` says which."""

    def __init__(self, message: str, *, code: ConflictCode = ConflictCode.CONFLICT) -> None:
        super().__init__(message, code=code.value)


def _without_claim(question_id: int, *, doctor: User, now: datetime) -> ConflictCode:
    """Why an action that needed this doctor's live claim found none."""
    other = Question.objects.live_claims(now=now).filter(pk=question_id).exclude(claimed_by=doctor)
    return ConflictCode.CLAIMED_BY_OTHER if other.exists() else ConflictCode.CLAIM_EXPIRED


def _index_after_commit(question_id: int) -> None:
    """Refresh the question's similarity entry once the change is committed: an answered
    question shows up in others' similar lists within seconds, a restored one comes back."""
    transaction.on_commit(
        lambda: enqueue("forum.similarity.tasks.similarity_index_question", question_id)
    )


def _require_doctor(user: User) -> None:
    if not user_can_act_as_doctor(user):
        raise PermissionDenied("Only verified doctors with two-factor authentication can do this.")


def age_band(age_years: int | None) -> str:
    """'20-29' for 24; '90+' from 90. Public pages show it as '20~29'."""
    if age_years is None:
        return ""
    if age_years >= 90:
        return "90+"
    low = (age_years // 10) * 10
    return f"{low}-{low + 9}"


@dataclass(frozen=True)
class AskCheck:
    """A draft read by the ask rules: the engine's reading of it (None for no text), whether
    it reads as an emergency, and field → message for each rule it breaks."""

    result: dict[str, Any] | None
    emergency: bool
    errors: dict[str, str]


def question_ask_check(draft: Draft) -> AskCheck:
    """The ask rules (forum/asking.py) on a draft: the one validation path of a question's
    text, which the ask form, the API's ask and its edits (`question_edit_errors`) go through. A
    draft that reads as an emergency needs only some text. Reads only (runs the engine)."""
    result = assess_draft(draft)
    emergency = reads_as_emergency(result)
    return AskCheck(
        result=result, emergency=emergency, errors=ask_errors(draft, emergency=emergency)
    )


def question_create(
    *,
    author: User,
    title: str,
    body: str,
    age_years: int | None,
    sex: str,
    asking_for: str = AskingFor.SELF,
    duration: str = "",
    medicines: str = "",
    specialty: Specialty | None = None,
    is_private: bool = False,
) -> Question:
    """Save a new question in `submitted`. The age band is fixed at asking time. The caller has
    checked the draft with `question_ask_check` (the form and the API do, before this)."""
    with transaction.atomic():
        question = Question.objects.create(
            author=author,
            title=title.strip(),
            body=body.strip(),
            asking_for=asking_for,
            age_years=age_years,
            age_band=age_band(age_years),
            sex=sex,
            duration=duration,
            medicines=medicines.strip(),
            specialty=specialty,
            is_private=is_private,
            status=Status.SUBMITTED,
            created_at=timezone.now(),
        )
        question_id = question.pk
        transaction.on_commit(lambda: enqueue_triage(question_id))
    return question


def enqueue_triage(question_id: int) -> bool:
    """Hand the question to a worker. Never raises: with the broker down or frozen the question
    stays `submitted` and the sweeper re-enqueues it later. Returns whether it was enqueued."""
    return enqueue("forum.tasks.triage_question", question_id)


def enqueue_retriage(question_id: int) -> bool:
    """Hand an edited question to a worker to be triaged again; never raises (`enqueue`)."""
    return enqueue("forum.tasks.retriage_question", question_id)


def answer_create(*, doctor: User, question: Question, body: str) -> Answer:
    """Publish the doctor's answer. Needs a live claim by this doctor on the question.

    The claim is checked and consumed by one conditional update, so an expired or stolen claim
    can never publish. Side effects: the patient is notified (in-app and by e-mail).
    """
    _require_doctor(doctor)
    if not body.strip():
        raise ValidationError({"body": "Write an answer."})
    now = timezone.now()
    with transaction.atomic():
        won = (
            Question.objects.live_claims(now=now, by=doctor)
            .filter(pk=question.pk, is_hidden=False)
            .update(status=Status.ANSWERED, answered_at=now, claimed_until=None)
        )
        if not won:
            raise QueueError(
                "Claim the question before answering (your claim may have expired).",
                code=_without_claim(question.pk, doctor=doctor, now=now),
            )
        locked = Question.objects.get(pk=question.pk)
        profile = doctor.doctor_profile
        specialty = locked.specialty
        if specialty is None or not profile.specialties.filter(pk=specialty.pk).exists():
            specialty = profile.specialties.order_by("name").first()
        answer = Answer.objects.create(
            question=locked, doctor=doctor, specialty=specialty, body=body.strip(), created_at=now
        )
        _index_after_commit(locked.pk)
        if locked.author is not None:
            notify(
                users=[locked.author],
                kind=NotificationKind.ANSWERED,
                question=locked,
                message=f"{profile.display_name} answered “{locked.title}”.",
            )
    question.refresh_from_db()
    return answer


def followup_create(*, author: User, question: Question, body: str) -> FollowUp:
    """The asker, or the doctor who answered, adds to the thread under the answer."""
    answer = Answer.objects.filter(question=question).first()
    if not can_follow_up(author, question, answer):
        raise PermissionDenied("Only the asker and the answering doctor can follow up.")
    if answer is None:
        raise QueueError("Follow-ups open once a doctor has answered.")
    if not body.strip():
        raise ValidationError({"body": "Write a message."})
    with transaction.atomic():
        followup = FollowUp.objects.create(question=question, author=author, body=body.strip())
        other = answer.doctor if is_asker(author, question) else question.author
        if other is not None:
            notify(
                users=[other],
                kind=NotificationKind.FOLLOW_UP,
                question=question,
                message=f"New follow-up on “{question.title}”.",
            )
    return followup


def _set_hidden(*, moderator: User, obj: Any, hidden: bool, reason: str, target_type: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason."})
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(
            is_hidden=hidden, hidden_reason=reason if hidden else ""
        )
        if isinstance(obj, Question) and hidden:
            # Gone from every similar list at once, not after the next refresh.
            unindex_question(obj.pk)
        elif isinstance(obj, Question | Answer):
            # Its entry follows `Question.is_public` (a hidden answer makes the Q&A not public;
            # the lists check the answer's row meanwhile).
            _index_after_commit(obj.pk if isinstance(obj, Question) else obj.question_id)
        AuditEvent.objects.create(
            actor=moderator,
            action=f"{target_type}_{'hidden' if hidden else 'restored'}",
            target_type=target_type,
            target_id=obj.pk,
            reason=reason,
        )
    obj.refresh_from_db()


def question_hide(*, moderator: User, question: Question, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=question, hidden=True, reason=reason, target_type="question"
    )


def question_restore(*, moderator: User, question: Question, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=question, hidden=False, reason=reason, target_type="question"
    )


def answer_hide(*, moderator: User, answer: Answer, reason: str) -> None:
    _set_hidden(moderator=moderator, obj=answer, hidden=True, reason=reason, target_type="answer")


def answer_restore(*, moderator: User, answer: Answer, reason: str) -> None:
    _set_hidden(moderator=moderator, obj=answer, hidden=False, reason=reason, target_type="answer")


def followup_hide(*, moderator: User, followup: FollowUp, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=followup, hidden=True, reason=reason, target_type="followup"
    )


def followup_restore(*, moderator: User, followup: FollowUp, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=followup, hidden=False, reason=reason, target_type="followup"
    )


# --- Triage -----------------------------------------------------------------------------------


def question_triage(*, question_id: int) -> Assessment | None:
    """Triage a `submitted` question, store the assessment and queue it with its priority.

    Idempotent: a question that has left `submitted` is not touched again, so a redelivered task
    changes nothing. Side effects: doctors of the specialty (and moderators, for an emergency)
    are alerted about urgent and emergency questions.
    """
    with transaction.atomic():
        question = (
            Question.objects.select_for_update().filter(pk=question_id).select_related().first()
        )
        if question is None or question.status != Status.SUBMITTED:
            return None
        result = assess_question(question)
        data = result.to_dict()
        assessment = Assessment.objects.create(
            question=question,
            source=AssessmentSource.ENGINE,
            urgency=result.urgency,
            specialty=result.specialty,
            result=data,
            text=question_text(question),
            engine_version=result.engine_version,
            kb_version=result.kb_version,
        )
        if question.specialty_id is None:
            question.specialty = Specialty.objects.filter(slug=result.specialty).first()
        now = timezone.now()
        question.urgency = result.urgency
        question.priority = PRIORITY[result.urgency]
        question.status = Status.QUEUED
        question.queued_at = question.queued_at or now
        question.save(
            update_fields=["specialty", "urgency", "priority", "status", "queued_at", "updated_at"]
        )
        _alert_doctors(question)
        # Its vector is ready before anyone opens the page (the page never runs the model).
        _index_after_commit(question.pk)
    return assessment


def _alert_doctors(question: Question) -> None:
    """Every emergency and urgent question reaches a doctor: the verified doctors of its
    specialty and of the on-call specialties are alerted, moderators too for an emergency or a
    post the engine could not read, and moderators get an "uncovered" alert when no verified
    doctor of the specialty or on call would see it."""
    if question.urgency not in (Urgency.EMERGENCY, Urgency.URGENT):
        return
    emergency = question.urgency == Urgency.EMERGENCY
    kind = NotificationKind.NEW_EMERGENCY if emergency else NotificationKind.NEW_URGENT
    label = "Emergency" if emergency else "Urgent"
    doctors = {*doctors_for_specialty(question.specialty_id), *doctors_on_call()}
    covered = specialty_is_covered(question.specialty_id) or bool(doctors)
    users = set(doctors)
    if emergency or question_needs_a_person(question):
        users |= set(moderators())
    notify(
        users=users,
        kind=kind,
        question=question,
        message=f"{label} question waiting: “{question.title}”.",
    )
    if not covered:
        notify(
            users=moderators(),
            kind=NotificationKind.UNCOVERED,
            question=question,
            message=(
                f"No verified doctor covers this {label.lower()} question yet: “{question.title}”. "
                "It is listed in every doctor's queue; please find someone to take it."
            ),
        )


def question_needs_a_person(question: Question) -> bool:
    """The engine could not read the post (another language, no words): a person must."""
    latest = question.assessments.order_by("-created_at", "-id").first()
    return bool(
        latest and any(f.get("code") == "not_assessed" for f in latest.result.get("flags", []))
    )


def question_retriage(*, question_id: int) -> Assessment | None:
    """Re-run the engine on a question already triaged; adds an assessment, keeps the history."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None:
            return None
        if question.status == Status.SUBMITTED:
            return question_triage(question_id=question_id)
        result = assess_question(question)
        assessment = Assessment.objects.create(
            question=question,
            source=AssessmentSource.RETRIAGE,
            urgency=result.urgency,
            specialty=result.specialty,
            result=result.to_dict(),
            text=question_text(question),
            engine_version=result.engine_version,
            kb_version=result.kb_version,
        )
        if not question.assessments.filter(source=AssessmentSource.DOCTOR).exists():
            # A doctor's correction outranks the engine: re-triage never overrides it.
            question.urgency = result.urgency
            question.priority = PRIORITY[result.urgency]
            question.save(update_fields=["urgency", "priority", "updated_at"])
        if question.status in (Status.QUEUED, Status.CLAIMED, Status.NEEDS_INFO):
            # An edited question gets a fresh vector and fresh similar links for the queue.
            _index_after_commit(question.pk)
    return assessment


def questions_sweep_submitted(*, older_than_seconds: int | None = None) -> int:
    """Re-enqueue questions left `submitted` (the broker was down when they were posted)."""
    age = (
        older_than_seconds if older_than_seconds is not None else settings.QUEUE_SWEEP_AFTER_SECONDS
    )
    cutoff = timezone.now() - timedelta(seconds=age)
    ids = list(
        Question.objects.filter(status=Status.SUBMITTED, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    return sum(1 for pk in ids if enqueue_triage(pk))


# --- The doctor's queue -------------------------------------------------------------------------


def question_claim(*, doctor: User, question_id: int) -> Question:
    """Claim a queued question (or one whose claim expired) for this doctor.

    Exactly one of two doctors claiming at once wins: the claim is a single conditional UPDATE.
    The doctor's own row is locked so one doctor cannot race past the claim limit either.
    """
    _require_doctor(doctor)
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=doctor.pk).first()
        held = Question.objects.live_claims(now=now, by=doctor).exclude(pk=question_id)
        if held.count() >= settings.QUEUE_MAX_CLAIMS:
            raise QueueError(
                f"You already hold {settings.QUEUE_MAX_CLAIMS} claims: "
                "answer or release one first.",
                code=ConflictCode.CLAIM_LIMIT,
            )
        specialties = doctor.doctor_profile.specialties.values("pk")
        won = (
            Question.objects.filter(pk=question_id, is_hidden=False, specialty__in=specialties)
            .filter(claimable_q(now, by=doctor))
            .update(
                status=Status.CLAIMED,
                claimed_by=doctor,
                claimed_until=now + timedelta(minutes=settings.QUEUE_CLAIM_MINUTES),
            )
        )
        if not won:
            why = _without_claim(question_id, doctor=doctor, now=now)
            raise QueueError(
                "Another doctor has claimed this question, or it is not in your queue.",
                code=why if why == ConflictCode.CLAIMED_BY_OTHER else ConflictCode.NOT_IN_QUEUE,
            )
    return Question.objects.get(pk=question_id)


def question_release(*, doctor: User, question_id: int) -> None:
    """Give a claimed question back to the queue."""
    _require_doctor(doctor)
    released = Question.objects.filter(
        pk=question_id, status=Status.CLAIMED, claimed_by=doctor
    ).update(status=Status.QUEUED, claimed_by=None, claimed_until=None)
    if not released:
        raise QueueError("You do not hold a claim on this question.", code=ConflictCode.NOT_CLAIMED)


def claims_release_expired() -> int:
    """Put questions whose claim has run out back in the queue (run by beat)."""
    return Question.objects.filter(expired_claim_q(timezone.now())).update(
        status=Status.QUEUED, claimed_by=None, claimed_until=None
    )


def doctor_claims_release(*, doctor_id: int) -> int:
    """Let go at once of every question a doctor is holding, for when they can no longer work
    on it: their account is being deleted or deactivated, their verification is withdrawn,
    their role changed or two-factor turned off. Their live claims go back to the queue; a
    question waiting on the patient's reply to them keeps waiting, and the reply then puts it
    back in the queue for every doctor. Returns how many questions were let go."""
    with transaction.atomic():
        claimed = Question.objects.filter(claimed_by_id=doctor_id, status=Status.CLAIMED).update(
            status=Status.QUEUED, claimed_by=None, claimed_until=None
        )
        waiting = Question.objects.filter(claimed_by_id=doctor_id).update(
            claimed_by=None, claimed_until=None
        )
    return claimed + waiting


def doctor_claims_release_if_powerless(*, user_id: int) -> int:
    """Release the user's claims (`doctor_claims_release`) unless they are still a verified,
    active doctor with two-factor. Cheap when they hold nothing: one query."""
    if not Question.objects.filter(claimed_by_id=user_id).exists():
        return 0
    user = User.objects.select_related("doctor_profile").filter(pk=user_id).first()
    if user is not None and user_can_act_as_doctor(user):
        return 0
    return doctor_claims_release(doctor_id=user_id)


def question_request_info(*, doctor: User, question_id: int, message: str) -> FollowUp:
    """Ask the patient for more information: `needs_info` until they reply. Needs a live claim."""
    _require_doctor(doctor)
    if not message.strip():
        raise ValidationError({"message": "Write what you need to know."})
    now = timezone.now()
    with transaction.atomic():
        won = (
            Question.objects.live_claims(now=now, by=doctor)
            .filter(pk=question_id)
            .update(status=Status.NEEDS_INFO, claimed_until=None)
        )
        if not won:
            raise QueueError(
                "Claim the question first (your claim may have expired).",
                code=_without_claim(question_id, doctor=doctor, now=now),
            )
        question = Question.objects.get(pk=question_id)
        followup = FollowUp.objects.create(
            question=question, author=doctor, kind=FollowUpKind.INFO_REQUEST, body=message.strip()
        )
        if question.author is not None:
            notify(
                users=[question.author],
                kind=NotificationKind.INFO_REQUESTED,
                question=question,
                message=f"A doctor needs more information about “{question.title}”.",
            )
    return followup


def question_reply_info(*, author: User, question_id: int, message: str) -> FollowUp:
    """The patient answers the doctor's request; the question goes back into the queue."""
    if not message.strip():
        raise ValidationError({"body": "Write your reply."})
    with transaction.atomic():
        back = Question.objects.filter(
            pk=question_id, author=author, status=Status.NEEDS_INFO
        ).update(status=Status.QUEUED)
        if not back:
            raise QueueError("This question is not waiting for your reply.")
        question = Question.objects.get(pk=question_id)
        followup = FollowUp.objects.create(
            question=question, author=author, kind=FollowUpKind.INFO_REPLY, body=message.strip()
        )
        if question.claimed_by is not None:
            notify(
                users=[question.claimed_by],
                kind=NotificationKind.INFO_RECEIVED,
                question=question,
                message=f"The patient replied on “{question.title}”.",
            )
    return followup


STEERABLE = (Status.QUEUED, Status.CLAIMED, Status.NEEDS_INFO)
CORRECTABLE = (Status.SUBMITTED, *STEERABLE)


def question_holder_id(question: Question, *, now: datetime | None = None) -> int | None:
    """The doctor a question is with, if any: the holder of a live claim, or the doctor whose
    request for more information is waiting on the patient's reply."""
    now = now or timezone.now()
    if question.status == Status.CLAIMED:
        return question.claimed_by_id if question.has_live_claim(now=now) else None
    if question.status == Status.NEEDS_INFO:
        return question.claimed_by_id
    return None


def question_steer_refusal(*, doctor: User, question: Question, correcting: bool) -> str:
    """Why this doctor may not re-route the question (`correcting=False`) or correct its
    triage (`correcting=True`) now; empty when they may. The pages use it to offer the forms,
    the services to refuse."""
    allowed = CORRECTABLE if correcting else STEERABLE
    if question.status not in allowed:
        if question.status in (Status.ANSWERED, Status.CLOSED):
            return (
                "This question has been answered: its triage can no longer be corrected."
                if correcting
                else "This question has been answered: it can no longer be re-routed."
            )
        return "Only questions waiting in the queue can be re-routed."
    holder = question_holder_id(question)
    if holder is not None and holder != doctor.pk:
        if question.status == Status.NEEDS_INFO:
            return (
                "Another doctor is waiting on the patient's reply to this question: "
                "only they can change it."
            )
        return "Another doctor holds this question: only they can change it."
    return ""


def question_reroute(*, doctor: User, question_id: int, specialty: Specialty, reason: str) -> None:
    """Send a question to another specialty's queue, with a reason (audited).

    Only a question waiting in the queue, one this doctor holds, or one waiting on the
    patient's reply to this doctor's request can be re-routed; another doctor's live claim or
    request is theirs (QueueError). Side effects: this doctor's claim is released; a question
    waiting on the patient stays waiting and stays with the doctor who asked, so the patient's
    reply still reaches them; doctors are alerted to an urgent question in its new queue.
    """
    _require_doctor(doctor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it belongs elsewhere."})
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question_id)
        refusal = question_steer_refusal(doctor=doctor, question=question, correcting=False)
        if refusal:
            raise QueueError(refusal)
        previous = question.specialty
        question.specialty = specialty
        if question.status != Status.NEEDS_INFO:
            # A claim (live or run out) goes; so does the doctor a past reply was sent to.
            question.status = Status.QUEUED
            question.claimed_by = None
        question.claimed_until = None
        question.save(
            update_fields=["specialty", "status", "claimed_by", "claimed_until", "updated_at"]
        )
        AuditEvent.objects.create(
            actor=doctor,
            action="question_rerouted",
            target_type="question",
            target_id=question.pk,
            reason=f"{previous.slug if previous else '-'} → {specialty.slug}: {reason.strip()}",
        )
        _alert_doctors(question)


def assessment_correct(
    *, doctor: User, question_id: int, urgency: str, reason: str, specialty: str = ""
) -> Assessment:
    """A doctor overrides the engine's urgency (and specialty). Kept as a new, audited row.

    Refused (QueueError) once the question is answered or closed, and while another doctor
    holds it or waits on the patient's reply to them: the triage is theirs to correct then."""
    _require_doctor(doctor)
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": f"Choose one of {', '.join(Urgency.values)}."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the triage was wrong."})
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question_id)
        refusal = question_steer_refusal(doctor=doctor, question=question, correcting=True)
        if refusal:
            raise QueueError(refusal)
        latest = question.assessments.order_by("-created_at", "-id").first()
        data = corrected_result(latest.result if latest else {}, urgency=urgency)
        if specialty:
            data["specialty"] = specialty
        assessment = Assessment.objects.create(
            question=question,
            source=AssessmentSource.DOCTOR,
            urgency=urgency,
            specialty=specialty or (latest.specialty if latest else ""),
            result=data,
            text=latest.text if latest else question_text(question),
            engine_version=latest.engine_version if latest else "",
            kb_version=latest.kb_version if latest else "",
            created_by=doctor,
            reason=reason.strip(),
        )
        previous = question.urgency or "-"
        question.urgency = urgency
        question.priority = PRIORITY[urgency]
        question.save(update_fields=["urgency", "priority", "updated_at"])
        AuditEvent.objects.create(
            actor=doctor,
            action="triage_corrected",
            target_type="question",
            target_id=question.pk,
            reason=f"{previous} → {urgency}: {reason.strip()}",
        )
    return assessment


def corrected_result(engine: dict[str, Any], *, urgency: str) -> dict[str, Any]:
    """A doctor's correction as one consistent assessment: their urgency with its advice, and
    none of the engine's flags (its findings stay in the engine's row, for doctors to read)."""
    return {
        **engine,
        "urgency": urgency,
        "advice": triage.knowledge_base().advice[urgency],
        "flags": [],
        "missing_info": [],
    }


def question_assess_archived(*, question_id: int) -> Assessment | None:
    """Triage an imported, already answered Q&A so it carries the same tags as a new post.

    Idempotent: nothing is added when its newest assessment already used the current knowledge
    base, so re-importing an archive does not grow the history. The status stays `answered`.
    """
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None:
            return None
        result = assess_question(question)
        latest = question.assessments.order_by("-created_at", "-id").first()
        if (
            latest is not None
            and latest.kb_version == result.kb_version
            and latest.text == question_text(question)
        ):
            return None
        assessment = Assessment.objects.create(
            question=question,
            source=AssessmentSource.ENGINE if latest is None else AssessmentSource.RETRIAGE,
            urgency=result.urgency,
            specialty=result.specialty,
            result=result.to_dict(),
            text=question_text(question),
            engine_version=result.engine_version,
            kb_version=result.kb_version,
        )
        question.urgency = result.urgency
        question.priority = PRIORITY[result.urgency]
        question.save(update_fields=["urgency", "priority", "updated_at"])
    return assessment


EDITABLE = (Status.SUBMITTED, Status.QUEUED, Status.NEEDS_INFO)


def question_update(*, author: User, question_id: int, **fields: Any) -> Question:
    """The asker edits a question no doctor is working on; it is triaged again.

    Raises QueueError once a doctor has claimed or answered it.
    """
    allowed = {"title", "body", "duration", "medicines", "is_private"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    with transaction.atomic():
        question = (
            Question.objects.select_for_update().filter(pk=question_id, author=author).first()
        )
        if question is None:
            raise Question.DoesNotExist
        if question.status not in EDITABLE:
            raise QueueError("A doctor is working on this question; it can no longer be changed.")
        for name, value in fields.items():
            setattr(question, name, value.strip() if isinstance(value, str) else value)
        question.save(update_fields=[*fields, "updated_at"])
        if {"title", "body", "duration"} & set(fields) and question.status != Status.SUBMITTED:
            transaction.on_commit(lambda: enqueue_retriage(question_id))
    return question


def question_edit_errors(*, question: Question, fields: dict[str, Any]) -> dict[str, str]:
    """The ask rules on an edit of `question` (`question_ask_check`): field → message for each
    edited title or body that breaks them, as when it was posted. Only those fields: the intake
    an edit cannot change (age, sex) is not asked for again. The API's edit checks this before
    `question_update`. Reads only (runs the engine)."""
    edited = {"title", "body"} & set(fields)
    if not edited:
        return {}

    def text(name: str) -> str:
        value = fields.get(name, getattr(question, name))
        return value.strip() if isinstance(value, str) else str(value)

    draft = Draft(
        title=text("title"),
        body=text("body"),
        age_years=question.age_years,
        sex=question.sex,
        asking_for=question.asking_for,
        duration=text("duration"),
    )
    check = question_ask_check(draft)
    return {name: message for name, message in check.errors.items() if name in edited}


def question_moderator_edited(*, question_id: int, changed: Iterable[str]) -> None:
    """After a moderator saved changes to a question in admin (Django's admin log records
    who changed what): a changed text is triaged again, as after the asker's edit, and the
    question is indexed again so its vector, and its place in others' similar lists, follow
    the edit. One that is no longer public leaves every list at once; one set to answered
    without an answer time gets one now, so the public lists (ordered by it) show it."""
    changed = set(changed)
    if not changed & {"title", "body", "duration", "status", "is_private"}:
        return
    if "status" in changed:
        Question.objects.filter(
            pk=question_id, status=Status.ANSWERED, answered_at__isnull=True
        ).update(answered_at=timezone.now())
    question = (
        Question.objects.filter(pk=question_id)
        .select_related("answer")
        .only("pk", "status", "is_hidden", "is_private", "answer__is_hidden")
        .first()
    )
    if question is None:
        return
    if {"title", "body", "duration"} & changed and question.status != Status.SUBMITTED:
        transaction.on_commit(lambda: enqueue_retriage(question_id))
    if not question.is_public:
        unindex_question(question_id)
    _index_after_commit(question_id)


def question_delete(*, author: User, question_id: int) -> None:
    """The asker withdraws a question no doctor has claimed or answered."""
    with transaction.atomic():
        question = (
            Question.objects.select_for_update().filter(pk=question_id, author=author).first()
        )
        if question is None:
            raise Question.DoesNotExist
        if question.status not in EDITABLE:
            raise QueueError("A doctor is working on this question; it can no longer be deleted.")
        question.delete()
