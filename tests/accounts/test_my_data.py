from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import User
from forum.models import Answer, Question, Status
from tests.factories import make_followup, make_question


@pytest.mark.django_db
def test_it_exports_everything_about_me_and_nothing_about_others(client, alice, bob):
    mine = make_question(author=alice, status=Status.ANSWERED, is_private=True, title="My one")
    make_followup(question=mine, author=alice, body="Thanks!")
    make_question(author=bob, title="Bob's question")
    client.force_login(alice)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == alice.email
    assert [q["title"] for q in data["questions"]] == ["My one"]
    assert data["questions"][0]["answer"]["body"]
    assert data["questions"][0]["followups"][0]["body"] == "Thanks!"
    assert "Bob's question" not in response.content.decode()


def test_export_and_delete_need_a_log_in(client, db):
    for name in ("accounts:export", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_deleting_needs_the_password_and_removes_my_questions(client, alice, bob):
    mine = make_question(author=alice)
    theirs = make_question(author=bob)
    client.force_login(alice)
    response = client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert "That is not your password" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    response = client.post(reverse("accounts:delete"), {"password": "a-long-test-password"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Question.objects.filter(pk=mine.pk).exists()
    assert Question.objects.filter(pk=theirs.pk).exists()
    assert client.get(reverse("forum:my-questions")).status_code == 302


@pytest.mark.django_db
def test_a_deleted_doctors_answers_stay_signed(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    name = doctor.doctor_profile.display_name
    client.force_login(doctor)
    client.post(reverse("accounts:delete"), {"password": "a-long-test-password"})
    answer = Answer.objects.get(question=question)
    assert answer.doctor is None and answer.doctor_name == name


# --- Everything the site holds ------------------------------------------------------------------


def _export_of(everything) -> tuple[dict, str]:
    from tests.factories import api_client

    api = api_client(everything.vera)  # its token is in the file too: made before either read
    client = everything.clients[0]
    page = client.get(reverse("accounts:export"))
    assert page.status_code == 200
    data = json.loads(page.content)
    # The API hands out the same file.
    assert api.get(reverse("api:me-export")).json() == data
    return data, page.content.decode()


@pytest.mark.django_db
def test_the_export_holds_every_identifier_and_text_the_site_holds(alice, moderator):
    from tests.accounts.everything import make_everything

    everything = make_everything(alice=alice, moderator=moderator)
    _, text = _export_of(everything)
    missing = [name for name, value in everything.needles.items() if value not in text]
    assert missing == []
    # Other patients' questions appear by id only: none of Alice's titles.
    assert "Alice's" not in text


@pytest.mark.django_db
def test_the_export_has_ages_addresses_two_factor_tokens_and_a_doctors_work(alice, moderator):
    from tests.accounts.everything import TEXTS, make_everything

    everything = make_everything(alice=alice, moderator=moderator)
    data, _ = _export_of(everything)
    account = data["account"]
    assert account["birth_year"] == 1979
    assert {q["age_years"] for q in data["questions"]} == {46}
    assert {e["email"]: e["primary"] for e in account["email_addresses"]} == {
        "vera.quillfeather@example.test": True,
        "vera.private@example.test": False,
    }
    assert sorted(a["type"] for a in account["two_factor"]) == ["recovery_codes", "totp"]
    # The one made with her data, and the one the export is read with through the API.
    assert len(account["api_tokens"]) == 2 and all(t["expires"] for t in account["api_tokens"])
    assert [a["body"] for a in data["answers_given"]] == [TEXTS["answer given"]]
    assert data["answers_given"][0]["question"] == everything.answered_for_alice.pk
    assert [c["reason"] for c in data["triage_corrections"]] == [TEXTS["correction reason"]]
    assert {a["action"] for a in data["actions"]} == {"triage_corrected", "question_rerouted"}
    assert everything.held_for_alice.pk in {q["question"] for q in data["questions_held"]}
    assert TEXTS["info request"] in {f["body"] for f in data["followups_written"]}
    assert data["doctor_profile"]["licence_number"] == "LIC-VQZ-7731"
    assert data["doctor_profile"]["reviewed_at"]
    private = next(q for q in data["questions"] if q["title"] == TEXTS["private title"])
    assert private["hidden"] is True and private["urgency"] == "emergency"
    assert all(n["kind"] and "question" in n for n in data["notifications"])


@pytest.mark.django_db
def test_the_export_never_holds_a_secret(alice, moderator):
    from allauth.mfa.models import Authenticator

    from accounts.models import ApiToken
    from tests.accounts.everything import make_everything

    everything = make_everything(alice=alice, moderator=moderator)
    _, text = _export_of(everything)
    vera = User.objects.get(pk=everything.vera.pk)
    secrets = [vera.password]
    for token in ApiToken.objects.filter(user=vera):
        secrets += [token.digest, token.token_key]
    for authenticator in Authenticator.objects.filter(user=vera):
        secrets += [str(v) for v in authenticator.data.values() if isinstance(v, str)]
    assert secrets and not [s for s in secrets if s in text]


def test_the_export_covers_every_link_to_an_account():
    """A new model that points at accounts must say where the export shows it (or why not)."""
    from django.apps import apps

    from accounts.services import EXPORT_COVERAGE

    links = {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is User
    }
    assert links - set(EXPORT_COVERAGE) == set(), "add these to accounts.services.EXPORT_COVERAGE"
    assert set(EXPORT_COVERAGE) - links == set(), "these links no longer exist"


@pytest.mark.django_db
def test_the_documented_example_has_the_exports_shape(alice):
    """The API's example export shows every section and field a real one has."""
    from accounts.services import user_export_data
    from forum.api.examples import EXPORT

    question = make_question(author=alice, status=Status.ANSWERED)
    make_followup(question=question, author=alice)
    real = user_export_data(user=alice)
    assert set(EXPORT) == set(real)
    assert set(EXPORT["account"]) == set(real["account"])
    assert set(EXPORT["questions"][0]) == set(real["questions"][0])
    assert set(EXPORT["questions"][0]["answer"]) == set(real["questions"][0]["answer"])
    assert set(EXPORT["followups_written"][0]) == set(real["followups_written"][0])
