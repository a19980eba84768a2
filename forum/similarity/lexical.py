"""Full-text side of the index: SQLite FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Both hold only public questions (the services add and remove rows). Scores are "higher is
better" and only comparable within one query. Call the writers inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from forum.models import public_sql

FTS_TABLE = "forum_similarity_fts"
PG_TABLE = "forum_similarity_lexical"
# A natural-language question has dozens of words; past this many, an OR query only gets
# slower without finding better candidates.
MAX_QUERY_TERMS = 12

_SAFE = re.compile(r"^[a-z0-9]+$")


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"similarity search supports SQLite and PostgreSQL, not {vendor}")
    return vendor


def query_terms(words: Iterable[str]) -> list[str]:
    """Words safe to put into a MATCH / to_tsquery expression, at most MAX_QUERY_TERMS."""
    terms: list[str] = []
    for word in words:
        word = word.replace("'", "")
        if _SAFE.match(word) and word not in terms:
            terms.append(word)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def upsert(rows: Sequence[tuple[int, str, str]]) -> None:
    """(question_id, title, body) rows into the lexical index."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if _vendor() == "sqlite":
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608
                [(pk,) for pk, _, _ in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
                list(rows),
            )
        else:
            cursor.executemany(
                f"INSERT INTO {PG_TABLE} (question_id, document) VALUES (%s, "  # noqa: S608
                "setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s), 'B')) "
                "ON CONFLICT (question_id) DO UPDATE SET document = EXCLUDED.document",
                list(rows),
            )


def delete(question_ids: Sequence[int]) -> None:
    if not question_ids:
        return
    table, key = (FTS_TABLE, "rowid") if _vendor() == "sqlite" else (PG_TABLE, "question_id")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {table} WHERE {key} = %s",  # noqa: S608
            [(pk,) for pk in question_ids],
        )


def clear() -> None:
    table = FTS_TABLE if _vendor() == "sqlite" else PG_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def search(
    terms: Sequence[str], *, limit: int, among: Sequence[int] | None = None
) -> dict[int, float]:
    """Best lexical matches for any of `terms`: {question_id: score}.

    With `among`, only those questions are scored (a cheap look-up by key, used to score the
    semantic candidates); otherwise the whole index is searched.
    """
    if not terms or (among is not None and not among):
        return {}
    with connection.cursor() as cursor:
        if _vendor() == "sqlite":
            match = " OR ".join(f'"{t}"' for t in terms)
            sql = (
                f"SELECT rowid, -bm25({FTS_TABLE}, 2.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s"
            )
            params: list[Any] = [match]
            if among is not None:
                sql += f" AND rowid IN ({', '.join(['%s'] * len(among))})"
                params.extend(among)
            sql += f" ORDER BY bm25({FTS_TABLE}, 2.0, 1.0) LIMIT %s"
        else:
            sql = (
                f"SELECT question_id, ts_rank(document, query, 1) FROM {PG_TABLE}, "  # noqa: S608
                "to_tsquery('english', %s) AS query WHERE document @@ query"
            )
            params = [" | ".join(terms)]
            if among is not None:
                sql += " AND question_id = ANY(%s)"
                params.append(list(among))
            sql += " ORDER BY 2 DESC LIMIT %s"
        params.append(limit)
        cursor.execute(sql, params)
        return {int(pk): float(score) for pk, score in cursor.fetchall()}


# A word being typed is matched as the start of longer words, and by its own beginnings down
# to this length: the index holds stems, and "numbn" (of "numbness") starts with the stem
# "numb", not the other way round.
_PREFIX_SHORTEST = 4
_PREFIX_FORMS = 6


def _search_expression(vendor: str, terms: Sequence[str], prefix_last: bool) -> str:
    """Every term must match (AND); with `prefix_last` the last one as the start of a longer
    word or by one of its own beginnings (at least four letters)."""
    *whole, last = terms
    if vendor == "sqlite":
        parts = [f'"{t}"' for t in whole]
        if prefix_last:
            forms = [f'"{last}"*', *(f'"{b}"' for b in _beginnings(last))]
            parts.append(f"({' OR '.join(forms)})")
        else:
            parts.append(f'"{last}"')
        return " AND ".join(parts)
    parts = list(whole)
    if prefix_last:
        parts.append(f"({' | '.join([f'{last}:*', *_beginnings(last)])})")
    else:
        parts.append(last)
    return " & ".join(parts)


def _beginnings(word: str) -> list[str]:
    return [word[:n] for n in range(max(_PREFIX_SHORTEST, len(word) - _PREFIX_FORMS), len(word))]


