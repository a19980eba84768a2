"""Deleting an account leaves no trace of the person: after it, a search of every table for
their identifiers and texts finds only what the site keeps on purpose (KEPT, docs/security.md)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import User
from forum.models import Answer, AuditEvent, Question, Status
from tests.accounts.everything import (
    KEPT,
    PASSWORD,
    TEXTS,
    find_traces,
    make_everything,
    unexpected,
)
from tests.factories import api_client


def _delete(how: str, everything) -> None:
    vera = everything.vera
    if how == "page":
        response = everything.clients[0].post(reverse("accounts:delete"), {"password": PASSWORD})
        assert response.status_code == 302
    else:
        response = api_client(vera).post(
            reverse("api:me-delete"), {"password": PASSWORD}, format="json"
        )
        assert response.status_code == 204
    assert not User.objects.filter(pk=vera.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["page", "api"])
def test_nothing_of_a_deleted_account_is_left_but_what_is_kept_on_purpose(alice, moderator, how):
    everything = make_everything(alice=alice, moderator=moderator)
    vera = everything.vera
    search = {"user_id": vera.pk, "needles": everything.needles, "doomed": everything.doomed}

    # The search sees everything before: each identifier and text, the account's id in each
    # link and session, the admin log and the audit events pointing at her things.
    before = find_traces(**search)
    assert {name for _, _, name in before} >= set(everything.needles)
    assert {"account id", "id of a deleted question", "id of a deleted doctorprofile"} <= {
        name for _, _, name in before
    }
    assert ("admin.logentry", "object_repr", "private title") in before
    assert ("forum.auditevent", "reason", "licence") in before
    assert any(where == "django.contrib.sessions" or "session" in name for where, _, name in before)

    _delete(how, everything)

    after = find_traces(**search)
    assert unexpected(after) == set()
    # What is kept is there, and only there.
    assert {(where, column) for where, column, _ in after} == set(KEPT)


@pytest.mark.django_db
def test_the_staffs_record_stays_without_saying_whose(alice, moderator):
    everything = make_everything(alice=alice, moderator=moderator)
    logged = LogEntry.objects.filter(user=moderator).count()
    audited = AuditEvent.objects.filter(actor=moderator).count()
    _delete("page", everything)
    # The moderator still did what they did, on a kind of object, at a time...
    assert LogEntry.objects.filter(user=moderator).count() == logged
    assert AuditEvent.objects.filter(actor=moderator).count() == audited
    # ...about a deleted account's data, with no name, id or reason left.
    for entry in LogEntry.objects.filter(user=moderator):
        assert entry.object_id is None and entry.change_message == ""
        assert entry.object_repr == "(deleted with an account)"
    for event in AuditEvent.objects.filter(actor=moderator):
        assert event.target_id == 0 and event.reason == ""


@pytest.mark.django_db
def test_every_session_of_the_account_ends_and_others_stay(alice, moderator):
    everything = make_everything(alice=alice, moderator=moderator)
    others = Session.objects.count() - 4  # Vera: two devices, a half log-in, a reset stash
    _delete("api", everything)
    assert Session.objects.count() == others >= 1
    for client in everything.clients:
        assert client.get(reverse("forum:my-questions")).status_code == 302  # logged out


@pytest.mark.django_db
def test_the_doctor_goes_but_what_patients_rely_on_stays(alice, moderator):
    everything = make_everything(alice=alice, moderator=moderator)
    _delete("page", everything)
    answer = Answer.objects.get(question=everything.answered_for_alice)
    assert answer.doctor is None and answer.doctor_name == "Dr. Vera Quillfeather"
    assert answer.body == TEXTS["answer given"]
    held = Question.objects.get(pk=everything.held_for_alice.pk)
    assert held.status == Status.QUEUED and held.claimed_by is None


@pytest.mark.django_db
def test_deleting_creates_no_content_types(alice, moderator):
    from django.contrib.contenttypes.models import ContentType

    everything = make_everything(alice=alice, moderator=moderator)
    before = ContentType.objects.count()
    _delete("api", everything)
    assert ContentType.objects.count() == before
