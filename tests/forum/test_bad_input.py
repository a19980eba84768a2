"""Bad input is a 400 with a message, never a 500, on the pages and in the API; and a NUL
character never reaches the database (PostgreSQL cannot store one and fails the request).

Transactional: on PostgreSQL a failed query would spoil the rest of a test's transaction."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import DoctorProfile
from forum import services
from forum.models import Notification, NotificationKind, Question, Status
from tests.factories import api_client, make_question

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("specialties"),
]

TWENTY_DIGITS = "1" + "0" * 19


def _notification(user) -> Notification:
    return Notification.objects.create(
        user=user, kind=NotificationKind.ANSWERED, message="Your question was answered."
    )


@pytest.mark.parametrize(
    "body",
    ["[" * 50_000 + "]" * 50_000, '{"title": ' * 5_000 + "1" + "}" * 5_000, "[" * 33 + "]" * 33],
)
def test_deeply_nested_json_is_a_400(alice, body):
    api = api_client(alice)
    response = api.post(reverse("api:question-list"), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Question.objects.exists()


def test_json_nested_as_deep_as_a_body_may_go_is_read(alice):
    body = json.dumps({"ids": [1]})
    response = api_client(alice).post(
        reverse("api:notification-read"), body, content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("ids", [[int(TWENTY_DIGITS)], [2**63], [0], [-5]])
def test_an_id_no_row_can_have_is_a_400_in_the_api(alice, ids):
    note = _notification(alice)
    response = api_client(alice).post(reverse("api:notification-read"), {"ids": ids}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("value", ["²", "١", TWENTY_DIGITS, "\x00", "abc", "-1"])
def test_an_id_no_row_can_have_is_a_400_on_the_notifications_page(client, alice, value):
    note = _notification(alice)
    client.force_login(alice)
    response = client.post(reverse("forum:notifications-read"), {"id": [value]})
    assert response.status_code == 400
    assert "An id is a whole number" in response.content.decode()
    note.refresh_from_db()
    assert note.read_at is None
    # The form still marks everything read with no id, or the ids given.
    response = client.post(reverse("forum:notifications-read"), {"id": [str(note.pk)]})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "²", "\x00", "-3"])
def test_a_specialty_id_no_row_can_have_is_a_field_error_in_the_doctor_application(
    client, alice, value
):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:doctor-apply"),
        {
            "display_name": "Dr. Alice Example",
            "licence_number": "GMC-1234567",
            "issuing_authority": "General Medical Council",
            "country": "United Kingdom",
            "specialties": [value],
            "bio": "",
        },
    )
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    assert not DoctorProfile.objects.exists()


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"q": "calf\x00"}, {"specialty": "neuro\x00"}])
def test_a_nul_in_the_home_page_search_is_a_form_error_with_no_results(client, params):
    make_question(status=Status.ANSWERED, title="Calf twitching for weeks")
    response = client.get(reverse("forum:question-list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No answered questions match" in html
    assert 'class="error"' in html


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"q": "calf\x00twitch"}, {"specialty": "x\x00"}])
def test_a_nul_in_an_api_query_is_a_400(client, params):
    response = client.get(reverse("api:question-list"), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_an_unknown_specialty_in_an_api_query_is_a_400_as_the_schema_says(client):
    response = client.get(reverse("api:question-list"), {"specialty": "astrology"})
    assert response.status_code == 400
    assert client.get(reverse("api:question-list"), {"specialty": "neurology"}).status_code == 200


@pytest.fixture
def queued(alice):
    question = services.question_create(
        author=alice,
        title="Calf twitching for weeks",
        body="My calf has twitched for three weeks, mostly in the evening, with no weakness.",
        age_years=30,
        sex="female",
    )
    question.refresh_from_db()
    return question


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("api:queue-reroute", {"specialty": "neuro\x00logy", "reason": "Belongs elsewhere"}),
        ("api:queue-reroute", {"specialty": "neurology", "reason": "Belongs\x00 elsewhere"}),
        ("api:queue-correct-triage", {"urgency": "soon", "specialty": "x\x00", "reason": "Weeks"}),
        ("api:queue-request-info", {"message": "Any weakness\x00 at all?"}),
        ("api:queue-answer", {"body": "Twitching without weakness\x00 is benign."}),
    ],
)
def test_a_nul_in_a_doctors_api_action_is_a_400(doctor, queued, path, body):
    response = api_client(doctor).post(reverse(path, args=[queued.pk]), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & set(body)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("forum:reroute", {"specialty": "neuro\x00logy", "reason": "Belongs elsewhere"}),
        ("forum:correct-triage", {"urgency": "soon\x00", "reason": "Weeks of it"}),
        ("forum:request-info", {"message": "Any weakness\x00 at all?"}),
    ],
)
def test_a_nul_in_a_doctors_page_action_is_refused(client, doctor, queued, path, body):
    client.force_login(doctor)
    response = client.post(reverse(path, args=[queued.pk]), body)
    assert response.status_code in {302, 400}
    queued.refresh_from_db()
    assert queued.specialty is not None and queued.specialty.slug == "neurology"


def test_a_follow_up_before_the_answer_is_a_409_as_the_readme_says(alice, queued):
    response = api_client(alice).post(
        reverse("api:followup-list", args=[queued.pk]), {"body": "Any news?"}, format="json"
    )
    assert response.status_code == 409
    assert "answered" in response.json()["detail"]


def test_a_form_body_is_a_415_so_null_never_arrives_as_text(doctor, queued):
    response = api_client(doctor).post(
        reverse("api:queue-correct-triage", args=[queued.pk]),
        "urgency=soon&specialty=null&reason=Weeks+of+it",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


def test_birth_year_bounds_are_in_the_schema_and_held(alice):
    from accounts.forms import birth_year_bounds

    earliest, latest = birth_year_bounds()
    schema = api_client().get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["PatchedMeUpdateRequest"]["properties"]["birth_year"]
    assert (field["minimum"], field["maximum"]) == (earliest, latest)
    api = api_client(alice)
    for year, status in ((earliest - 1, 400), (latest + 1, 400), (earliest, 200), (latest, 200)):
        assert api.patch(reverse("api:me"), {"birth_year": year}, format="json").status_code == (
            status
        ), year


def test_a_refused_follow_up_is_a_400_that_keeps_what_was_typed(client, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    client.force_login(alice)
    url = reverse("forum:followup-create", args=[question.pk])
    response = client.post(url, {"body": "\u200b\u200b\u200b"})
    assert response.status_code == 400
    assert "invisible characters" in response.content.decode()
    response = client.post(url, {"body": "x" * 5001})
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 5000 characters" in html
    assert "x" * 5001 in html  # still in the text box


def test_a_doctors_refused_reroute_is_a_400_with_the_message(client, doctor, queued):
    client.force_login(doctor)
    response = client.post(
        reverse("forum:reroute", args=[queued.pk]), {"specialty": "1" * 20, "reason": "No"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "at least 5 characters" in html