def public_matches(
    terms: Sequence[str],
    *,
    prefix_last: bool = False,
    specialty_id: int | None = None,
    limit: int,
) -> list[int]:
    """Ids of the newest public questions (answered, not hidden, not private, of this specialty
    if given) that use every term, newest (highest id) first, at most `limit`.

    `terms` must come from `query_terms` or be as safe (letters and digits only). Each match is
    checked against the live question row, so a question hidden since it was indexed is never
    returned. FTS5 walks its matches newest first and stops at `limit`; PostgreSQL does the
    same through the table's primary key when the words are common, and reads the GIN index
    when they are rare. Without a specialty PostgreSQL takes the newest `limit` matches of the
    index before checking their rows, so the index's few rows of questions just made private
    or hidden (the services remove them at once) can make the list a little shorter.
    """
    if not terms:
        return []
    vendor = _vendor()
    expression = _search_expression(vendor, terms, prefix_last)
    public, public_params = public_sql("q")
    params: list[Any] = [expression, *public_params]
    if specialty_id is not None:
        public += " AND q.specialty_id = %s"
        params.append(specialty_id)
    if vendor == "sqlite":
        sql = (
            f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} "  # noqa: S608
            f"JOIN forum_question AS q ON q.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {public} "
            f"ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s"
        )
    elif specialty_id is None:
        # The newest matches first, then their rows by key: joined in one go, the planner
        # may walk the question table from its newest row down to the oldest match.
        sql = (
            "WITH m AS MATERIALIZED (SELECT question_id FROM "  # noqa: S608
            f"{PG_TABLE} WHERE document @@ to_tsquery('english', %s) "
            "ORDER BY question_id DESC LIMIT %s) "
            "SELECT m.question_id FROM m JOIN forum_question AS q ON q.id = m.question_id "
            f"WHERE {public} ORDER BY m.question_id DESC"
        )
        params = [expression, limit, *params[1:]]
    else:
        sql = (
            f"SELECT l.question_id FROM {PG_TABLE} AS l "  # noqa: S608
            "JOIN forum_question AS q ON q.id = l.question_id "
            f"WHERE l.document @@ to_tsquery('english', %s) AND {public} "
            "ORDER BY l.question_id DESC LIMIT %s"
        )
    if vendor == "sqlite" or specialty_id is not None:
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(pk) for (pk,) in cursor.fetchall()]


def search_scores(
    terms: Sequence[str], *, among: Sequence[int], prefix_last: bool = False
) -> dict[int, float]:
    """Relevance of each of the questions `among` for every term: {question_id: score}, higher
    is better (BM25 with the title counting twice on SQLite, ts_rank with the title weighted
    on PostgreSQL); a question that does not use them all is left out.

    Only those questions are scored: on PostgreSQL by key; on SQLite FTS5 scores the matches
    between the lowest and the highest id (looking each one up by id would read the words'
    whole match lists once per id), so keep `among` to the newest matches, as
    `public_matches` returns them.
    """
    if not terms or not among:
        return {}
    vendor = _vendor()
    expression = _search_expression(vendor, terms, prefix_last)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                f"SELECT rowid, -bm25({FTS_TABLE}, 2.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s",
                [expression, min(among), max(among)],
            )
        else:
            cursor.execute(
                f"SELECT question_id, ts_rank(document, query, 1) FROM {PG_TABLE}, "  # noqa: S608
                "to_tsquery('english', %s) AS query "
                "WHERE question_id = ANY(%s) AND document @@ query",
                [expression, list(among)],
            )
        wanted = set(among)
        return {int(pk): float(score) for pk, score in cursor.fetchall() if pk in wanted}


# (vendor, term) -> (when counted, count, the cap it was counted up to)
_df_cache: dict[tuple[str, str], tuple[float, int, int]] = {}
_DF_TTL_SECONDS = 600.0
_EXACT = 2**31  # "counted up to": a count read from the word-count table is exact

WORD_COUNTS_TABLE = "forum_similarity_word_counts"
# The row under this key holds how many questions were indexed when the counts were taken
# (no word is ever the empty string).
_TOTAL_KEY = ""
# Counts taken when the index was this much smaller or larger are not used.
_STALE_FRACTION = 0.10
_REFRESH_LOCK = 0x5EED_C0DE  # pg_try_advisory_xact_lock key: one refresh at a time


