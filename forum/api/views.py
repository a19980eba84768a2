"""Specialties, questions and follow-ups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.access import logged_in_user
from forum import listing, selectors, services
from forum.api import examples
from forum.api.errors import ID, RETRY_AFTER, errors
from forum.api.inputs import SPECIALTY_SLUGS, query_text, text_parameter
from forum.api.serializers import (
    FollowUpCreateSerializer,
    FollowUpSerializer,
    QuestionCreateSerializer,
    QuestionListSerializer,
    QuestionSerializer,
    QuestionUpdateSerializer,
    SimilarOut,
    SpecialtySerializer,
    similar_rows,
)
from forum.emergency import call_now
from forum.models import Question, Specialty, Urgency
from forum.permissions import can_change_question, can_reply_to_info_request


class Pages(PageNumberPagination):
    """`page` from 1 (a page past the end is a 404); `page_size` from 1, cut to 100. A
    `page_size` that is not a whole number from 1 is a 400, not quietly the default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ApiValidationError(
                {"page_size": [f"A whole number from 1 (at most {self.max_page_size} are sent)."]}
            )
        return min(int(raw), self.max_page_size)

    # The list's address, for the envelope drf-spectacular wraps around a list operation's
    # example item: the first of two pages at `page_size=1`.
    example_path = "/api/questions/"

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope: dict[str, Any] = super().get_paginated_response_schema(schema)
        fields = envelope["properties"]
        fields["count"]["example"] = 2
        fields["next"]["example"] = (
            f"https://openconsult.example{self.example_path}?page=2&page_size=1"
        )
        fields["previous"]["example"] = None
        return envelope


class QuestionPages(Pages):
    """The public list's pages (forum/listing.py). `next` and `previous` are links to follow:
    without search words they carry `older` / `newer` (a position in the newest-first list, so
    any page costs what the first does); search results and `page=N` are numbered, up to page
    50. `count` stops at 1,000; `count_exact` is false when there are more."""

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "page":
                parameter["description"] = (
                    f"A page number, up to {listing.MAX_PAGE} (a 400 beyond that: follow `next`)."
                )
                parameter["schema"]["maximum"] = listing.MAX_PAGE
        position = "A position from a `next` or `previous` link (not with `q`)."
        return [
            *parameters,
            *(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": f"{text} {position}",
                    "schema": {"type": "string"},
                }
                for name, text in (
                    ("older", "The page after this position (older questions)."),
                    ("newer", "The page before this position (newer questions)."),
                )
            ),
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        fields = envelope["properties"]
        fields["count"]["description"] = (
            f"How many questions match, counted up to {listing.COUNT_CAP:,}."
        )
        fields["count_exact"] = {
            "type": "boolean",
            "example": True,
            "description": f"False when more than `count` ({listing.COUNT_CAP:,}) match.",
        }
        fields["next"]["example"] = (
            f"https://openconsult.example{self.example_path}?page_size=1&older=1749549761330112_47"
        )
        envelope["required"] = [*envelope.get("required", []), "count_exact"]
        envelope["properties"] = {
            name: fields[name] for name in ("count", "count_exact", "next", "previous", "results")
        }
        return envelope


@extend_schema_view(
    get=extend_schema(
        responses={200: SpecialtySerializer(many=True), **errors(401)},
        examples=examples.SPECIALTY_LIST,
    )
)
class SpecialtyList(generics.ListAPIView[Specialty]):
    """The fixed specialty list (slugs are a stable contract)."""

    permission_classes = [AllowAny]
    serializer_class = SpecialtySerializer
    queryset = Specialty.objects.order_by("name")
    pagination_class = None


