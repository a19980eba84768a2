"""The public lists (home page, specialty pages, `GET /api/questions/`), read page by page at a
cost that does not grow with the archive.

- **Browsing** (no search words): newest answered first, in keyset pages. A page's links carry a
  cursor, the answered time and id of its first or last row; the next page is read from there
  through the partial index `forum_question_public_idx` (`forum_question_public_spec_idx`
  for a specialty), so the thousandth page costs what the first does. Numbered pages
  (`page=N`, for old links and apps) are served up to `MAX_PAGE`; their links carry cursors.
- **Searching**: through the full-text index the similar-Q&A engine keeps of the public
  questions (`forum.similarity.lexical`: SQLite FTS5, or a tsvector with a GIN index on
  PostgreSQL), never a substring scan of the questions' text. Every word must match, stemmed
  ("twitches" finds "twitching", "ALS" never "also"); a last word of four letters or more that
  no question uses is taken as the start of longer ones ("twitc" finds "twitching"). The
  newest `SEARCH_POOL` matching questions are ranked by relevance, in numbered pages.
- **Counts** stop at `COUNT_CAP` (`SEARCH_POOL` for a search): a list knows whether it holds
  1 to 1,000 questions, or more.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, QuerySet

from forum.models import Question, QuestionQuerySet
from forum.similarity import lexical
from forum.similarity.text import GRAMMAR_WORDS

COUNT_CAP = 1000
MAX_PAGE = 50
# Matches ranked by relevance, and counted: the newest this many (scoring costs about 5 µs a
# match on SQLite, and a common word matches a fifth of the archive).
SEARCH_POOL = 300
MAX_SEARCH_WORDS = 8
PREFIX_MIN_LETTERS = 4

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR = re.compile(r"^(-?\d{1,18})_(\d{1,19})$")
_SEARCH_WORD = re.compile(r"[a-z0-9]+")


class ListInputError(ValueError):
    """A cursor or page number the list cannot serve; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class QuestionPage:
    """One page of a public list. `older` and `newer` are the query parameters of the links to
    the next older and newer page ({} for the first page; None when there is none)."""

    questions: list[Question]
    count: int
    count_exact: bool
    older: dict[str, str] | None = None
    newer: dict[str, str] | None = None
    number: int | None = None
    searched: list[str] = field(default_factory=list)

    @property
    def count_capped(self) -> bool:
        return not self.count_exact


# -- cursors ---------------------------------------------------------------------------------


def cursor_encode(answered_at: dt.datetime, pk: int) -> str:
    """'<microseconds since 1970>_<id>': the position of a row in the newest-first order."""
    micros = (answered_at - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}_{pk}"


def cursor_decode(value: str, *, field: str) -> tuple[dt.datetime, int]:
    match = _CURSOR.match(value)
    if match is None:
        raise ListInputError(field, "Not a position from a `next` or `previous` link.")
    try:
        when = _EPOCH + dt.timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        raise ListInputError(field, "Not a position from a `next` or `previous` link.") from None
    return when, int(match.group(2))


# -- browsing --------------------------------------------------------------------------------


def _listed(qs: QuestionQuerySet, specialty_id: int | None) -> QuerySet[Question]:
    """The rows of a list: public, with an answer time (every answered question has one), of
    the specialty if given. Exactly the condition of the list's partial indexes."""
    listed = qs.public().filter(answered_at__isnull=False)
    if specialty_id is not None:
        listed = listed.filter(specialty_id=specialty_id)
    return listed


def _older_than(when: dt.datetime, pk: int) -> Q:
    # answered_at <= when bounds the index range; the rest only drops the ties at `when`.
    return Q(answered_at__lte=when) & (Q(answered_at__lt=when) | Q(pk__lt=pk))


def _newer_than(when: dt.datetime, pk: int) -> Q:
    return Q(answered_at__gte=when) & (Q(answered_at__gt=when) | Q(pk__gt=pk))


