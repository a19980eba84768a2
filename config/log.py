"""Log lines an operator can follow: every line carries the id of the request (or Celery task)
it belongs to, and an error e-mail to the operators carries the traceback, never what people
typed.

- `RequestIdMiddleware` takes the id from the `X-Request-ID` header a proxy set (when it looks
  like an id) or makes one, and returns it in the response's `X-Request-ID`.
- `RequestIdFilter` puts it on every log record as `request_id` ("-" outside a request).
- `PrivateErrorReporter` is the report the operators' error e-mail carries (ADMINS): the
  exception and its traceback, the method, the path without its query, and the request id.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token[str]:
    """Make `value` (or a new id) the current one; returns the token to reset it with."""
    return _request_id.set(value if value and _VALID.match(value) else uuid.uuid4().hex)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bind_request_id(request.headers.get(HEADER))
        try:
            response = self.get_response(request)
            response[HEADER] = current_request_id()
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class PrivateErrorReporter(ExceptionReporter):
    """No request data (query, form fields, cookies, headers), no local variables, no settings:
    a patient's question must not travel in an operator's mailbox."""

    def get_traceback_text(self) -> SafeString:
        import traceback

        lines = [
            f"Request id: {current_request_id()}",
            f"{self.request.method} {self.request.path}" if self.request is not None else "",
            "",
        ]
        if self.exc_type is not None and self.exc_value is not None:
            lines += traceback.format_exception(self.exc_type, self.exc_value, self.tb)
        # The body of a plain-text e-mail: nothing here is read as HTML.
        return mark_safe("\n".join(line.rstrip("\n") for line in lines))  # noqa: S308

    def get_traceback_html(self) -> SafeString:
        return format_html("<pre>{}</pre>", str(self.get_traceback_text()))


def on_task_prerun(*, task_id: str, eager: bool) -> None:
    """Celery: a task's log lines carry its id. A task run in-process (no broker) belongs to the
    request that ran it and keeps its id."""
    if not eager:
        _request_id.set(f"task-{task_id}")
