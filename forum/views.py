"""Forum pages. Each view parses input, calls one selector or service, and renders."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import logged_in_user, user_can_act_as_doctor, user_can_moderate
from forum import listing, selectors, services, specialty_list
from forum.asking import hidden_before_posting
from forum.emergency import advice_for
from forum.forms import (
    AnswerForm,
    AskForm,
    CorrectTriageForm,
    FollowUpForm,
    InfoReplyForm,
    InfoRequestForm,
    MarkReadForm,
    RerouteForm,
    SearchForm,
)
from forum.models import AskingFor, Question
from forum.notifications import notifications_mark_read
from forum.permissions import can_answer, can_follow_up, can_reply_to_info_request, is_asker
from forum.triage_adapter import highlight_spans


def question_list(request: HttpRequest) -> HttpResponse:
    """Answered questions, newest first, or the search results: `older` / `newer` links walk
    the list at any depth; search results and old links are numbered (`page`)."""
    form = SearchForm(request.GET)
    query = specialty = ""
    search_error = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        specialty = form.cleaned_data["specialty"]
    else:
        # A search that cannot be run (a NUL character, too long, an unknown specialty) finds
        # nothing and says why; it never reaches the database.
        query = str(request.GET.get("q", "")).replace("\x00", "")[:200]
        search_error = "Search with a few words (at most 200 characters) and a listed specialty."
    params = request.GET
    page = listing.QuestionPage(questions=[], count=0, count_exact=True)
    if not search_error:
        try:
            page = selectors.public_question_page(
                per_page=settings.QUESTIONS_PER_PAGE,
                specialty=specialty,
                query=query,
                older=params.get("older", ""),
                newer=params.get("newer", ""),
                page=_page_number(params.get("page", "")),
                count_kept=True,
            )
        except listing.ListInputError as exc:
            raise Http404(exc.message) from None
    keep = {"q": query, "specialty": specialty}
    return render(
        request,
        "forum/question_list.html",
        {
            "page": page,
            "query": query,
            "search_error": search_error,
            "specialty": specialty,
            "specialties": specialty_list.specialties(),
            "search_errors": form.errors,
            "older_url": _list_url(keep, page.older),
            "newer_url": _list_url(keep, page.newer),
        },
    )


def _page_number(raw: str) -> int | None:
    """A numbered page from an old link or an app: a whole number from 1; anything else is
    the first page."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else None


def _list_url(keep: dict[str, str], link: dict[str, str] | None) -> str:
    if link is None:
        return ""
    return "?" + urlencode({**{k: v for k, v in keep.items() if v}, **link})


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    return question_page(request, question)


