"""The public lists page by page: every row exactly once, from an index, with capped counts."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import listing, selectors
from forum.models import Question, Status
from tests.factories import api_client, make_question


def _archive() -> list[int]:
    """17 public Q&As, several answered at the same instant (ties the order must break by id),
    and the questions no list may show. Returns the public ids, newest first."""
    base = timezone.now() - dt.timedelta(days=30)
    public = []
    for n in range(17):
        question = make_question(status=Status.ANSWERED, specialty="neurology")
        # 0-5 share one instant, 6-9 another: pages end in the middle of a tie.
        when = base + dt.timedelta(hours=0 if n < 6 else 1 if n < 10 else n)
        Question.objects.filter(pk=question.pk).update(answered_at=when)
        public.append(question.pk)
    make_question(status=Status.ANSWERED, is_private=True)
    make_question(status=Status.ANSWERED, is_hidden=True, hidden_reason="spam")
    make_question(status=Status.QUEUED)
    rows = Question.objects.filter(pk__in=public).order_by("-answered_at", "-id")
    return list(rows.values_list("pk", flat=True))


def _walk_web(client, start: str, key: str) -> list[list[int]]:
    pages: list[list[int]] = []
    url: str | None = start
    while url is not None:
        response = client.get(reverse("forum:question-list") + url)
        assert response.status_code == 200
        pages.append([q.pk for q in response.context["page"].questions])
        url = response.context[key] or None
        assert len(pages) < 20
    return pages


@pytest.mark.django_db
def test_walking_older_then_newer_shows_every_public_question_exactly_once(client, settings):
    settings.QUESTIONS_PER_PAGE = 4
    expected = _archive()
    pages = _walk_web(client, "", "older_url")
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [4, 4, 4, 4, 1]
    # Back from the last page: the same pages, in the same order within each.
    last = client.get(reverse("forum:question-list") + "?page=5")
    back = _walk_web(client, last.context["newer_url"], "newer_url")
    assert [pk for page in reversed(back) for pk in page] == expected[:16]


@pytest.mark.django_db
def test_the_api_list_follows_next_and_previous_links_to_every_row_once():
    expected = _archive()
    api = api_client()
    seen, url, previous = [], reverse("api:question-list") + "?page_size=3", None
    while url:
        data = api.get(url).json()
        seen += [q["id"] for q in data["results"]]
        assert data["count"] == 17 and data["count_exact"] is True
        url, previous = data["next"], data["previous"]
        assert len(seen) <= 17
    assert seen == expected
    back = []
    while previous:
        data = api.get(previous).json()
        back = [q["id"] for q in data["results"]] + back
        previous = data["previous"]
    assert back == expected[:15]  # every page before the last (of 2)


@pytest.mark.django_db
def test_a_specialty_page_walks_only_its_own_questions(settings, client):
    settings.QUESTIONS_PER_PAGE = 2
    neurology = _archive()
    skin = [make_question(status=Status.ANSWERED, specialty="dermatology").pk for _ in range(3)]
    pages = _walk_web(client, "?specialty=dermatology", "older_url")
    assert [pk for page in pages for pk in page] == skin[::-1]
    assert not set(neurology) & {pk for page in pages for pk in page}


@pytest.mark.django_db
def test_a_question_answered_between_two_pages_does_not_shift_the_next_page(client, settings):
    settings.QUESTIONS_PER_PAGE = 4
    expected = _archive()
    first = client.get(reverse("forum:question-list"))
    make_question(status=Status.ANSWERED)  # newer than everything on the first page
    second = client.get(reverse("forum:question-list") + first.context["older_url"])
    assert [q.pk for q in second.context["page"].questions] == expected[4:8]


@pytest.mark.django_db
def test_counts_stop_at_the_cap_and_say_so(client, monkeypatch, settings):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    settings.QUESTIONS_PER_PAGE = 3
    for _ in range(7):
        make_question(status=Status.ANSWERED)
    response = client.get(reverse("forum:question-list"))
    assert "More than 5 answered questions" in response.content.decode()
    data = api_client().get(reverse("api:question-list")).json()
    assert (data["count"], data["count_exact"]) == (5, False)
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.public_question_page(per_page=3)
    assert (page.count, page.count_exact) == (5, False)
    counting = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counting and all("LIMIT 6" in sql for sql in counting)


@pytest.mark.django_db
def test_an_exact_count_below_the_cap(client):
    for _ in range(3):
        make_question(status=Status.ANSWERED)
    make_question(status=Status.ANSWERED, is_private=True)
    data = api_client().get(reverse("api:question-list")).json()
    assert (data["count"], data["count_exact"]) == (3, True)


@pytest.mark.django_db
def test_positions_and_page_numbers_it_cannot_serve_are_refused_clearly(client):
    make_question(status=Status.ANSWERED)
    url = reverse("forum:question-list")
    for query in ("?older=nonsense", "?newer=1_", "?older=999999999999999999_1", "?page=51"):
        assert client.get(url + query).status_code == 404, query
    assert client.get(url + "?older=1_1&newer=1_1").status_code == 404
    api = api_client()
    listing_url = reverse("api:question-list")
    response = api.get(listing_url, {"older": "nonsense"})
    assert response.status_code == 400 and "older" in response.json()
    response = api.get(listing_url, {"page": "51"})
    assert response.status_code == 400 and "page" in response.json()
    assert api.get(listing_url, {"page": "2"}).status_code == 404  # past the end, as before
    assert api.get(listing_url, {"page": "abc"}).status_code == 404
    response = api.get(listing_url, {"q": "twitching", "older": "1_1"})
    assert response.status_code == 400 and "older" in response.json()


@pytest.mark.django_db
def test_an_answered_question_without_an_answer_time_gets_one_when_a_moderator_sets_it():
    from forum import services

    question = make_question(status=Status.QUEUED)
    Question.objects.filter(pk=question.pk).update(status=Status.ANSWERED)
    services.question_moderator_edited(question_id=question.pk, changed=["status"])
    question.refresh_from_db()
    assert question.answered_at is not None
    assert [q.pk for q in selectors.public_question_page(per_page=5).questions] == [question.pk]


def _page_sql(**kwargs: object) -> str:
    """The statement that reads the rows of a list page."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.public_question_page(per_page=20, **kwargs)
    order = 'ORDER BY "forum_question"."answered_at"'
    rows = [q["sql"] for q in ctx.captured_queries if order in q["sql"]]
    assert len(rows) == 1, ctx.captured_queries
    return rows[0]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # Test tables are tiny: a sequential scan and a sort would win on cost alone. Forbidding
        # both shows whether an index can serve the filter and the order by itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _assert_read_in_order_from(index: str, plan: str) -> None:
    assert index in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan and "disabled" not in plan.lower(), plan


