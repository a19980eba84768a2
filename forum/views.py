"""Forum pages. Each view parses input, calls one selector or service, and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import user_can_act_as_doctor, user_can_moderate
from forum import selectors, services
from forum.forms import AnswerForm, AskForm, FollowUpForm, SearchForm
from forum.models import Specialty, Status


def question_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = specialty = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        specialty = form.cleaned_data["specialty"]
    questions = selectors.public_question_list(specialty=specialty, query=query)
    page = Paginator(questions, settings.QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/question_list.html",
        {
            "page": page,
            "query": query,
            "specialty": specialty,
            "specialties": Specialty.objects.all(),
        },
    )


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    answer = selectors.visible_answer(question, user=request.user)
    is_author = request.user.is_authenticated and question.author_id == request.user.pk
    can_answer = (
        answer is None
        and user_can_act_as_doctor(request.user)
        and question.status != Status.ANSWERED
        and not question.is_hidden
    )
    can_follow_up = answer is not None and (
        is_author or (answer.doctor_id == request.user.pk and user_can_act_as_doctor(request.user))
    )
    return render(
        request,
        "forum/question_detail.html",
        {
            "question": question,
            "answer": answer,
            "followups": question.followups.all(),
            "similar": selectors.similar_questions(question=question),
            "is_author": is_author,
            "can_answer": can_answer,
            "answer_form": AnswerForm() if can_answer else None,
            "followup_form": FollowUpForm() if can_follow_up else None,
            "is_moderator": user_can_moderate(request.user),
        },
    )


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            question = services.question_create(
                author=user,  # type: ignore[arg-type]
                title=data["title"],
                body=data["body"],
                asking_for=data["asking_for"],
                age_years=data["age_years"],
                sex=data["sex"],
                duration=data["duration"],
                medicines=data["medicines"],
                specialty=data["specialty"],
                is_private=data["is_private"],
            )
            messages.success(request, "Your question has been posted.")
            return redirect(question)
    else:
        initial = {}
        if getattr(user, "birth_year", None):
            from django.utils import timezone

            initial["age_years"] = timezone.now().year - user.birth_year  # type: ignore[union-attr,operator]
        if getattr(user, "sex", ""):
            initial["sex"] = user.sex  # type: ignore[union-attr]
        form = AskForm(initial=initial)
    return render(request, "forum/question_form.html", {"form": form})


@login_required
def my_questions(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.questions_of_author(user=request.user), settings.QUESTIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "forum/my_questions.html", {"page": page})


@login_required
@require_POST
def answer_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    if not user_can_act_as_doctor(request.user):
        raise PermissionDenied("Only verified doctors can answer.")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_create(
                doctor=request.user,  # type: ignore[arg-type]
                question=question,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Your answer is published.")
        return redirect(question)
    return render(
        request,
        "forum/answer_form.html",
        {"question": question, "form": form},
        status=400,
    )


@login_required
@require_POST
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.question_get_for_user(user=request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a follow-up of at least two characters.")
        return redirect(question)
    try:
        services.followup_create(
            author=request.user,  # type: ignore[arg-type]
            question=question,
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Follow-up added.")
    return redirect(question)
