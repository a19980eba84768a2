from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

URL = reverse("api:triage-preview")


def test_it_previews_an_emergency_with_evidence_and_no_causes(client, db):
    response = client.post(
        URL,
        {"body": "Crushing chest pain going into my left arm, sweating", "age_years": 60},
        content_type="application/json",
    )
    data = response.json()
    assert response.status_code == 200
    assert data["urgency"] == "emergency"
    assert "emergency" in data["advice"].lower()
    evidence = [e["text"] for f in data["flags"] for e in f["evidence"]]
    assert any("chest" in text.lower() for text in evidence)
    assert "causes" not in data


def test_it_does_not_flag_negated_weakness(client, db):
    data = client.post(
        URL,
        {"body": "My calves twitch after running. No weakness, no numbness."},
        content_type="application/json",
    ).json()
    assert data["urgency"] in {"routine", "soon"}
    assert not [f for f in data["flags"] if "weak" in f["code"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x", "age_years": 400}, "age_years"),
        ({"body": "x", "sex": "robot"}, "sex"),
        ({}, "body"),
    ],
)
def test_it_answers_bad_input_with_field_errors(client, db, payload, field):
    response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_it_requires_the_csrf_token_from_logged_in_pages(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(URL, {"body": "headache"}, content_type="application/json")
    assert response.status_code == 403


def test_it_throttles_a_flood_of_previews(client, db, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"preview": "3/min"})
    codes = [
        client.post(URL, {"body": "headache"}, content_type="application/json").status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


SIMILAR_URL = reverse("api:similar-preview")


def _suggest(client: Client, **draft: str) -> dict:
    return client.post(SIMILAR_URL, draft, content_type="application/json").json()


@pytest.mark.django_db
def test_it_suggests_answered_questions_for_a_draft_and_never_private_ones(client):
    from tests.factories import make_question

    public = make_question(
        status="answered",
        title="Calf muscles twitching at night",
        index=True,
        body="My calves twitch every night when I lie down, no weakness.",
    )
    private = make_question(
        status="answered",
        is_private=True,
        title="Calf muscles twitching in bed",
        index=True,
        body="My calves twitch every night in bed, no weakness at all.",
    )
    data = _suggest(client, title="Twitching calves", body="my calf muscles twitch at night in bed")
    ids = [r["id"] for r in data["results"]]
    assert public.pk in ids
    assert private.pk not in ids
    assert data["results"][0]["url"] == public.get_absolute_url()


def test_it_asks_for_some_text_before_suggesting(client, db):
    response = client.post(SIMILAR_URL, {"title": " "}, content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.json()


@pytest.mark.django_db
def test_an_emergency_draft_is_told_to_call_instead_of_offered_reading(client):
    from tests.factories import make_question

    chest = make_question(
        status="answered",
        title="Chest pain into my left arm",
        index=True,
        body="Crushing chest pain going into my left arm and jaw, sweating.",
    )
    calm = _suggest(client, title="Chest twinges", body="a small twinge in my chest when I stretch")
    assert calm["emergency"] is False and calm["call_now"] is None
    assert chest.pk in [r["id"] for r in calm["results"]]

    data = _suggest(
        client, title="Chest pain", body="Sudden crushing chest pain into my left arm, sweating"
    )
    assert data["results"] == []
    assert data["emergency"] is True
    assert "emergency" in data["call_now"].lower()
    assert settings.EMERGENCY_NUMBER in data["call_now"]
