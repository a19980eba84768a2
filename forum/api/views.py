"""Read endpoints for specialties and questions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from forum import selectors
from forum.api.serializers import QuestionListSerializer, QuestionSerializer, SpecialtySerializer
from forum.models import Question, Specialty


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class SpecialtyList(generics.ListAPIView[Specialty]):
    """The fixed specialty list (slugs are a stable contract)."""

    permission_classes = [AllowAny]
    serializer_class = SpecialtySerializer
    queryset = Specialty.objects.order_by("name")
    pagination_class = None


@extend_schema(
    parameters=[
        OpenApiParameter("specialty", OpenApiTypes.STR, description="a specialty slug"),
        OpenApiParameter("q", OpenApiTypes.STR, description="words in the title or text"),
    ]
)
class QuestionList(generics.ListAPIView[Question]):
    """Public questions: answered by a doctor, not private, not hidden. Newest answers first."""

    permission_classes = [AllowAny]
    serializer_class = QuestionListSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Question]:
        params = self.request.query_params
        return selectors.public_question_list(
            specialty=params.get("specialty", "")[:40], query=params.get("q", "")[:200]
        )


class QuestionDetail(generics.RetrieveAPIView[Question]):
    """One question with its answer and follow-ups. A question you may not see is a 404."""

    permission_classes = [AllowAny]
    serializer_class = QuestionSerializer

    def get_object(self) -> Question:
        return selectors.question_get_for_user(user=self.request.user, pk=int(self.kwargs["pk"]))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "request": self.request}
