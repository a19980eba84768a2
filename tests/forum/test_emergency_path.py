"""The emergency path: nothing stands between a patient in danger and the advice to get help now.

Each test here failed on the code before the emergency path was reworked.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from forum import services
from forum.models import Notification, NotificationKind, Question, Status
from tests.factories import api_client, make_doctor, make_question

SHORT_EMERGENCY = {"title": "help", "body": "chest pain cant breathe"}
CALL_NOW = "Call your emergency number"


def _page(client, question: Question) -> str:
    return client.get(question.get_absolute_url()).content.decode()


def _banner(html: str) -> str:
    start = html.index('class="emergency-banner"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Post the ask form; the triage task runs when the post commits, as outside tests."""

    def post(data: dict[str, str]):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("forum:question-create"), data)

    return post


@pytest.mark.django_db
def test_a_short_emergency_post_is_accepted_and_lands_on_one_call_now_block(client, alice):
    client.force_login(alice)
    response = client.post(reverse("forum:question-create"), SHORT_EMERGENCY)
    question = Question.objects.get()
    assert response["Location"] == question.get_absolute_url()
    assert question.title == "help"
    assert question.age_years is None
    html = _page(client, question)
    # the advice leads the page, once, with a number to tap
    assert html.index("This may be an emergency") < html.index('id="question-title"')
    assert html.count(CALL_NOW) == 1
    assert 'href="tel:112"' in html
    # nothing to read next to an emergency
    assert "Similar Q&amp;A" not in html


@pytest.mark.django_db
def test_a_refused_emergency_post_still_leads_with_the_call_now_advice(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("forum:question-create"), {**SHORT_EMERGENCY, "specialty": "astrology"}
    )
    html = response.content.decode()
    assert response.status_code == 400  # refused, with the advice first
    assert not Question.objects.exists()
    assert "Select a valid choice" in html
    assert html.index(CALL_NOW) < html.index("Select a valid choice")
    assert 'href="tel:112"' in html


@pytest.mark.django_db
def test_the_short_lengths_still_apply_to_a_question_that_is_no_emergency(client, alice):
    client.force_login(alice)
    response = client.post(reverse("forum:question-create"), {"title": "help", "body": "itchy"})
    html = response.content.decode()
    assert not Question.objects.exists()
    assert "at least 10 characters" in html
    assert CALL_NOW not in html


@pytest.mark.django_db
def test_a_crisis_post_gets_the_crisis_line_with_a_number_to_tap(client, alice):
    client.force_login(alice)
    client.post(
        reverse("forum:question-create"),
        {"title": "cant go on", "body": "I want to kill myself tonight, I have the pills ready"},
    )
    html = _page(client, Question.objects.get())
    banner = _banner(html)
    assert "crisis line answers at any hour" in banner
    assert 'href="tel:988"' in banner
    assert banner.count("crisis line") == 2  # the sentence and the number it links
    assert banner.count("call emergency services") == 0


@pytest.mark.django_db
def test_the_landing_page_says_only_true_things_about_who_was_told(client, ask, alice, moderator):
    client.force_login(alice)
    ask(SHORT_EMERGENCY)
    question = Question.objects.get()
    html = _page(client, question)
    # no doctor of emergency medicine or on call exists: the moderators were told instead
    assert "doctors have been alerted" not in html
    assert "No doctor is available to see it at once" in html
    assert Notification.objects.filter(
        question=question, kind=NotificationKind.UNCOVERED, user=moderator
    ).exists()

    on_call = make_doctor(specialties=("emergency-medicine",))
    ask({**SHORT_EMERGENCY, "title": "help me"})
    second = Question.objects.exclude(pk=question.pk).get()
    assert "1 doctor has been alerted" in _page(client, second)
    assert Notification.objects.filter(question=second, user=on_call).exists()


@pytest.mark.django_db
def test_after_a_doctors_correction_the_patient_sees_one_consistent_assessment(
    client, alice, doctor
):
    question = make_question(
        author=alice,
        status=Status.SUBMITTED,
        title="Twitching calves for weeks",
        body="My calves have been twitching for six weeks, every day, worse after exercise.",
    )
    services.question_triage(question_id=question.pk)
    services.assessment_correct(
        doctor=doctor, question_id=question.pk, urgency="routine", reason="Benign fasciculations."
    )
    client.force_login(alice)
    html = _page(client, question)
    assert "A doctor reviewed your question" in html
    assert "What we noticed" not in html
    assert "Twitching persisting" not in html
    triage = api_client(alice).get(f"/api/questions/{question.pk}/").json()["triage"]
    assert triage["urgency"] == "routine"
    assert triage["source"] == "doctor"
    assert triage["flags"] == []
    assert "self-care" in triage["advice"]
    # the doctor still reads the engine's findings
    client.force_login(doctor)
    assert "Twitching persisting" in _page(client, question)


@pytest.mark.django_db
def test_the_api_accepts_a_short_emergency_and_leads_with_call_now(alice):
    api = api_client(alice)
    created = api.post("/api/questions/", SHORT_EMERGENCY, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["triage"]["emergency"] is True
    assert body["triage"]["call_now"].startswith("This may be an emergency")
    refused = api.post(
        "/api/questions/", {**SHORT_EMERGENCY, "specialty": "astrology"}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json())[:2] == ["emergency", "call_now"]
    assert "specialty" in refused.json()
    plain = api.post("/api/questions/", {"title": "help", "body": "itchy"}, format="json")
    assert plain.status_code == 400
    assert "call_now" not in plain.json()


@pytest.mark.django_db
def test_the_api_offers_nothing_to_read_for_an_emergency(alice, doctor):
    question = make_question(
        author=alice,
        status=Status.SUBMITTED,
        title="Chest pain",
        body="Crushing chest pain going into my left arm and I am sweating a lot",
    )
    services.question_triage(question_id=question.pk)
    question.refresh_from_db()
    assert question.urgency == "emergency"
    assert api_client(alice).get(f"/api/questions/{question.pk}/similar/").json() == []
    preview = api_client().post(
        "/api/triage/preview/", {"body": "chest pain cant breathe"}, format="json"
    )
    assert preview.json()["emergency"] is True
    assert preview.json()["call_now"]


@pytest.mark.django_db
def test_a_post_the_engine_cannot_read_reaches_a_person_quickly(client, ask, alice, moderator):
    client.force_login(alice)
    ask(
        {
            "title": "Dolor de garganta",
            "body": "Hola, tengo dolor de garganta desde hace tres días y un poco de fiebre.",
            "age_years": "30",
            "sex": "female",
            "asking_for": "self",
        }
    )
    question = Question.objects.get()
    assert question.urgency == "urgent"
    latest = question.assessments.get()
    assert "not_assessed" in {f["code"] for f in latest.result["flags"]}
    assert "Si es una emergencia" in latest.result["advice"]
    assert Notification.objects.filter(question=question, user=moderator).exists()
