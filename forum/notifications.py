"""In-app notifications and the e-mails that go with them.

`notify` is called inside the transaction that made the change; e-mails leave through a Celery
task after commit, and each notification is e-mailed at most once however often the task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from forum.emails import send_templated_email
from forum.enqueue import enqueue
from forum.models import Notification, NotificationKind, Question

# Which e-mail template goes with which kind; kinds without one are in-app only.
EMAIL_TEMPLATES = {
    NotificationKind.ANSWERED: "question_answered",
    NotificationKind.INFO_REQUESTED: "info_requested",
    NotificationKind.NEW_URGENT: "new_urgent_question",
    NotificationKind.NEW_EMERGENCY: "new_urgent_question",
    NotificationKind.UNCOVERED: "new_urgent_question",
}


def notify(*, users: Iterable[User], kind: str, question: Question | None, message: str) -> None:
    """Create a notification for each user; e-mail those whose kind has a template."""
    for user in users:
        notification = Notification.objects.create(
            user=user, kind=kind, question=question, message=message[:300]
        )
        if kind in EMAIL_TEMPLATES:
            transaction.on_commit(_email_later(notification.pk))


SEND_EMAIL_TASK = "forum.tasks.send_notification_email"


def _email_later(notification_id: int) -> Callable[[], None]:
    def enqueue_email() -> None:
        enqueue(SEND_EMAIL_TASK, notification_id)

    return enqueue_email


def notification_send_email(*, notification_id: int) -> bool:
    """Send the e-mail for one notification unless it went already. Returns whether it sent."""
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at=None).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("user", "question").get(
            pk=notification_id
        )
        # Sending inside the transaction: if delivery fails the mark rolls back and a retry sends.
        send_templated_email(
            template=EMAIL_TEMPLATES[NotificationKind(notification.kind)],
            to=[notification.user.email],
            context={"notification": notification, "question": notification.question},
        )
    return True


def notifications_resend_unsent(*, older_than_seconds: int = 60, max_age_days: int = 2) -> int:
    """Re-enqueue e-mails that never went out (the broker was down when they were due)."""
    now = timezone.now()
    ids = Notification.objects.filter(
        emailed_at=None,
        kind__in=list(EMAIL_TEMPLATES),
        created_at__lt=now - timedelta(seconds=older_than_seconds),
        created_at__gt=now - timedelta(days=max_age_days),
    ).values_list("pk", flat=True)[:1000]
    return sum(1 for pk in ids if enqueue(SEND_EMAIL_TASK, pk))


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
