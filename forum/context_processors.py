from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.access import user_can_act_as_doctor, user_can_moderate, user_needs_totp_for_powers
from forum.selectors import unread_notification_count


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CRISIS_LINE": settings.CRISIS_LINE,
        "user_is_doctor": user_can_act_as_doctor(user),
        "user_is_moderator": user_can_moderate(user),
        "user_needs_totp": user_needs_totp_for_powers(user),
        "unread_notifications": unread_notification_count(user=user),
    }