def question_page(
    request: HttpRequest, question: Question, *, refused: forms.Form | None = None
) -> HttpResponse:
    """The question's page. With `refused`, a posted form that did not validate: the page is a
    400 and shows that form as it was sent, with its field messages, in place of the empty one."""
    user = request.user
    answer = selectors.visible_answer(question, user=user)
    is_author = is_asker(user, question)
    is_doctor = user_can_act_as_doctor(user)
    # The assessment in force, the same one the API sends (a doctor's correction outranks the
    # engine's findings); the asker of a question not triaged yet gets the advice at once.
    triage_result = selectors.triage_for_viewer(question, user=user)
    emergency = advice_for(triage_result)
    follows_up = answer is not None and can_follow_up(user, question, answer)
    holds_claim = can_answer(user, question, now=timezone.now())
    original = selectors.sees_original(user=user, question=question)
    context: dict[str, Any] = {
        "question": question,
        # The asker, doctors and moderators read what was typed; everyone else the public
        # copies, with e-mail addresses, phone numbers, addresses and names masked.
        "original": original,
        "hidden_parts": question.hidden_parts() if original else [],
        "answer": answer,
        "followups": question.followups.all(),
        # an emergency is offered nothing to read: the page says to get help now
        "similar": [] if emergency else selectors.similar_questions(question=question),
        "is_author": is_author,
        "triage": triage_result,
        "is_emergency": emergency is not None,
        "emergency": emergency,
        "reach": selectors.emergency_reach(question) if emergency and is_author else "",
        "followup_form": FollowUpForm() if follows_up else None,
        "info_reply_form": (InfoReplyForm() if can_reply_to_info_request(user, question) else None),
        "is_moderator": user_can_moderate(user),
        "is_doctor": is_doctor,
    }
    forms_in_page = {
        "followup_form": FollowUpForm,
        "info_reply_form": InfoReplyForm,
        "answer_form": AnswerForm,
        "info_form": InfoRequestForm,
        "reroute_form": RerouteForm,
        "correct_form": CorrectTriageForm,
    }
    if is_doctor:
        doctor = logged_in_user(request)
        reroute_refusal = services.question_steer_refusal(
            doctor=doctor, question=question, correcting=False
        )
        correct_refusal = services.question_steer_refusal(
            doctor=doctor, question=question, correcting=True
        )
        # The words behind the engine's findings, even after a doctor corrected the urgency.
        findings = selectors.latest_engine_assessment(question)
        context.update(
            {
                "assessment": selectors.latest_assessment(question),
                "findings": findings,
                "highlighted": (
                    highlight_spans(findings.text, findings.result) if findings else []
                ),
                "holds_claim": holds_claim,
                "answer_form": AnswerForm() if holds_claim else None,
                "info_form": InfoRequestForm() if holds_claim else None,
                # Offered only when the service would accept them (it checks again).
                "reroute_form": RerouteForm() if not reroute_refusal else None,
                "reroute_refusal": reroute_refusal,
                "correct_form": (
                    CorrectTriageForm(initial={"urgency": question.urgency or "routine"})
                    if not correct_refusal
                    else None
                ),
            }
        )
    if refused is not None:
        shown = [
            name
            for name, form_class in forms_in_page.items()
            if isinstance(refused, form_class) and context.get(name) is not None
        ]
        for name in shown:
            context[name] = refused
        if not shown:  # not a form this page offers the caller: its messages, at the top
            for errors in refused.errors.values():
                messages.error(request, " ".join(str(error) for error in errors))
        return render(request, "forum/question_detail.html", context, status=400)
    return render(request, "forum/question_detail.html", context)


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    user = logged_in_user(request)
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            question = services.question_create(
                author=user,
                title=data["title"],
                body=data["body"],
                asking_for=data.get("asking_for") or AskingFor.SELF,
                age_years=data.get("age_years"),
                sex=data.get("sex") or "",
                duration=data.get("duration") or "",
                medicines=data.get("medicines") or "",
                specialty=data.get("specialty"),
                is_private=bool(data.get("is_private")),
            )
            if not form.emergency:
                # An emergency lands on a page that leads with what to do now, not with this.
                messages.success(request, "Your question has been posted.")
            return redirect(question)
    else:
        initial: dict[str, object] = {}
        if user.birth_year:
            initial["age_years"] = timezone.now().year - user.birth_year
        if user.sex:
            initial["sex"] = user.sex
        form = AskForm(initial=initial)
    # A draft that reads as an emergency leads with the call-now advice, valid or not.
    emergency = advice_for(form.draft_result)
    hidden = hidden_before_posting(
        title=str(form.data.get("title", "")),
        body=str(form.data.get("body", "")),
        medicines=str(form.data.get("medicines", "")),
    )
    return render(
        request,
        "forum/question_form.html",
        {"form": form, "emergency": emergency, "hidden": hidden},
        status=400 if form.is_bound else 200,
    )


@login_required
def my_questions(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.questions_of_author(user=request.user), settings.QUESTIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "forum/my_questions.html", {"page": page})


@login_required
@require_POST
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return question_page(request, question, refused=form)
    try:
        services.followup_create(
            author=logged_in_user(request),
            question=question,
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Follow-up added.")
    return redirect(question)


@login_required
@require_POST
def info_reply(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    form = InfoReplyForm(request.POST)
    if not form.is_valid():
        return question_page(request, question, refused=form)
    try:
        services.question_reply_info(
            author=logged_in_user(request),
            question_id=question.pk,
            message=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Thank you — your question is back in the doctors' queue.")
    return redirect(question)


def _notifications_page(
    request: HttpRequest, *, form: MarkReadForm | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "forum/notifications.html", {"page": page, "form": form}, status=status)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return _notifications_page(request)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return _notifications_page(request, form=form, status=400)
    notifications_mark_read(user=logged_in_user(request), ids=form.cleaned_data["id"] or None)
    return redirect("forum:notifications")
