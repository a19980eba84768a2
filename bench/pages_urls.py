"""URLs for `bench_pages.py`: the site's, plus the bare view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

_TINY = None


def bare(request: HttpRequest, pk: int) -> HttpResponse:
    """One indexed query (a question's title by primary key) and a one-line template."""
    global _TINY
    from forum.models import Question

    if _TINY is None:
        _TINY = engines["django"].from_string("<!DOCTYPE html><title>{{ title }}</title>")
    title = Question.objects.filter(pk=pk).values_list("title", flat=True).first()
    return HttpResponse(_TINY.render({"title": title or ""}, request))


urlpatterns = [path("bench/bare/<int:pk>/", bare), *site_urlpatterns]
