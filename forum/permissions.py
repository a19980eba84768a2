"""Who may do what with a question: one `can_*` check per action, which the pages, the API
and the services all call, so an action is offered exactly where it is allowed. The roles
themselves (a verified doctor with two-factor, a moderator) are `accounts/access.py`'s; what
a request may see at all is `selectors.questions_visible_to`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.access import user_can_act_as_doctor, user_can_moderate
from forum.models import Answer, Question, Status


def is_asker(user: Any, question: Question) -> bool:
    """The user asked this question (logged in, and its author)."""
    return bool(getattr(user, "is_authenticated", False) and question.author_id == user.pk)


def can_read_in_full(user: Any, question: Question) -> bool:
    """Reads the question as typed (not the public copies with personal details masked) and
    its triage: the asker, doctors and moderators; nobody else."""
    return is_asker(user, question) or user_can_act_as_doctor(user) or user_can_moderate(user)


def can_follow_up(user: Any, question: Question, answer: Answer | None) -> bool:
    """Adds to the thread under the answer: the asker, and the doctor who answered while they
    can still act as a doctor. Follow-ups open once there is an answer."""
    if is_asker(user, question):
        return True
    return answer is not None and answer.doctor_id == user.pk and user_can_act_as_doctor(user)


def can_reply_to_info_request(user: Any, question: Question) -> bool:
    """Answers a doctor's request for more information: the asker, while it waits on them."""
    return is_asker(user, question) and question.status == Status.NEEDS_INFO


def can_change_question(user: Any, question: Question) -> bool:
    """Edits or withdraws the question: its asker (until a doctor works on it, which the
    services refuse as a conflict)."""
    return is_asker(user, question)


def can_answer(user: Any, question: Question, *, now: datetime) -> bool:
    """Answers the question, or asks its asker for more: a doctor holding a live claim on it."""
    return user_can_act_as_doctor(user) and question.has_live_claim(now=now, by=user)
