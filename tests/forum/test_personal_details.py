"""Personal details a patient typed (e-mail address, phone number, address, names) never go
public: the question page, the API, the site search, the similar lists and their index read
the masked copies; the asker, doctors and moderators read the original, and the asker is told
what is hidden, before posting and on the question's page. See also tests/forum/privacy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from forum import services
from forum.models import Answer, FollowUp, Question, Status
from forum.similarity import index_question, lexical
from forum.similarity.models import SimilarityEntry
from forum.similarity.text import document_text, text_hash
from tests.factories import api_client, make_followup, make_question

EMAIL = "priya.sharma84@example.com"
PHONE = "07700 900 461"
TITLE = "Calf twitching for weeks - Priya"
BODY = (
    f"I'm Priya, 34. My left calf has twitched for three weeks, mostly at night. "
    f"Please e-mail me at {EMAIL} or call {PHONE}. I live at 14 Elm Street, Leeds LS6 2AB."
)
SECRETS = (EMAIL, PHONE, "Priya", "14 Elm Street")


def _answered(author, **fields):
    return make_question(author=author, status=Status.ANSWERED, title=TITLE, body=BODY, **fields)


def _page(client, question) -> str:
    return client.get(reverse("forum:question-detail", args=[question.pk])).content.decode()


@pytest.mark.django_db
def test_the_public_copy_is_written_on_save_and_kept_in_step_with_edits(alice):
    question = make_question(author=alice, title=TITLE, body=BODY, medicines=f"text {PHONE}")
    assert question.title == TITLE and question.body == BODY  # the original is kept as typed
    assert question.public_title == "Calf twitching for weeks - [name]"
    assert question.public_body == (
        "I'm [name], 34. My left calf has twitched for three weeks, mostly at night. Please "
        "e-mail me at [e-mail address] or call [phone number]. I live at [address]."
    )
    assert question.public_medicines == "text [phone number]"
    assert {d["kind"] for d in question.personal_details} == {"name", "email", "phone", "address"}

    services.question_update(author=alice, question_id=question.pk, body="Now it is my arm.")
    question.refresh_from_db()
    assert question.public_body == "Now it is my arm."
    assert [d["field"] for d in question.personal_details] == ["title", "medicines"]
    # A save of other fields leaves the copies alone (and costs no detection).
    Question.objects.filter(pk=question.pk).update(public_title="stale on purpose")
    question.refresh_from_db()
    question.save(update_fields=["status"])
    question.refresh_from_db()
    assert question.public_title == "stale on purpose"


@pytest.mark.django_db
def test_the_public_page_shows_the_masked_text_and_the_asker_the_original(client, alice, bob):
    question = _answered(alice)
    make_followup(question=question, author=alice, body=f"Thanks! Text me on {PHONE}")
    public = _page(client, question)
    for secret in SECRETS:
        assert secret not in public
    assert "[e-mail address]" in public and "[phone number]" in public and "[name]" in public
    assert "Hidden from the public" not in public

    client.force_login(bob)  # another patient is the public too
    assert EMAIL not in _page(client, question)

    client.force_login(alice)
    own = _page(client, question)
    assert EMAIL in own and PHONE in own and "Priya" in own
    notice = own.split('id="hidden-from-public"', 1)[1].split("</div>", 1)[0]
    assert f"“{EMAIL}” (an e-mail address)" in notice
    assert f"“{PHONE}” (a phone number)" in notice
    assert "“Priya” (a name)" in notice
    assert "Hidden from the public in this message: a phone number" in own


@pytest.mark.django_db
def test_doctors_and_moderators_read_the_original(client, alice, doctor, moderator):
    question = _answered(alice)
    for reader in (doctor, moderator):
        client.force_login(reader)
        page = _page(client, question)
        assert EMAIL in page and PHONE in page
        assert "Hidden from the public" in page


@pytest.mark.django_db
def test_an_answer_and_follow_ups_go_public_masked(client, alice, doctor):
    question = _answered(alice, answered_by=doctor)
    answer = question.answer
    answer.body = "Dear Priya, this is benign. My clinic is on 0121 496 0765 if it spreads."
    answer.save()
    make_followup(question=question, author=alice, body=f"Thank you, I'm Priya ({EMAIL})")
    page = _page(client, question)
    assert "0121 496 0765" not in page and EMAIL not in page
    assert "Dear [name], this is benign" in page
    body = api_client().get(reverse("api:question-detail", args=[question.pk])).json()
    assert body["answer"]["body"] == (
        "Dear [name], this is benign. My clinic is on [phone number] if it spreads."
    )
    assert body["followups"][0]["body"] == "Thank you, I'm [name] ([e-mail address])"
    listed = api_client().get(reverse("api:followup-list", args=[question.pk])).json()
    assert listed[0]["body"] == "Thank you, I'm [name] ([e-mail address])"
    mine = api_client(alice).get(reverse("api:followup-list", args=[question.pk])).json()
    assert EMAIL in mine[0]["body"]


@pytest.mark.django_db
def test_the_api_sends_the_public_copies_to_everyone_but_the_asker_doctors_and_moderators(
    alice, bob, doctor, moderator
):
    question = _answered(alice)
    url = reverse("api:question-detail", args=[question.pk])
    for reader in (None, bob):
        data = api_client(reader).get(url).json()
        assert data["title"] == question.public_title
        assert data["body"] == question.public_body
        assert data["hidden_from_public"] == []
        assert not any(secret in str(data) for secret in SECRETS)
    for reader in (alice, doctor, moderator):
        data = api_client(reader).get(url).json()
        assert data["title"] == TITLE and data["body"] == BODY
        assert {"kind": "email", "label": "an e-mail address", "text": EMAIL} in data[
            "hidden_from_public"
        ]
    listed = api_client().get(reverse("api:question-list")).json()["results"]
    assert [q["title"] for q in listed] == [question.public_title]


@pytest.mark.django_db
def test_search_does_not_find_a_public_question_by_its_email_phone_or_name(client, alice):
    # Indexed, as the worker does once it is answered: the search reads the full-text index.
    question = _answered(alice, index=True)
    for query in (EMAIL, "priya.sharma84", "900 461", "Elm Street", "Priya"):
        page = client.get(reverse("forum:question-list"), {"q": query}).content.decode()
        assert question.get_absolute_url() not in page, query
        found = api_client().get(reverse("api:question-list"), {"q": query}).json()
        assert found["count"] == 0, query
    page = client.get(reverse("forum:question-list"), {"q": "calf twitched"}).content.decode()
    assert question.get_absolute_url() in page
    assert EMAIL not in page and "[e-mail address]" in page


@pytest.mark.django_db
def test_the_similarity_index_holds_only_the_public_copy(alice):
    question = _answered(alice)
    index_question(question.pk)
    entry = SimilarityEntry.objects.get(pk=question.pk)
    assert entry.is_public
    assert entry.text_hash == text_hash(document_text(question.public_title, question.public_body))
    assert lexical.search(["priya"], limit=5) == {}
    assert lexical.search(["sharma84"], limit=5) == {}
    assert question.pk in lexical.search(["calf"], limit=5)


@pytest.mark.django_db
def test_similar_lists_show_the_public_copies(client, alice, bob):
    shown = _answered(alice, index=True)
    other = make_question(
        author=bob,
        status=Status.ANSWERED,
        title="Twitching calf at night for three weeks",
        body="My calf twitches at night, for three weeks now. Is it serious?",
        index=True,
    )
    page = _page(client, other)
    assert shown.get_absolute_url() in page
    assert shown.public_title in page and TITLE not in page
    similar = api_client().get(reverse("api:similar-list", args=[other.pk])).json()
    assert [s["title"] for s in similar] == [shown.public_title]


def test_the_preview_tells_the_patient_what_will_be_hidden(client, db):
    response = client.post(
        reverse("api:triage-preview"),
        {"title": "Calf twitching", "body": BODY, "medicines": "none"},
        content_type="application/json",
    )
    data = response.json()
    assert response.status_code == 200
    assert data["privacy_notice"] == (
        "Before your question is public we will hide: an e-mail address, a phone number, an "
        "address and a name."
    )
    assert {"kind": "phone", "label": "a phone number", "text": PHONE} in data["hidden_from_public"]
    plain = client.post(
        reverse("api:triage-preview"),
        {"body": "My calf twitches at night."},
        content_type="application/json",
    ).json()
    assert plain["privacy_notice"] == "" and plain["hidden_from_public"] == []


@pytest.mark.django_db
def test_the_ask_form_lists_what_will_be_hidden_when_it_comes_back(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("forum:question-create"), {"title": "Calf", "body": f"twitching, {EMAIL}"}
    )
    html = response.content.decode()
    assert response.status_code == 400  # too short: the form comes back, with a 400
    panel = html.split('id="live-privacy"', 1)[1].split('id="live-similar"', 1)[0]
    assert "Before your question is public we will hide: an e-mail address." in panel
    assert f"“{EMAIL}” — an e-mail address" in panel
    assert 'id="live-privacy" class="live-triage live-privacy" aria-live="polite"></div>' in (
        client.get(reverse("forum:question-create")).content.decode()
    )


@pytest.mark.django_db
def test_an_emergency_with_personal_details_still_leads_with_the_emergency_advice(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("forum:question-create"),
        {
            "title": "help",
            "body": f"crushing chest pain cant breathe call {PHONE}",
            "age_years": "",
        },
    )
    if response.status_code == 302:
        response = client.get(response["Location"])
    html = response.content.decode()
    assert "Call your emergency number" in html
    assert html.index("Call your emergency number") < html.index(PHONE)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_masks_rows_posted_before_it_and_unindexes_them():
    executor = MigrationExecutor(connection)
    before = [("forum", "0009_personal_details_masked")]
    after = [("forum", "0010_mask_existing_personal_details")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldQuestion = old.get_model("forum", "Question")
    question = OldQuestion.objects.create(
        title=TITLE, body=BODY, status=Status.ANSWERED, created_at="2025-01-01T00:00:00Z"
    )
    plain = OldQuestion.objects.create(
        title="Calf twitching", body="No details here.", status=Status.ANSWERED,
        created_at="2025-01-01T00:00:00Z",
    )  # fmt: skip
    answer = old.get_model("forum", "Answer").objects.create(
        question=question, body=f"Call me on {PHONE}", created_at="2025-01-01T00:00:00Z"
    )
    old.get_model("forum", "SimilarityEntry").objects.create(
        question=question, vector=b"", model_version="m", text_hash="h",
        updated_at="2025-01-01T00:00:00Z",
    )  # fmt: skip
    lexical.upsert([(question.pk, TITLE, BODY), (plain.pk, "Calf twitching", "No details.")])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    masked = Question.objects.get(pk=question.pk)
    assert EMAIL not in masked.public_body and "[e-mail address]" in masked.public_body
    assert masked.public_title == "Calf twitching for weeks - [name]"
    assert Question.objects.get(pk=plain.pk).public_body == "No details here."
    assert Answer.objects.get(pk=answer.pk).public_body == "Call me on [phone number]"
    assert not SimilarityEntry.objects.filter(pk=question.pk).exists()
    assert question.pk not in lexical.search(["priya"], limit=5)
    assert plain.pk in lexical.search(["calf"], limit=5)
    assert FollowUp.objects.count() == 0