def document_frequencies(
    terms: Sequence[str], *, cap: int, indexed: int | None = None
) -> dict[str, int]:
    """How many indexed questions use each term, counted up to `cap` (then reported as `cap`).

    On PostgreSQL the counts come from the word-count table (`word_counts_refresh`, run by the
    worker), one indexed read however common the words; counting a common word in the GIN
    index would visit up to `cap` rows. A word missing from that table (new since it was
    refreshed) is counted on the fly, as every word is on SQLite, where FTS5 counts fast; so is
    every word while the table's counts were taken when the index held a number of questions
    more than 10% away from `indexed` (the caller's count of indexed questions), if given.
    Counting stops at the cap so a common word costs no more than a rare one. Counts are cached
    per process for a few minutes, as frequencies drift slowly (a word counted up to a lower
    cap is counted again if asked with a higher one).
    """
    import time

    vendor = _vendor()
    now = time.monotonic()
    found: dict[str, int] = {}
    missing: list[str] = []
    for term in terms:
        cached = _df_cache.get((vendor, term))
        if cached is not None and now - cached[0] < _DF_TTL_SECONDS:
            _, count, counted_to = cached
            if count < counted_to or counted_to >= cap:
                found[term] = min(count, cap)
                continue
        missing.append(term)
    if missing and vendor == "postgresql":
        for term, count in _stored_counts(missing, indexed=indexed).items():
            _df_cache[(vendor, term)] = (now, count, _EXACT)
            found[term] = min(count, cap)
        missing = [term for term in missing if term not in found]
    if missing:
        for term, count in zip(missing, _count(vendor, missing, cap), strict=True):
            _df_cache[(vendor, term)] = (now, count, cap)
            found[term] = count
    return {term: found[term] for term in terms}


def _count(vendor: str, terms: Sequence[str], cap: int) -> list[int]:
    """Count each term's matches in the full-text index, up to `cap`, in one query."""
    if vendor == "sqlite":
        one = (
            f"(SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s LIMIT %s))"
        )
        params: list[Any] = [p for term in terms for p in (f'"{term}"', cap)]
    else:
        one = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {PG_TABLE} "  # noqa: S608
            "WHERE document @@ plainto_tsquery('english', %s) LIMIT %s) AS matches)"
        )
        params = [p for term in terms for p in (term, cap)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([one] * len(terms))}", params)
        row = cursor.fetchone()
    return [int(count) for count in row]


def _stored_counts(terms: Sequence[str], *, indexed: int | None) -> dict[str, int]:
    """PostgreSQL: the terms' counts in the word-count table, for those it can answer.

    A term is turned into its lexemes as the index does; a stop word (no lexeme) is used by no
    question. Nothing is answered from counts never taken, or taken when the index held a number
    of questions more than `_STALE_FRACTION` away from `indexed`.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.term, l.lexeme, w.documents, total.documents "  # noqa: S608
            "FROM unnest(%s::text[]) AS t(term) "
            "LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', t.term))) "
            "AS l(lexeme) ON true "
            f"LEFT JOIN {WORD_COUNTS_TABLE} AS w ON w.word = l.lexeme "
            f"LEFT JOIN {WORD_COUNTS_TABLE} AS total ON total.word = %s",
            [list(terms), _TOTAL_KEY],
        )
        rows = cursor.fetchall()
    if not rows or rows[0][3] is None:
        return {}
    counted = int(rows[0][3])
    if indexed is not None and abs(indexed - counted) > _STALE_FRACTION * max(indexed, counted):
        return {}
    # A term's lexemes must all be counted; a phrase of them matches at most the rarest's count.
    answered: dict[str, int] = {}
    unknown: set[str] = set()
    for term, lexeme, documents, _ in rows:
        if lexeme is None:
            answered.setdefault(term, 0)
        elif documents is None:
            unknown.add(term)
        else:
            answered[term] = min(answered.get(term, documents), documents)
    return {term: count for term, count in answered.items() if term not in unknown}


def word_counts_refresh() -> int | None:
    """PostgreSQL: count how many indexed questions use each word into the word-count table
    that lookups read; returns how many words it holds.

    Run by beat every ten minutes, and after `import_qa` and an index rebuild: 0.2-1.2 s per
    100,000 questions, depending on how many distinct words they use. Only changed counts are
    written. Returns None on SQLite (nothing to do) and when another refresh is running.
    """
    if _vendor() != "postgresql":
        return None
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return None
        # One statement: the deletion and the upsert read the same fresh counts.
        cursor.execute(
            "WITH fresh AS ("  # noqa: S608
            f" SELECT word, ndoc AS documents FROM ts_stat('SELECT document FROM {PG_TABLE}')"
            f" UNION ALL SELECT %s, (SELECT count(*) FROM {PG_TABLE})::integer), "
            f"gone AS (DELETE FROM {WORD_COUNTS_TABLE} AS w"
            " WHERE NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.word = w.word)), "
            f"changed AS (INSERT INTO {WORD_COUNTS_TABLE} AS w (word, documents)"
            " SELECT word, documents FROM fresh ORDER BY word"
            " ON CONFLICT (word) DO UPDATE SET documents = EXCLUDED.documents"
            " WHERE w.documents <> EXCLUDED.documents) "
            "SELECT count(*) - 1 FROM fresh",
            [_TOTAL_KEY],
        )
        words = int(cursor.fetchone()[0])
    _df_cache.clear()
    return words


def forget_frequencies() -> None:
    """Drop the cached counts (the archive was replaced, as between tests)."""
    _df_cache.clear()