class PostThrottle(ScopedRateThrottle):
    """Throttles only writes: reading stays free."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "specialty",
                OpenApiTypes.STR,
                enum=SPECIALTY_SLUGS,
                description="a specialty slug: only its questions",
            ),
            text_parameter(
                "q",
                "Search words: questions using every word (stemmed; the last also as the start "
                "of a longer word), the most relevant first. The first 200 characters count.",
            ),
        ],
        responses={200: QuestionListSerializer(many=True), **errors(400, 401, 404)},
        examples=examples.QUESTION_LIST,
    ),
    post=extend_schema(
        request=QuestionCreateSerializer,
        responses={201: QuestionSerializer, **errors(400, 401, 403, 429)},
        parameters=[RETRY_AFTER],
        examples=examples.QUESTION_CREATE,
    ),
)
class QuestionList(generics.ListAPIView[Question]):
    """GET: public questions (answered, not private, not hidden). POST: ask a question."""

    serializer_class = QuestionListSerializer
    pagination_class = QuestionPages
    throttle_classes = [PostThrottle]
    throttle_scope = "post"

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Question]:
        return Question.objects.none()  # the list is read page by page: see `list`

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        specialty = params.get("specialty")
        if specialty is not None and specialty not in SPECIALTY_SLUGS:
            raise ApiValidationError(
                {"specialty": ["Not a specialty slug (see /api/specialties/)."]}
            )
        raw_page = params.get("page", "")
        if raw_page and not (raw_page.isascii() and raw_page.isdigit() and int(raw_page) >= 1):
            raise NotFound("Invalid page.")
        try:
            page = selectors.public_question_page(
                per_page=QuestionPages().get_page_size(request),
                specialty=specialty or "",
                query=query_text(request, "q", max_length=200),
                older=params.get("older", ""),
                newer=params.get("newer", ""),
                page=int(raw_page) if raw_page else None,
                count_kept=True,
            )
        except listing.ListInputError as exc:
            raise ApiValidationError({exc.field: [exc.message]}) from None
        if raw_page and int(raw_page) > 1 and not page.questions:
            raise NotFound("Invalid page.")  # past the end, as before
        return Response(
            {
                "count": page.count,
                "count_exact": page.count_exact,
                "next": _page_link(request, page.older),
                "previous": _page_link(request, page.newer),
                "results": self.get_serializer(page.questions, many=True).data,
            }
        )

    def post(self, request: Request) -> Response:
        form = QuestionCreateSerializer(data=request.data)
        if not form.is_valid():
            errors: dict[str, Any] = dict(form.errors)
            if form.emergency:
                # Refused or not, an emergency is told what to do first.
                errors = {"emergency": True, "call_now": call_now(Urgency.EMERGENCY), **errors}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        question = services.question_create(author=logged_in_user(request), **form.validated_data)
        question = selectors.question_get_for_user(user=request.user, pk=question.pk)
        return Response(
            QuestionSerializer(question, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _page_link(request: Request, link: dict[str, str] | None) -> str | None:
    """The absolute URL of the request with its position parameters replaced by `link`."""
    if link is None:
        return None
    query = request.query_params.copy()
    for name in ("page", "older", "newer"):
        query.pop(name, None)
    query.update(link)
    url = request.build_absolute_uri(request.path)
    return f"{url}?{query.urlencode()}" if query else url


_ONLY_THE_ASKER = (
    "Not your question (only its asker can change it), or a session caller's "
    "write without its CSRF token."
)
_LOCKED = "A doctor has claimed or answered the question: it can no longer be changed."


@extend_schema_view(
    get=extend_schema(
        responses={200: QuestionSerializer, **errors(401, 404)},
        examples=examples.QUESTION_RETRIEVE,
    ),
    patch=extend_schema(
        request=QuestionUpdateSerializer,
        responses={
            200: QuestionSerializer,
            **errors(400, 401, 403, 404, 409, e403=_ONLY_THE_ASKER, e409=_LOCKED),
        },
        examples=examples.QUESTION_UPDATE,
    ),
    delete=extend_schema(
        responses={
            204: None,
            **errors(401, 403, 404, 409, e403=_ONLY_THE_ASKER, e409=_LOCKED),
        }
    ),
)
@extend_schema(parameters=[ID])
class QuestionDetail(generics.RetrieveAPIView[Question]):
    """One question with its answer and follow-ups; a question you may not see is a 404.
    Its asker may edit or delete it until a doctor claims it."""

    serializer_class = QuestionSerializer

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def get_object(self) -> Question:
        return selectors.question_get_for_user(user=self.request.user, pk=int(self.kwargs["pk"]))

    def _own(self) -> Question:
        question = self.get_object()
        if not can_change_question(self.request.user, question):
            # Visible but not yours (a doctor, a moderator, a public question): not editable.
            self.permission_denied(self.request, message="Only the asker can change a question.")
        return question

    def patch(self, request: Request, pk: int) -> Response:
        question = self._own()
        form = QuestionUpdateSerializer(
            data=request.data, partial=True, context={"question": question}
        )
        form.is_valid(raise_exception=True)
        services.question_update(
            author=logged_in_user(request), question_id=question.pk, **form.validated_data
        )
        return Response(self.get_serializer(self.get_object()).data)

    def delete(self, request: Request, pk: int) -> Response:
        question = self._own()
        services.question_delete(author=logged_in_user(request), question_id=question.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        responses={200: FollowUpSerializer(many=True), **errors(401, 404)},
        examples=examples.FOLLOWUP_LIST,
    ),
    post=extend_schema(
        request=FollowUpCreateSerializer,
        responses={
            201: FollowUpSerializer,
            **errors(
                400,
                401,
                403,
                404,
                409,
                e403="Only the asker and the answering doctor can follow up.",
                e409="The question has no answer yet, or is no longer waiting for your reply.",
            ),
        },
        examples=examples.FOLLOWUP_CREATE,
    ),
)
@extend_schema(parameters=[ID])
class FollowUpList(APIView):
    """The thread under a question. The asker writes follow-ups (or, when a doctor asked for
    more information, the reply); the answering doctor replies."""

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def get(self, request: Request, pk: int) -> Response:
        question = selectors.question_get_for_user(user=request.user, pk=pk)
        followups = FollowUpSerializer(
            question.followups.all(), many=True, context={"request": request}
        )
        return Response(followups.data)

    def post(self, request: Request, pk: int) -> Response:
        question = selectors.question_get_for_user(user=request.user, pk=pk)
        form = FollowUpCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = logged_in_user(request)
        body = form.validated_data["body"]
        try:
            if can_reply_to_info_request(user, question):
                followup = services.question_reply_info(
                    author=user, question_id=question.pk, message=body
                )
            else:
                followup = services.followup_create(author=user, question=question, body=body)
        except Question.DoesNotExist as exc:
            raise NotFound from exc
        return Response(
            FollowUpSerializer(followup, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[ID])
class SimilarList(APIView):
    """The public doctor-answered Q&As most like this question (never itself), each with
    what they share."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: SimilarOut(many=True), **errors(401, 404)},
        examples=examples.SIMILAR_LIST,
    )
    def get(self, request: Request, pk: int) -> Response:
        question = selectors.question_get_for_user(user=request.user, pk=pk)
        if question.urgency == Urgency.EMERGENCY:
            return Response([])  # an emergency is offered nothing to read
        items = selectors.similar_questions(question=question)
        return Response(similar_rows(items))
