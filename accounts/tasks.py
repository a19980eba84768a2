from __future__ import annotations

from celery import shared_task

from accounts.models import DoctorProfile, DoctorStatus
from forum.emails import send_templated_email


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)  # type: ignore[untyped-decorator]
def send_doctor_decision_email(self, profile_id: int) -> None:  # type: ignore[no-untyped-def]
    """E-mail a doctor the moderator's decision on their application."""
    profile = DoctorProfile.objects.select_related("user").filter(pk=profile_id).first()
    if profile is None or profile.status == DoctorStatus.PENDING:
        return
    try:
        send_templated_email(
            template="doctor_decision",
            to=[profile.user.email],
            context={"profile": profile, "verified": profile.status == DoctorStatus.VERIFIED},
        )
    except OSError as exc:  # SMTP down: try again later rather than lose the message
        raise self.retry(exc=exc) from exc
