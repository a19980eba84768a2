"""The verified doctor's pages: the queue and the actions on a question."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import (
    logged_in_user,
    queue_refusal,
    user_can_act_as_doctor,
    user_needs_totp_for_powers,
)
from forum import selectors, services
from forum.forms import AnswerForm, CorrectTriageForm, InfoRequestForm, RerouteForm
from forum.models import Question, Urgency
from forum.similarity import similar_stored
from forum.triage_adapter import highlight_spans
from forum.views import question_page

View = Callable[..., HttpResponse]
SIMILAR_PER_ROW = 3  # similar answered Q&As listed under each queue row


def doctor_required(view: View) -> View:
    """Verified doctors with two-factor only; a verified doctor without it is sent to set it up."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if user_can_act_as_doctor(request.user):
            return view(request, *args, **kwargs)
        if user_needs_totp_for_powers(request.user):
            messages.warning(request, "Set up two-factor authentication to use the queue.")
            return redirect("mfa_activate_totp")
        raise queue_refusal(request.user)

    return wrapper


@doctor_required
def queue(request: HttpRequest) -> HttpResponse:
    questions = list(selectors.queue_for_doctor(doctor=request.user)[:100])
    # Stored by the worker after triage: one query for every row, no ranking in the request.
    similar = similar_stored(questions, limit=SIMILAR_PER_ROW)
    now = timezone.now()
    rows = []
    for question in questions:
        assessment = selectors.latest_assessment(question)
        rows.append(
            {
                "question": question,
                "assessment": assessment,
                "highlighted": (
                    highlight_spans(assessment.text, assessment.result) if assessment else []
                ),
                "waiting": now - (question.queued_at or question.created_at),
                "similar": [] if question.urgency == Urgency.EMERGENCY else similar[question.pk],
                "mine": question.has_live_claim(now=now, by=request.user),
            }
        )
    return render(
        request,
        "forum/queue.html",
        {"rows": rows, "claim_minutes": settings.QUEUE_CLAIM_MINUTES},
    )


def _question(request: HttpRequest, pk: int) -> Question:
    return selectors.question_get_for_user(user=request.user, pk=pk)


def _act(request: HttpRequest, question: Question, action: Callable[[], object], done: str) -> None:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@doctor_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    _act(
        request,
        question,
        lambda: services.question_claim(doctor=logged_in_user(request), question_id=question.pk),
        "Claimed: it is yours to answer until the claim expires.",
    )
    return redirect(question)


@doctor_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    _act(
        request,
        question,
        lambda: services.question_release(doctor=logged_in_user(request), question_id=question.pk),
        "Released back to the queue.",
    )
    return redirect(reverse("forum:queue"))


@doctor_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return render(
            request, "forum/answer_form.html", {"question": question, "form": form}, status=400
        )
    _act(
        request,
        question,
        lambda: services.answer_create(
            doctor=logged_in_user(request),
            question=question,
            body=form.cleaned_data["body"],
        ),
        "Your answer is published and the patient has been notified.",
    )
    return redirect(question)


@doctor_required
@require_POST
def request_info(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = InfoRequestForm(request.POST)
    if not form.is_valid():
        return question_page(request, question, refused=form)
    _act(
        request,
        question,
        lambda: services.question_request_info(
            doctor=logged_in_user(request),
            question_id=question.pk,
            message=form.cleaned_data["message"],
        ),
        "The patient has been asked for more information.",
    )
    return redirect(question)


@doctor_required
@require_POST
def reroute(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = RerouteForm(request.POST)
    if not form.is_valid():
        return question_page(request, question, refused=form)
    _act(
        request,
        question,
        lambda: services.question_reroute(
            doctor=logged_in_user(request),
            question_id=question.pk,
            specialty=form.cleaned_data["specialty"],
            reason=form.cleaned_data["reason"],
        ),
        f"Sent to {form.cleaned_data['specialty'].name}.",
    )
    return redirect(reverse("forum:queue"))


@doctor_required
@require_POST
def correct_triage(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    form = CorrectTriageForm(request.POST)
    if not form.is_valid():
        return question_page(request, question, refused=form)
    _act(
        request,
        question,
        lambda: services.assessment_correct(
            doctor=logged_in_user(request),
            question_id=question.pk,
            urgency=form.cleaned_data["urgency"],
            reason=form.cleaned_data["reason"],
        ),
        "Triage corrected; the change is kept in the question's history.",
    )
    return redirect(question)