def capped_count(qs: QuerySet[Question]) -> tuple[int, bool]:
    """(count, exact): the rows are counted up to COUNT_CAP + 1, through the list's index."""
    found = qs.order_by()[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found <= COUNT_CAP


# A list found to hold more than COUNT_CAP rows says "more than 1,000" for the next
# OVER_CAP_KEPT seconds without counting again (what pages show: `browse(count_kept=True)`);
# that is the only answer kept, and at that size a few seconds never change it. Lists below
# the cap are counted on every page.
OVER_CAP_KEPT = 30


def _over_cap_key(specialty_id: int | None) -> str:
    return f"forum:list-over-cap:{COUNT_CAP}:{specialty_id or 0}"


def _list_count(
    qs: QuerySet[Question], specialty_id: int | None, *, kept: bool
) -> tuple[int, bool]:
    if kept and cache.get(_over_cap_key(specialty_id)):
        return COUNT_CAP, False
    count, exact = capped_count(qs)
    if kept and not exact:
        cache.set(_over_cap_key(specialty_id), True, OVER_CAP_KEPT)
    return count, exact


def browse(
    *,
    display: QuestionQuerySet,
    specialty_id: int | None,
    per_page: int,
    older: str = "",
    newer: str = "",
    page: int | None = None,
    count_kept: bool = False,
) -> QuestionPage:
    """A page of the newest-first list: the first, the one `older`/`newer` than a cursor, or
    numbered page `page` (at most MAX_PAGE). `display` is the queryset whose relations the
    page shows (select_related); rows are filtered and ordered here. With `count_kept`, a
    count over the cap found in the last OVER_CAP_KEPT seconds is not taken again."""
    if older and newer:
        raise ListInputError("older", "Give `older` or `newer`, not both.")
    if page is not None and (page < 1 or page > MAX_PAGE):
        raise ListInputError(
            "page",
            f"Pages are numbered up to {MAX_PAGE}; follow the `next` links beyond that.",
        )
    base = _listed(Question.objects.all(), specialty_id)
    listed = _listed(display, specialty_id)
    newest_first = listed.order_by("-answered_at", "-id")
    if newer:
        when, pk = cursor_decode(newer, field="newer")
        oldest_first = listed.filter(_newer_than(when, pk)).order_by("answered_at", "id")
        found = list(oldest_first[: per_page + 1])
        has_newer = len(found) > per_page
        questions = found[:per_page][::-1]
        # The cursor's own row was listed, older than these: there is an older page (empty
        # only if everything older has been hidden since).
        has_older = bool(questions)
    else:
        if older:
            when, pk = cursor_decode(older, field="older")
            found = list(newest_first.filter(_older_than(when, pk))[: per_page + 1])
        else:
            offset = ((page or 1) - 1) * per_page
            found = list(newest_first[offset : offset + per_page + 1])
        has_older = len(found) > per_page
        questions = found[:per_page]
        has_newer = bool(questions) if older else (page or 1) > 1
    count, exact = _list_count(base, specialty_id, kept=count_kept)
    return QuestionPage(
        questions=questions,
        count=count,
        count_exact=exact,
        older=_link("older", questions[-1]) if has_older else None,
        newer=_link("newer", questions[0]) if has_newer and questions else None,
        number=page,
    )


def _link(direction: str, question: Question) -> dict[str, str]:
    assert question.answered_at is not None
    return {direction: cursor_encode(question.answered_at, question.pk)}


# -- searching -------------------------------------------------------------------------------


def search_words(query: str) -> tuple[list[str], bool]:
    """The words of a search box's text that are looked up, and whether the last is also taken
    as the start of a longer word. Letters and digits only, accents dropped, lower case; words
    of grammar ('the', 'my') and single letters are left out; at most MAX_SEARCH_WORDS.
    Anything else (punctuation, control characters, NUL) only separates words."""
    text = unicodedata.normalize("NFKD", query.replace("'", "").replace("\u2019", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    words: list[str] = []
    for word in _SEARCH_WORD.findall(text):
        if len(word) > 1 and word not in GRAMMAR_WORDS and word not in words:
            words.append(word)
    words = lexical.query_terms(words)[:MAX_SEARCH_WORDS]
    prefix = bool(words) and len(words[-1]) >= PREFIX_MIN_LETTERS and not words[-1].isdigit()
    return words, prefix


def search(
    *,
    display: QuestionQuerySet,
    query: str,
    specialty_id: int | None,
    per_page: int,
    page: int | None = None,
) -> QuestionPage:
    """Numbered page `page` (from 1, at most MAX_PAGE) of the public questions that use every
    search word, the most relevant first among the newest SEARCH_POOL that do, which is also
    where the count stops. Reads only the full-text index and the questions' status columns,
    then the shown rows by key."""
    number = page or 1
    if number < 1 or number > MAX_PAGE:
        raise ListInputError(
            "page", f"Search results are numbered up to page {MAX_PAGE}; add words to narrow them."
        )
    words, prefix = search_words(query)
    if not words:
        return QuestionPage(questions=[], count=0, count_exact=True, number=number)
    if prefix and lexical.document_frequencies(words[-1:], cap=1)[words[-1]]:
        prefix = False  # a word of its own ("numb"): as typed, not the start of others
    newest = lexical.public_matches(
        words, prefix_last=prefix, specialty_id=specialty_id, limit=SEARCH_POOL + 1
    )
    pool = newest[:SEARCH_POOL]
    scores = lexical.search_scores(words, among=pool, prefix_last=prefix)
    ranked = sorted(pool, key=lambda pk: (-scores.get(pk, 0.0), -pk))
    start = (number - 1) * per_page
    shown = ranked[start : start + per_page]
    rows = display.public().in_bulk(shown) if shown else {}
    has_more = start + per_page < len(ranked) and number < MAX_PAGE
    return QuestionPage(
        questions=[rows[pk] for pk in shown if pk in rows],
        count=len(pool),
        count_exact=len(newest) <= SEARCH_POOL,
        older={"page": str(number + 1)} if has_more else None,
        newer=({"page": str(number - 1)} if number > 2 else {}) if number > 1 else None,
        number=number,
        searched=words,
    )
