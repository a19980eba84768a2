"""Stored similar Q&As: by the worker after triage and after the answer, read by the queue and by
a question's page in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Question, Status
from forum.similarity import selectors as similarity_selectors
from forum.similarity.models import SimilarLink
from forum.similarity.services import index_rebuild, similar_links_refresh
from tests.factories import make_question
from tests.forum.similarity.helpers import CALF, EYELID, RASH, answered

pytestmark = pytest.mark.django_db

ASKED = (
    "My calves keep twitching before exams",
    "For three weeks my calf muscles twitch all day. I am stressed about my exams.",
)


def _triaged(author, title: str = ASKED[0], body: str = ASKED[1], *, capture) -> Question:
    """A patient's question through the worker's path: triage, then (after commit) indexing."""
    question = make_question(author=author, status=Status.SUBMITTED, title=title, body=body)
    with capture(execute=True):
        services.question_triage(question_id=question.pk)
    question.refresh_from_db()
    return question


def _queue(client, doctor) -> tuple[list[dict], int]:
    client.force_login(doctor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("forum:queue"))
    assert response.status_code == 200
    return response.context["rows"], len(queries)


def test_triage_stores_the_most_similar_answered_qas_with_what_they_share(
    alice, django_capture_on_commit_callbacks
):
    calf, eyelid, rash = answered(*CALF), answered(*EYELID), answered(*RASH)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    assert question.status == Status.QUEUED
    links = list(SimilarLink.objects.filter(question=question))
    assert links[0].similar == calf and links[0].rank == 1
    assert "stress and anxiety" in links[0].shared
    assert [link.rank for link in links] == list(range(1, len(links) + 1))
    assert [link.score for link in links] == sorted((link.score for link in links), reverse=True)
    assert {link.similar for link in links} <= {calf, eyelid, rash}


def test_the_queue_shows_the_stored_links_without_ranking_in_the_request(
    client, alice, doctor, django_capture_on_commit_callbacks, monkeypatch
):
    calf = answered(*CALF)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)

    def no_ranking(*args, **kwargs):
        raise AssertionError("the queue page must not rank")

    monkeypatch.setattr(similarity_selectors, "_rank", no_ranking)
    rows, _ = _queue(client, doctor)
    [row] = rows
    assert row["question"] == question
    assert [item.question for item in row["similar"]] == [calf]
    assert row["similar"][0].explanation.startswith("shared: ")
    html = client.get(reverse("forum:queue")).content.decode()
    assert calf.title in html and calf.get_absolute_url() in html


@pytest.mark.parametrize("change", ["hidden", "private"])
def test_a_qa_hidden_or_made_private_since_never_shows(
    client, alice, doctor, moderator, django_capture_on_commit_callbacks, change
):
    calf, eyelid = answered(*CALF), answered(*EYELID)
    _triaged(
        alice,
        body=ASKED[1] + " My eyelid flickers after coffee too.",
        capture=django_capture_on_commit_callbacks,
    )
    assert {item.question for item in _queue(client, doctor)[0][0]["similar"]} == {calf, eyelid}
    if change == "hidden":
        services.question_hide(moderator=moderator, question=calf, reason="Spam")
    else:
        Question.objects.filter(pk=calf.pk).update(is_private=True)
    assert [item.question for item in _queue(client, doctor)[0][0]["similar"]] == [eyelid]


def test_links_stored_for_text_since_edited_are_not_shown(
    client, alice, doctor, django_capture_on_commit_callbacks
):
    answered(*CALF)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    question.body = "Actually it is a rash on my arm."
    question.save(update_fields=["body"])  # as every edit does, which writes the public copy
    assert _queue(client, doctor)[0][0]["similar"] == []
    similar_links_refresh(question_id=question.pk)
    assert _queue(client, doctor)[0][0]["similar"] != []


def test_the_askers_edit_is_triaged_again_and_gets_fresh_links(
    client, alice, doctor, django_capture_on_commit_callbacks
):
    calf, rash = answered(*CALF), answered(*RASH)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    assert _queue(client, doctor)[0][0]["similar"][0].question == calf
    with django_capture_on_commit_callbacks(execute=True):
        services.question_update(
            author=alice,
            question_id=question.pk,
            title="An itchy red rash on my arm",
            body="An itchy red rash with small bumps has spread over my forearm for a week.",
        )
    # The retriage task ran after the commit, and indexing after it: links for the new text.
    assert _queue(client, doctor)[0][0]["similar"][0].question == rash


def test_the_queue_makes_the_same_number_of_queries_for_1_and_25_rows(
    client, alice, doctor, django_capture_on_commit_callbacks
):
    answered(*CALF)
    answered(*EYELID)
    _triaged(alice, capture=django_capture_on_commit_callbacks)
    rows, one = _queue(client, doctor)
    assert len(rows) == 1 and rows[0]["similar"]
    for n in range(24):
        _triaged(
            alice,
            title=f"{ASKED[0]} ({n})",
            body=f"{ASKED[1]} Also number {n}.",
            capture=django_capture_on_commit_callbacks,
        )
    rows, many = _queue(client, doctor)
    assert len(rows) == 25
    # Every row, not only the top of the queue, lists its similar Q&As.
    assert all(row["similar"] for row in rows)
    assert many == one


def test_answering_a_question_stores_its_links_for_its_page(
    client, alice, doctor, django_capture_on_commit_callbacks, monkeypatch
):
    calf = answered(*CALF)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    before = SimilarLink.objects.get(question=question, rank=1).computed_at
    services.question_claim(doctor=doctor, question_id=question.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_create(
            doctor=doctor, question=question, body="Benign fasciculations; less caffeine."
        )
    link = SimilarLink.objects.get(question=question, rank=1)
    assert link.similar == calf and link.computed_at > before

    def no_ranking(*args, **kwargs):
        raise AssertionError("the page must read the stored links")

    monkeypatch.setattr(similarity_selectors, "_rank", no_ranking)
    client.logout()
    response = client.get(question.get_absolute_url())
    assert [item.question for item in response.context["similar"]] == [calf]


def test_storing_twice_replaces_rather_than_adds(alice, django_capture_on_commit_callbacks):
    answered(*CALF)
    answered(*EYELID)
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    before = list(SimilarLink.objects.filter(question=question).values_list("similar", "rank"))
    assert similar_links_refresh(question_id=question.pk) == len(before)
    after = list(SimilarLink.objects.filter(question=question).values_list("similar", "rank"))
    assert after == before


def test_a_question_with_nothing_similar_stores_no_links(alice, django_capture_on_commit_callbacks):
    question = _triaged(alice, capture=django_capture_on_commit_callbacks)
    assert not SimilarLink.objects.filter(question=question).exists()
    assert similar_links_refresh(question_id=question.pk + 1000) == 0


def test_rebuilding_the_index_stores_links_for_questions_already_waiting(alice, moderator):
    calf = answered(*CALF)
    waiting = make_question(author=alice, status=Status.QUEUED, title=ASKED[0], body=ASKED[1])
    hidden = make_question(status=Status.ANSWERED, title=RASH[0], body=RASH[1])
    services.question_hide(moderator=moderator, question=hidden, reason="Spam")
    closed = make_question(status=Status.CLOSED, title=EYELID[0], body=EYELID[1])
    for question in (hidden, closed):
        SimilarLink.objects.create(
            question=question,
            similar=calf,
            rank=1,
            score=0.9,
            text_hash="stale",
            computed_at=calf.created_at,
        )
    index_rebuild()
    assert SimilarLink.objects.filter(question=waiting, similar=calf, rank=1).exists()
    assert not SimilarLink.objects.filter(question__in=[hidden, closed]).exists()


def _no_ranking(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the page must read the stored links")

    monkeypatch.setattr(similarity_selectors, "_rank", refuse)


def test_a_page_without_stored_links_ranks_once_and_stores_them(client, monkeypatch):
    calf, eyelid = answered(*CALF), answered(*EYELID)
    question = answered(ASKED[0], ASKED[1])
    SimilarLink.objects.filter(question=question).delete()  # as for an imported Q&A
    first = client.get(question.get_absolute_url())
    assert [item.question for item in first.context["similar"]][:1] == [calf]
    assert SimilarLink.objects.filter(question=question, similar=calf, rank=1).exists()
    _no_ranking(monkeypatch)
    second = client.get(question.get_absolute_url())
    shown = [item.question for item in second.context["similar"]]
    assert shown == [item.question for item in first.context["similar"]]
    assert eyelid in shown or len(shown) == 1
    api = client.get(reverse("api:similar-list", args=[question.pk])).json()
    assert [row["id"] for row in api] == [q.pk for q in shown]


def test_links_older_than_a_week_are_shown_and_recomputed(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    calf = answered(*CALF)
    question = answered(ASKED[0], ASKED[1])
    old = timezone.now() - timedelta(days=8)
    SimilarLink.objects.filter(question=question).update(computed_at=old)
    # Without a broker the refresh task runs in the request, after the page has its list.
    response = client.get(question.get_absolute_url())
    assert [item.question for item in response.context["similar"]][:1] == [calf]
    assert SimilarLink.objects.get(question=question, rank=1).computed_at > old


def test_a_linked_qa_made_private_since_gives_way_and_the_links_are_recomputed(client, monkeypatch):
    calf, eyelid = answered(*CALF), answered(*EYELID)
    question = answered(ASKED[0], ASKED[1] + " My eyelid flickers after coffee too.")
    first = client.get(question.get_absolute_url())
    assert {item.question for item in first.context["similar"]} == {calf, eyelid}
    Question.objects.filter(pk=calf.pk).update(is_private=True)
    response = client.get(question.get_absolute_url())
    assert [item.question for item in response.context["similar"]] == [eyelid]
    assert not SimilarLink.objects.filter(question=question, similar=calf).exists()


def test_an_anonymous_page_reads_the_similar_qas_in_one_query_and_no_assessment(
    client, doctor, monkeypatch
):
    for pair in (CALF, EYELID, RASH):
        answered(*pair)
    question = answered(ASKED[0], ASKED[1])
    services.question_assess_archived(question_id=question.pk)
    client.get(question.get_absolute_url())  # stores the links if the worker has not
    _no_ranking(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(question.get_absolute_url())
    assert response.status_code == 200 and response.context["similar"]
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "forum_assessment" in s]
    assert not [s for s in sql if "forum_similarityentry" in s]
    assert len([s for s in sql if "forum_similarlink" in s]) == 1
    # Two queries: the question with its answer (and whether it has follow-ups: it has none),
    # its similar Q&As.
    assert len(sql) == 2, sql
    client.force_login(doctor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(question.get_absolute_url()).status_code == 200
    assert [q for q in queries.captured_queries if "forum_assessment" in q["sql"]]


def _page_queries(client, question: Question) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def _store_links(question: Question, similar: list[Question]) -> None:
    from forum.similarity.selectors import SimilarItem
    from forum.similarity.services import similar_links_save

    question.refresh_from_db()
    items = [SimilarItem(question=q, score=0.9 - n / 100) for n, q in enumerate(similar)]
    assert similar_links_save(question_id=question.pk, question=question, items=items)


def test_a_page_makes_the_same_number_of_queries_with_1_and_25_similar_links(
    client, alice, doctor, monkeypatch
):
    others = [make_question(status=Status.ANSWERED, answered_by=doctor) for _ in range(25)]
    question = answered(ASKED[0], ASKED[1])
    _no_ranking(monkeypatch)
    for viewer in (None, alice, doctor):
        if viewer is not None:
            client.force_login(viewer)
        _store_links(question, others[:1])
        one = _page_queries(client, question)
        _store_links(question, others)
        assert _page_queries(client, question) == one, viewer


def test_a_page_makes_the_same_number_of_queries_with_1_and_25_followups(
    client, alice, doctor, monkeypatch
):
    from tests.factories import make_followup

    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    _store_links(question, [make_question(status=Status.ANSWERED) for _ in range(3)])
    _no_ranking(monkeypatch)
    make_followup(question=question, author=alice)
    counts = {}
    for viewer in (None, alice, doctor):
        if viewer is not None:
            client.force_login(viewer)
        counts[viewer] = _page_queries(client, question)
    for i in range(24):
        make_followup(question=question, author=doctor if i % 2 else alice)
    client.logout()
    for viewer in (None, alice, doctor):
        if viewer is not None:
            client.force_login(viewer)
        assert _page_queries(client, question) == counts[viewer], viewer


def test_the_page_of_a_qa_with_personal_details_reads_its_stored_links(client, monkeypatch):
    """Links are stored for the public copy; a page whose typed text differs from it (an
    e-mail address masked) reads them rather than ranking again and rewriting them."""
    calf = answered(*CALF)
    answered(*EYELID)
    question = answered(ASKED[0], ASKED[1] + " Write to me at anna.k@example.com please.")
    assert question.public_body != question.body
    first = client.get(question.get_absolute_url())
    assert {item.question for item in first.context["similar"]} >= {calf}
    stored = list(SimilarLink.objects.filter(question=question).values_list("pk", flat=True))
    assert stored
    _no_ranking(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(question.get_absolute_url())
    assert [item.question for item in again.context["similar"]] == [
        item.question for item in first.context["similar"]
    ]
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("DELETE", "INSERT"))]
    assert (
        list(SimilarLink.objects.filter(question=question).values_list("pk", flat=True)) == stored
    )
