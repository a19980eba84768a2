"""What the fuzz test found, pinned down as plain API tests (no live server): each is a case
where the API answered outside its schema or accepted input the schema rules out."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from forum import services
from forum.models import Status
from tests.factories import api_client, make_question

pytestmark = pytest.mark.django_db

PREVIEW = "/api/triage/preview/"


@pytest.fixture
def question(alice):
    """Alice's question, as the ask form posts it (not yet triaged)."""
    return services.question_create(
        author=alice,
        title="Calf twitching for a week",
        body="My calf has twitched for a week, mostly in the evening, no weakness.",
        age_years=30,
        sex="female",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": 0}, "body"),
        ({"body": "Headache for two days", "duration": 0}, "duration"),
        ({"body": "Headache for two days", "age_years": "30"}, "age_years"),
        ({"body": "Headache for two days", "age_years": True}, "age_years"),
    ],
)
def test_it_holds_a_json_body_to_the_schemas_types(client, payload, field):
    response = client.post(PREVIEW, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_or_multipart_body_is_a_415(alice, encoding):
    """A form carries only text: `specialty=null` would arrive as the text "null"."""
    api = api_client(alice)
    data = {"body": "Headache for two days", "specialty": "null"}
    if encoding == "urlencoded":
        response = api.post(
            PREVIEW,
            "body=Headache+for+two+days&specialty=null",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = api.post(PREVIEW, data, format="multipart")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_it_names_the_wrong_item_in_a_list(alice):
    response = api_client(alice).post(
        reverse("api:notification-read"), {"ids": [1, "2"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"ids": {"1": ["A valid integer is required."]}}


def test_a_json_false_is_not_spelt_zero(alice, question):
    url = reverse("api:question-detail", args=[question.pk])
    assert api_client(alice).patch(url, {"is_private": 0}, format="json").status_code == 400
    assert api_client(alice).patch(url, {"is_private": False}, format="json").status_code == 200


@pytest.mark.parametrize("size", ["abc", "0", "-1", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(client, size):
    response = client.get(reverse("api:question-list"), {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_large_page_size_is_cut_to_100(client):
    make_question(status=Status.ANSWERED)
    assert client.get(reverse("api:question-list"), {"page_size": "500"}).status_code == 200
    assert client.get(reverse("api:question-list"), {"page_size": ""}).status_code == 200


def test_unread_must_be_true_or_false(alice):
    url = reverse("api:notification-list")
    assert api_client(alice).get(url, {"unread": "maybe"}).status_code == 400
    for value in ("true", "false", "1", "0", ""):
        assert api_client(alice).get(url, {"unread": value}).status_code == 200


def test_the_queue_and_notifications_are_paginated_as_documented(doctor):
    for name in ("api:queue", "api:notification-list"):
        body = api_client(doctor).get(reverse(name)).json()
        assert set(body) == {"count", "next", "previous", "results"}, name


@pytest.mark.parametrize(
    ("who", "path", "method"),
    [
        (None, "/api/questions/abc/", "get"),
        (None, "/api/questions/1.5/similar/", "get"),
        ("alice", "/api/questions/null/followups/", "post"),
        ("doctor", "/api/queue/abc/claim/", "post"),
        ("moderator", "/api/moderation/posts/1/hide/", "post"),
        ("moderator", "/api/moderation/questions/abc/hide/", "post"),
    ],
)
def test_a_path_id_or_kind_that_matches_nothing_is_the_apis_json_404(request, who, path, method):
    api = api_client(request.getfixturevalue(who) if who else None)
    response = getattr(api, method)(path, {"reason": "Spam link"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_an_empty_specialty_means_none_as_the_schema_says(doctor, question):
    services.question_triage(question_id=question.pk)
    response = api_client(doctor).post(
        reverse("api:queue-correct-triage", args=[question.pk]),
        {"urgency": "soon", "specialty": "", "reason": "Weeks of twitching"},
        format="json",
    )
    assert response.status_code == 200


def _schema() -> dict:
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_every_operation_documents_its_errors():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "401" in responses, (method, path)  # a wrong token, even where none is needed
            if "{id}" in path:
                assert "404" in responses, (method, path)
            if operation.get("requestBody"):
                assert "400" in responses, (method, path)


def test_throttled_operations_document_429_with_retry_after():
    paths = _schema()["paths"]
    for path in ("/api/auth/token/", "/api/questions/", "/api/triage/preview/"):
        too_many = paths[path]["post"]["responses"]["429"]
        assert "Retry-After" in too_many["headers"], path


def test_the_similar_preview_needs_a_title_or_a_text_as_its_schema_says(client):
    operation = _schema()["paths"]["/api/similar/preview/"]["post"]
    assert operation["requestBody"]["required"] is True
    url = reverse("api:similar-preview")
    for body in ("", "{}", '{"title": "\\u200b", "body": " "}'):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
    response = client.post(url, {"title": "Calf twitching"}, content_type="application/json")
    assert response.status_code == 200


def test_every_operation_with_a_body_documents_its_415_and_takes_json_only():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            if body := operation.get("requestBody"):
                assert set(body["content"]) == {"application/json"}, (method, path)
                assert "415" in operation["responses"], (method, path)
