"""Log lines carry the request id; JSON on request; operators get tracebacks, not what people
typed."""

from __future__ import annotations

import json
import logging

import pytest
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from tests.config.processes import manage, shell

SECRET_TEXT = "my private rash question about Dr Quillfeather"


def _boom(request: HttpRequest) -> HttpResponse:
    logging.getLogger("forum.test").warning("about to fail")
    raise RuntimeError("the view broke")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_each_request_gets_an_id_in_its_response(client):
    response = client.get("/readyz", HTTP_X_REQUEST_ID="abc12345-from-the-proxy")
    assert response["X-Request-ID"] == "abc12345-from-the-proxy"
    fresh = client.get("/healthz")
    assert len(fresh["X-Request-ID"]) == 32 and fresh["X-Request-ID"] != response["X-Request-ID"]
    # A header that does not look like an id is replaced, never logged as given.
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert odd["X-Request-ID"] != "<script>"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, ADMINS=[("Operator", "ops@example.test")])
def test_a_server_error_mails_the_operators_the_traceback_only(caplog):
    client = Client(raise_request_exception=False)
    response = client.post("/boom/?q=" + SECRET_TEXT, {"body": SECRET_TEXT}, HTTP_COOKIE="x=y")
    assert response.status_code == 500
    [message] = mail.outbox
    assert message.to == ["ops@example.test"]
    assert "RuntimeError: the view broke" in message.body
    assert f"Request id: {response['X-Request-ID']}" in message.body
    assert SECRET_TEXT not in message.body and "Quillfeather" not in message.subject
    assert not message.alternatives
    warned = [r for r in caplog.records if r.getMessage() == "about to fail"]
    assert warned and warned[0].request_id == response["X-Request-ID"]


def _log_line(fmt: str) -> str:
    result = shell(
        "import logging; logging.getLogger('forum.check').warning('question %s queued', 48)",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "OPENCONSULT_LOG_FORMAT": fmt},
    )
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stderr.splitlines() if "queued" in line)


def test_text_lines_have_time_level_logger_and_id():
    line = _log_line("text")
    assert " WARNING forum.check [-] question 48 queued" in line
    assert line[:4].isdigit()  # starts with the time


def test_json_lines_parse():
    record = json.loads(_log_line("json"))
    assert record["level"] == "WARNING"
    assert record["logger"] == "forum.check"
    assert record["request_id"] == "-"
    assert record["message"] == "question 48 queued"
    assert record["time"]


def test_a_bad_log_format_is_refused():
    result = manage(
        "check",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "OPENCONSULT_LOG_FORMAT": "xml"},
    )
    assert result.returncode != 0 and "OPENCONSULT_LOG_FORMAT" in result.stderr
