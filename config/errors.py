"""The site's own 403, 404 and 500 pages, in its layout with a way back (config/urls.py's
handlers, whatever DEBUG says). The 500 page is rendered without the request's context
processors: whatever failed (the database, say) must not fail the error page too. The templates
live in templates/errors/, not where Django's own handlers would pick them up for a URLconf
without the site's pages (whose links the layout needs)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse

from accounts.access import AccessRefused

log = logging.getLogger(__name__)

# The 500 page if even the template fails: no layout, no static file, no database.
BARE_500 = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Server error</title>"
    "<h1>Something went wrong on our side</h1><p>Please try again in a moment. "
    '<a href="/">Back to the answered questions</a>.</p>'
)


def _ways_on(exception: Exception) -> list[tuple[str, str]]:
    ways = getattr(exception, "ways_on", ()) if isinstance(exception, AccessRefused) else ()
    links = []
    for label, name in ways:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return links


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the reason the page is refused (the PermissionDenied's message, written by the
    site) and the ways on it names."""
    reason = str(exception) if exception.args and str(exception) else ""
    return HttpResponse(
        loader.render_to_string(
            "errors/403.html", {"reason": reason, "ways_on": _ways_on(exception)}, request
        ),
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404, never with the exception's text (it may name what was looked up)."""
    return HttpResponse(loader.render_to_string("errors/404.html", {}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CRISIS_LINE": settings.CRISIS_LINE,
    }
    try:
        body: str = loader.render_to_string("errors/500.html", context)
    except Exception:  # the layout itself failed (a missing static manifest, say)
        log.exception("The 500 page could not be rendered; the bare one was sent")
        body = BARE_500
    return HttpResponse(body, status=500)
