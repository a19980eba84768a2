from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import Question, Status

VALID = {
    "title": "Calf twitching for a month",
    "body": "For the past month my right calf twitches many times a day, mostly at rest.",
    "asking_for": "self",
    "age_years": "24",
    "sex": "female",
    "duration": "1-4 weeks",
    "medicines": "None",
    "specialty": "",
}


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("forum:question-create"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    response = client.post(reverse("forum:question-create"), VALID)
    assert response.status_code == 302
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_it_saves_a_question_in_submitted_with_an_age_band(client, alice):
    client.force_login(alice)
    response = client.post(reverse("forum:question-create"), VALID)
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()
    assert question.author == alice
    assert question.status == Status.SUBMITTED
    assert question.age_band == "20-29"
    assert question.age_years == 24


@pytest.mark.django_db
def test_it_shows_the_new_question_in_my_questions_only_for_its_author(client, alice, bob):
    client.force_login(alice)
    client.post(reverse("forum:question-create"), VALID)
    assert VALID["title"] in client.get(reverse("forum:my-questions")).content.decode()
    client.force_login(bob)
    assert VALID["title"] not in client.get(reverse("forum:my-questions")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Help", "at least 10 characters"),
        ("body", "twitch", "at least 30 characters"),
        ("body", "twitch " * 10, "a few more words"),
        ("age_years", "130", "less than or equal to 120"),
        ("age_years", "", "Give their age in years"),
        ("sex", "robot", "Select a valid choice"),
        ("specialty", "astrology", "Select a valid choice"),
        ("asking_for", "self", "pick A child"),
    ],
)
def test_it_rejects_bad_input_with_a_field_message_and_saves_nothing(
    client, alice, field, value, message
):
    client.force_login(alice)
    data = dict(VALID, **{field: value})
    if field == "asking_for":
        data["age_years"] = "6"
    response = client.post(reverse("forum:question-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_it_prefills_age_and_sex_from_the_profile(client, alice):
    client.force_login(alice)
    form = client.get(reverse("forum:question-create")).context["form"]
    assert form.initial["sex"] == "female"
    assert form.initial["age_years"] > 20


@pytest.mark.django_db
def test_it_tells_the_patient_what_to_do_in_an_emergency_on_the_ask_page(client, alice):
    client.force_login(alice)
    html = client.get(reverse("forum:question-create")).content.decode()
    assert "emergency department" in html