@pytest.mark.django_db
def test_every_list_page_is_read_in_order_from_the_list_index():
    expected = _archive()
    deep = Question.objects.get(pk=expected[10])
    cursor = listing.cursor_encode(deep.answered_at, deep.pk)
    for kwargs in ({}, {"older": cursor}, {"newer": cursor}, {"page": 3}):
        _assert_read_in_order_from("forum_question_public_idx", _plan(_page_sql(**kwargs)))
    for kwargs in ({}, {"older": cursor}, {"newer": cursor}):
        plan = _plan(_page_sql(specialty="neurology", **kwargs))
        _assert_read_in_order_from("forum_question_public_spec_idx", plan)


@pytest.mark.django_db
def test_the_count_reads_the_list_index_and_stops():
    _archive()
    # Either partial index holds every listed row (PostgreSQL may count the smaller one).
    for kwargs, index in (
        ({}, "forum_question_public_"),
        ({"specialty": "neurology"}, "forum_question_public_spec_idx"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            selectors.public_question_page(per_page=20, **kwargs)
        (count,) = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        assert f"LIMIT {listing.COUNT_CAP + 1}" in count
        assert index in _plan(count)


def test_cursors_round_trip_to_the_microsecond():
    when = dt.datetime(2019, 11, 18, 9, 30, 1, 123456, tzinfo=dt.UTC)
    assert listing.cursor_decode(listing.cursor_encode(when, 42), field="older") == (when, 42)
    old = dt.datetime(1960, 1, 1, tzinfo=dt.UTC)
    assert listing.cursor_decode(listing.cursor_encode(old, 7), field="older") == (old, 7)
    assert urlsplit("?" + listing.cursor_encode(when, 42)).query == listing.cursor_encode(when, 42)


@pytest.mark.django_db
def test_a_list_over_the_cap_is_not_counted_again_and_still_drops_hidden_and_private_rows(
    client, monkeypatch, settings
):
    from django.core.cache import cache

    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    settings.QUESTIONS_PER_PAGE = 3
    cache.delete(listing._over_cap_key(None))
    questions = [make_question(status=Status.ANSWERED) for _ in range(8)]
    newest = sorted(questions, key=lambda q: (q.answered_at, q.pk), reverse=True)
    first = client.get(reverse("forum:question-list"))
    assert [q.pk for q in first.context["page"].questions] == [q.pk for q in newest[:3]]
    # Hidden and made private behind the services' backs (an update, no signal): the next
    # page view does not count again, and still shows neither.
    Question.objects.filter(pk=newest[0].pk).update(is_hidden=True, hidden_reason="spam")
    Question.objects.filter(pk=newest[1].pk).update(is_private=True)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(reverse("forum:question-list"))
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "More than 5 answered questions" in again.content.decode()
    shown = [q.pk for q in again.context["page"].questions]
    assert shown == [q.pk for q in newest[2:5]]
    html = again.content.decode()
    for gone in newest[:2]:
        assert gone.get_absolute_url() not in html
    api = api_client().get(reverse("api:question-list")).json()
    assert newest[0].pk not in [row["id"] for row in api["results"]]
    assert newest[1].pk not in [row["id"] for row in api["results"]]


@pytest.mark.django_db
def test_a_list_below_the_cap_is_counted_on_every_page(client):
    for _ in range(3):
        make_question(status=Status.ANSWERED)
    assert client.get(reverse("forum:question-list")).context["page"].count == 3
    make_question(status=Status.ANSWERED)
    assert client.get(reverse("forum:question-list")).context["page"].count == 4


@pytest.mark.django_db
def test_the_specialty_filter_reads_the_specialties_once_and_sees_a_change_at_once(client):
    from forum.models import Specialty

    client.get(reverse("forum:question-list"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("forum:question-list") + "?specialty=neurology")
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if 'FROM "forum_specialty"' in q["sql"]]
    neurology = Specialty.objects.get(slug="neurology")
    neurology.name = "Neurology and nerves"
    neurology.save()
    html = client.get(reverse("forum:question-list")).content.decode()
    assert '<option value="neurology">Neurology and nerves</option>' in html
    neurology.name = "Neurology"
    neurology.save()
