"""The verified doctor's review queue: list, claim, release, answer, ask for information,
re-route and correct the triage. Each action is the same service the queue pages call."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import logged_in_user, user_can_act_as_doctor, user_needs_totp_for_powers
from forum import selectors, services
from forum.api import examples
from forum.api.errors import ID, ErrorSerializer, errors
from forum.api.serializers import (
    SIMILAR_PER_ROW,
    AnswerCreateSerializer,
    CorrectTriageSerializer,
    FollowUpSerializer,
    InfoRequestSerializer,
    QuestionSerializer,
    QueueItemSerializer,
    RerouteSerializer,
    TriageSerializer,
)
from forum.api.views import Pages
from forum.models import Question
from forum.similarity import similar_stored


class IsActingDoctor(BasePermission):
    """A verified doctor with two-factor on; the same rule as the queue pages."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if user_can_act_as_doctor(request.user):
            return True
        if user_needs_totp_for_powers(request.user):
            self.message = "Set up two-factor authentication on the site to use the queue."
        else:
            self.message = "Only verified doctors can use the review queue."
        return False


NOT_A_DOCTOR = "Not a verified doctor with two-factor on (the message says which)."
# Every action on one question: no token, not a doctor, not a question this doctor may see.
ACTION_ERRORS = errors(401, 403, 404, e403=NOT_A_DOCTOR)
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Claimed by another doctor, claim expired or limit reached."
)

STEER_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Answered already, or another doctor holds it or waits on the patient's reply.",
)


class DoctorAction(APIView):
    permission_classes = [IsActingDoctor]

    def question(self, request: Request, pk: int) -> Question:
        # The access-checked selector: a question this doctor may not see is a 404.
        return selectors.question_get_for_user(user=request.user, pk=pk)

    def item(self, request: Request, pk: int) -> dict[str, Any]:
        question = selectors.queue_for_doctor(doctor=request.user).filter(
            pk=pk
        ).first() or self.question(request, pk)
        context = {"request": request, "now": timezone.now()}
        return dict(QueueItemSerializer(question, context=context).data)


class QueuePages(Pages):
    example_path = "/api/queue/"


class QueueList(DoctorAction):
    """Your specialties' waiting questions, most urgent first, then longest waiting. Questions
    another doctor holds are left out until the claim runs out."""

    pagination_class = QueuePages

    @extend_schema(
        responses={
            200: QueueItemSerializer(many=True),
            **errors(400, 401, 403, 404, e403=NOT_A_DOCTOR, e404="No such page."),
        },
        examples=examples.QUEUE_LIST,
    )
    def get(self, request: Request) -> Response:
        pages = self.pagination_class()
        rows = pages.paginate_queryset(
            selectors.queue_for_doctor(doctor=request.user), request, view=self
        )
        context = {
            "request": request,
            "now": timezone.now(),
            "similar": similar_stored(rows or [], limit=SIMILAR_PER_ROW),
        }
        return pages.get_paginated_response(
            QueueItemSerializer(rows, many=True, context=context).data
        )


@extend_schema(parameters=[ID])
class Claim(DoctorAction):
    """Claim a question: it is yours to answer until `claimed_until`. Claiming again renews it."""

    @extend_schema(
        request=None,
        responses={200: QueueItemSerializer, **ACTION_ERRORS, 409: CONFLICT},
        examples=examples.QUEUE_CLAIM,
    )
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        services.question_claim(doctor=logged_in_user(request), question_id=question.pk)
        return Response(self.item(request, pk))


@extend_schema(parameters=[ID])
class Release(DoctorAction):
    """Give your claim back to the queue."""

    @extend_schema(request=None, responses={204: None, **ACTION_ERRORS, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        services.question_release(doctor=logged_in_user(request), question_id=question.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[ID])
class AnswerCreate(DoctorAction):
    """Publish your answer to a question you hold; the patient is notified."""

    @extend_schema(
        request=AnswerCreateSerializer,
        responses={201: QuestionSerializer, **ACTION_ERRORS, **errors(400), 409: CONFLICT},
        examples=examples.QUEUE_ANSWER,
    )
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        form = AnswerCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.answer_create(
            doctor=logged_in_user(request), question=question, body=form.validated_data["body"]
        )
        fresh = self.question(request, pk)
        return Response(
            QuestionSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[ID])
class RequestInfo(DoctorAction):
    """Ask the patient for more information; the question waits for their reply."""

    @extend_schema(
        request=InfoRequestSerializer,
        responses={201: FollowUpSerializer, **ACTION_ERRORS, **errors(400), 409: CONFLICT},
        examples=examples.QUEUE_REQUEST_INFO,
    )
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        form = InfoRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        followup = services.question_request_info(
            doctor=logged_in_user(request),
            question_id=question.pk,
            message=form.validated_data["message"],
        )
        return Response(
            FollowUpSerializer(followup, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[ID])
class Reroute(DoctorAction):
    """Send a waiting question to another specialty's queue, with a reason (audited). Only the
    doctor who holds it, or waits on the patient's reply to them, may move it then."""

    @extend_schema(
        request=RerouteSerializer,
        responses={200: QueueItemSerializer, **ACTION_ERRORS, **errors(400), 409: STEER_CONFLICT},
        examples=examples.QUEUE_REROUTE,
    )
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        form = RerouteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.question_reroute(
            doctor=logged_in_user(request),
            question_id=question.pk,
            specialty=form.validated_data["specialty"],
            reason=form.validated_data["reason"],
        )
        return Response(self.item(request, pk))


@extend_schema(parameters=[ID])
class CorrectTriage(DoctorAction):
    """Override the engine's urgency (and suggested specialty), with a reason. Kept as a new,
    audited assessment; the queue order follows the new urgency. Not once answered, nor while
    another doctor holds the question or waits on the patient's reply to them (409)."""

    @extend_schema(
        request=CorrectTriageSerializer,
        responses={200: TriageSerializer, **ACTION_ERRORS, **errors(400), 409: STEER_CONFLICT},
        examples=examples.QUEUE_CORRECT_TRIAGE,
    )
    def post(self, request: Request, pk: int) -> Response:
        question = self.question(request, pk)
        form = CorrectTriageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        specialty = form.validated_data.get("specialty")
        assessment = services.assessment_correct(
            doctor=logged_in_user(request),
            question_id=question.pk,
            urgency=form.validated_data["urgency"],
            reason=form.validated_data["reason"],
            specialty=specialty.slug if specialty else "",
        )
        return Response(TriageSerializer(selectors.assessment_view(assessment)).data)
