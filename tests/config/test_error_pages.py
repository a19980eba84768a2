"""404 and 500 in the site's layout with a way back, with DEBUG off and under the production
settings; the strict Content-Security-Policy still holds on them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.config.processes import shell
from tests.config.test_settings import OURS, PRODUCTION

pytestmark = pytest.mark.django_db
POLICY = "default-src 'self'"


def _assert_layout(html: str) -> None:
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'href="/"' in html  # the way back to the answered questions
    assert "Not for emergencies." in html
    assert "<script" not in html and "cdn" not in html.lower()


def test_an_unknown_page_is_a_404_in_the_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_layout(html)
    assert "We could not find that page" in html
    assert POLICY in response["Content-Security-Policy"]


def test_a_private_question_is_the_same_404(client, settings, alice, bob):
    from tests.factories import make_question

    settings.DEBUG = False
    question = make_question(author=alice, is_private=True)
    client.force_login(bob)
    response = client.get(question.get_absolute_url())
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_failing_view_is_a_500_in_the_layout(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.config.boom_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    _assert_layout(html)
    assert "Something went wrong on our side" in html
    assert "a bug in a view" not in html
    assert POLICY in response["Content-Security-Policy"]


def test_the_500_page_survives_a_broken_layout(settings, monkeypatch):
    from config import errors

    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.config.boom_urls"
    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# Production settings in a process of their own; the static files are served from the source
# folders (collectstatic is a build step, not run by the tests).
PRODUCTION_ERRORS = """
import json
from django.test import Client, override_settings
plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(ROOT_URLCONF="tests.config.boom_urls", STORAGES=plain):
    client = Client(HTTP_HOST="openconsult.example", raise_request_exception=False)
    out = {}
    for path in ("/no-such-page/", "/boom/"):
        r = client.get(path, secure=True)
        out[path] = [r.status_code, r.content.decode(), r.get("Content-Security-Policy", "")]
print("RESULT" + json.dumps(out))
"""


@pytest.mark.slow
def test_production_settings_serve_the_same_pages():
    result = shell(PRODUCTION_ERRORS, env=PRODUCTION, clean=OURS)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.split("RESULT", 1)[1])
    status, html, policy = out["/no-such-page/"]
    assert status == 404 and "We could not find that page" in html and POLICY in policy
    _assert_layout(html)
    status, html, policy = out["/boom/"]
    assert status == 500 and "Something went wrong on our side" in html and POLICY in policy
    _assert_layout(html)
