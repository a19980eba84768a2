"""Full-text side of the index: SQLite FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Both hold only public questions (the services add and remove rows). Scores are "higher is
better" and only comparable within one query. Call the writers inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

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


# (vendor, term) -> (when counted, count, the cap it was counted up to)
_df_cache: dict[tuple[str, str], tuple[float, int, int]] = {}
_DF_TTL_SECONDS = 600.0


def document_frequencies(terms: Sequence[str], *, cap: int) -> dict[str, int]:
    """How many indexed questions use each term, counted up to `cap` (then reported as `cap`).

    Counting stops at the cap so a common word costs no more than a rare one; counts are cached
    per process for a few minutes, as frequencies drift slowly: a common word's too (it is
    counted again only if asked with a higher cap). Terms not cached are counted in one query.
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
    if not missing:
        return found
    if vendor == "sqlite":
        one = (
            f"(SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s LIMIT %s))"
        )
        params: list[Any] = [p for term in missing for p in (f'"{term}"', cap)]
    else:
        one = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {PG_TABLE} "  # noqa: S608
            "WHERE document @@ plainto_tsquery('english', %s) LIMIT %s) AS matches)"
        )
        params = [p for term in missing for p in (term, cap)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([one] * len(missing))}", params)
        counts = cursor.fetchone()
    for term, count in zip(missing, counts, strict=True):
        _df_cache[(vendor, term)] = (now, int(count), cap)
        found[term] = int(count)
    return {term: found[term] for term in terms}


def forget_frequencies() -> None:
    """Drop the cached counts (the archive was replaced, as between tests)."""
    _df_cache.clear()
