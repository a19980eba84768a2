"""Reads: the public doctor-answered Q&As most similar to a question or to a piece of text.

Ranking, in two stages:
1. candidates: the nearest embeddings (in-memory IVF index) plus the best full-text matches;
2. each candidate is scored from its stored row: cosine similarity of the sentence embeddings,
   full-text score relative to the best candidate, and the overlap of triage concepts.
Only public (answered, not hidden, not private) questions whose answer is not hidden are ever
returned, checked against the live rows, and never the question itself.

`similar_stored` reads what the worker stored for the doctors' queue instead of ranking.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from forum.models import Answer, Question, public_q
from forum.similarity import lexical
from forum.similarity.concepts import Concept, concepts_of, from_json
from forum.similarity.embedding import MODEL_VERSION, get_embedder
from forum.similarity.models import SimilarityEntry, SimilarLink
from forum.similarity.text import (
    content_words,
    content_words_all,
    document_text,
    stems,
    text_hash,
)
from forum.similarity.text import stem as _stem_of
from forum.similarity.vector_index import get_index
from forum.specialty_list import attach_specialties

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SEMANTIC_CANDIDATES = 50
LEXICAL_CANDIDATES = 20


@dataclass(frozen=True)
class Weights:
    """Tuned on the labelled set in tests/forum/similarity/data (`make eval-similar`)."""

    semantic: float = 0.80
    lexical: float = 0.12
    concepts: float = 0.08


DEFAULT_WEIGHTS = Weights()
# Below this a "similar" question is mostly noise; lists end early rather than pad with it.
MIN_SCORE = 0.30
RARE_TERM_CAP = 2000
# At most about this many full-text matches are scored by the database in one lookup.
LEXICAL_MATCH_BUDGET = 4000
_BM25_K1 = 1.2
_BM25_B = 0.75
# The opening of a long body says what it is about; reading all of it only costs time.
_BM25_BODY_CHARS = 1500
MAX_SHARED = 4


@dataclass(frozen=True)
class SimilarItem:
    question: Question
    score: float
    shared: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return f"shared: {', '.join(self.shared)}" if self.shared else ""


@dataclass(frozen=True)
class _Query:
    text: str
    vector: npt.NDArray[np.float32]
    concepts: list[Concept]
    exclude_id: int | None


def similar_to_text(
    text: str,
    *,
    limit: int = 5,
    exclude_id: int | None = None,
    min_score: float = MIN_SCORE,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[SimilarItem]:
    """For as-you-type suggestions and `manage.py similar`: embeds `text` (cached per process)."""
    text = " ".join(text.split())
    if not text:
        return []
    query = _Query(
        text=text,
        vector=get_embedder().embed_query(text),
        concepts=concepts_of(text),
        exclude_id=exclude_id,
    )
    return _rank(query, limit=limit, min_score=min_score, weights=weights)


def similar_to_question(
    question: Question, *, limit: int = 5, min_score: float = MIN_SCORE
) -> list[SimilarItem]:
    """For a question page or a queue item: uses the question's stored embedding and concepts
    (written by the worker); only a question not indexed yet is embedded here."""
    import numpy as np

    text = document_text(question.public_title, question.public_body)
    entry = (
        SimilarityEntry.objects.filter(
            pk=question.pk, model_version=MODEL_VERSION, text_hash=text_hash(text)
        )
        .only("vector", "concepts")
        .first()
    )
    if entry is None:
        return similar_to_text(text, limit=limit, exclude_id=question.pk, min_score=min_score)
    query = _Query(
        text=text,
        vector=np.frombuffer(bytes(entry.vector), dtype=np.float16).astype(np.float32),
        concepts=from_json(entry.concepts),
        exclude_id=question.pk,
    )
    return _rank(query, limit=limit, min_score=min_score)


def _rank(
    query: _Query, *, limit: int, min_score: float, weights: Weights = DEFAULT_WEIGHTS
) -> list[SimilarItem]:
    import numpy as np

    index = get_index()
    semantic = index.search(query.vector, limit=SEMANTIC_CANDIDATES, exclude=query.exclude_id)
    archive_size = len(index)
    if archive_size == 0:
        return []  # nothing public is indexed with this model: the full text cannot help
    terms = lexical.query_terms(content_words(query.text))
    cap = min(RARE_TERM_CAP, max(50, archive_size // 20))
    frequencies = lexical.document_frequencies(terms, cap=cap, indexed=archive_size)
    found = lexical.search(_rarest(terms, frequencies, cap), limit=LEXICAL_CANDIDATES)
    candidates = {pk for pk, _ in semantic} | set(found)
    if query.exclude_id is not None:
        candidates.discard(query.exclude_id)
    if not candidates:
        return []
    database = SimilarityEntry.objects.db
    rows = list(
        SimilarityEntry.objects.filter(
            public_q("question__", with_answer=True),
            question_id__in=candidates,
            is_public=True,
            model_version=MODEL_VERSION,
        ).values_list(
            "question_id",
            "vector",
            "concepts",
            "question__public_title",
            "question__public_body",
            "question__external_id",
        )
    )
    if not rows:
        return []
    lexical_scores = _bm25(terms, frequencies, archive_size, [(r[0], r[3], r[4]) for r in rows])
    best_lexical = max(lexical_scores.values(), default=0.0)
    vectors = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float16)
    cosines = vectors.reshape(len(rows), -1).astype(np.float32) @ query.vector
    query_codes = {c.code for c in query.concepts}
    scored: list[tuple[float, int, list[Concept]]] = []
    for (pk, _, concepts_json, *_), cosine in zip(rows, cosines.tolist(), strict=True):
        lex = lexical_scores.get(pk, 0.0) / best_lexical if best_lexical > 0 else 0.0
        concepts = from_json(concepts_json)
        shared = [c for c in concepts if c.code in query_codes]
        union = len(query_codes | {c.code for c in concepts})
        overlap = len(shared) / union if union else 0.0
        score = weights.semantic * cosine + weights.lexical * lex + weights.concepts * overlap
        scored.append((score, pk, shared))
    scored.sort(key=lambda item: (-item[0], item[1]))
    kept = [item for item in scored if item[0] >= min_score][:limit]
    # The rows were read with the live question rows' public check, in this lookup: what is
    # shown comes from them, with only the fields read (others load on access; the pages
    # read what they display in one query of their own).
    shown = {r[0]: r for r in rows}
    query_stems = stems(query.text)
    items = []
    for score, pk, shared in kept:
        _, _, _, title, body, external_id = shown[pk]
        question = Question.from_db(
            database,
            ["id", "public_title", "public_body", "external_id"],
            [pk, title, body, external_id],
        )
        items.append(
            SimilarItem(
                question=question,
                score=round(max(0.0, min(1.0, score)), 3),
                shared=_explain(query_stems, shared, question),
            )
        )
    return items


def _rarest(terms: list[str], frequencies: dict[str, int], cap: int) -> list[str]:
    """The query words worth a full-text search, rarest first, within a budget of matches.

    Common words match a large share of the archive: scoring every match is what makes a plain
    full-text query slow, and such words barely tell questions apart. Only rarer words go to
    the full-text index, the rarest first, while their matches fit `LEXICAL_MATCH_BUDGET`; all
    words still count in the candidates' scores.
    """
    rare = sorted((frequencies.get(t, 0), t) for t in terms if frequencies.get(t, 0) < cap)
    chosen: list[str] = []
    matches = 0
    for count, term in rare:
        if chosen and matches + count > LEXICAL_MATCH_BUDGET:
            break
        chosen.append(term)
        matches += count
    return chosen


# (question id, hash of the text scored) -> (content words, stem -> count): candidates recur
# from one lookup to the next, and splitting their text is most of the scoring's cost.
_bags: OrderedDict[tuple[int, int], tuple[int, dict[str, int]]] = OrderedDict()
_BAGS_KEPT = 5_000  # about 10 MB
_bags_lock = threading.Lock()


def _bag(pk: int, title: str, body: str) -> tuple[int, dict[str, int]]:
    text = f"{title} {title} {body[:_BM25_BODY_CHARS]}"
    key = (pk, hash(text))
    with _bags_lock:
        cached = _bags.get(key)
        if cached is not None:
            _bags.move_to_end(key)
            return cached
    words = content_words_all(text)
    counts: dict[str, int] = {}
    for word in words:
        stemmed = _stem_of(word)
        counts[stemmed] = counts.get(stemmed, 0) + 1
    bag = (len(words), counts)
    with _bags_lock:
        _bags[key] = bag
        while len(_bags) > _BAGS_KEPT:
            _bags.popitem(last=False)
    return bag


def _bm25(
    terms: list[str],
    frequencies: dict[str, int],
    archive_size: int,
    texts: Sequence[tuple[int, str, str]],
) -> dict[int, float]:
    """Okapi BM25 of each candidate for the query words, the title counting twice.

    Scored here rather than by the database so both databases rank alike, and so scoring the
    semantic candidates costs no second full-text query.
    """
    import math

    wanted = {_stem_of(t): t for t in terms}
    idf = {
        t: math.log(
            1 + (archive_size - frequencies.get(t, 0) + 0.5) / (frequencies.get(t, 0) + 0.5)
        )
        for t in terms
    }
    bags = {pk: _bag(pk, title, body) for pk, title, body in texts}
    average = sum(length for length, _ in bags.values()) / max(len(bags), 1) or 1.0
    scores: dict[int, float] = {}
    for pk, (length, counts) in bags.items():
        norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * length / average)
        score = 0.0
        for stemmed, term in wanted.items():
            tf = counts.get(stemmed, 0)
            if tf:
                score += idf[term] * tf * (_BM25_K1 + 1) / (tf + norm)
        scores[pk] = score
    return scores


def _explain(query_stems: dict[str, str], shared: list[Concept], question: Question) -> list[str]:
    """Shared triage concepts first, then the words both texts use ('calf', 'twitching')."""
    phrases = [c.label[:1].lower() + c.label[1:] for c in shared]
    theirs = stems(document_text(question.public_title, question.public_body))
    for stem, word in query_stems.items():
        if len(phrases) >= MAX_SHARED:
            break
        if stem in theirs and not any(word in p for p in phrases):
            phrases.append(word)
    return phrases[:MAX_SHARED]


def similar_stored(
    questions: Sequence[Question], *, limit: int = 3
) -> dict[int, list[SimilarItem]]:
    """The similar Q&As the worker stored for these questions (`similar_links_refresh`), best
    first, at most `limit` each: {question_id: items}; a question without any maps to [].

    One query, whatever the number of questions. Links are checked against the linked Q&A's
    live row (only those public now) and against the question's text: links computed for text
    since edited are left out rather than shown.
    """
    current = {q.pk: text_hash(document_text(q.public_title, q.public_body)) for q in questions}
    found: dict[int, list[SimilarItem]] = {pk: [] for pk in current}
    if not current:
        return found
    links = (
        SimilarLink.objects.filter(public_q("similar__", with_answer=True), question_id__in=current)
        .select_related("similar", "similar__specialty")
        .defer(
            "similar__body",
            "similar__medicines",
            "similar__public_body",
            "similar__public_medicines",
            "similar__personal_details",
        )
        .order_by("question_id", "rank")
    )
    for link in links:
        items = found[link.question_id]
        if link.text_hash == current[link.question_id] and len(items) < limit:
            items.append(
                SimilarItem(question=link.similar, score=link.score, shared=list(link.shared))
            )
    return found


# What a page and the API show of a stored link's Q&A (a card: the public title and an excerpt,
# the answer's signature, specialty and excerpt), and what decides whether it is shown.
_PAGE_LINK_FIELDS = (
    "question_id",
    "rank",
    "score",
    "shared",
    "text_hash",
    "computed_at",
    "similar__public_title",
    "similar__public_body",
    "similar__status",
    "similar__is_hidden",
    "similar__is_private",
    "similar__specialty_id",
    "similar__answer__question_id",
    "similar__answer__doctor_name",
    "similar__answer__public_body",
    "similar__answer__is_hidden",
    "similar__answer__specialty_id",
    "similar__answer__doctor__doctor_profile__display_name",
)


def similar_stored_for_page(
    question: Question, *, limit: int = 5
) -> tuple[list[SimilarItem], dt.datetime | None]:
    """The similar Q&As stored for this question's page (`similar_links_refresh`), best first,
    at most `limit`, with the relations the page shows (the answer, its doctor and specialty),
    in one query; and when they were computed: None when none are stored for its text now.

    Links are checked against the linked Q&A's live row: only those public now, with an answer
    not hidden. When some were left out and fewer than `limit` remain, the time returned is
    the oldest possible, so that the caller has them recomputed.
    """
    # Links are stored for the public copies (`similar_links_save`): the text they rank.
    digest = text_hash(document_text(question.public_title, question.public_body))
    links = list(
        SimilarLink.objects.filter(question_id=question.pk)
        .select_related("similar", "similar__answer__doctor__doctor_profile")
        .only(*_PAGE_LINK_FIELDS)
        .order_by("rank")
    )
    if not links or any(link.text_hash != digest for link in links):
        return [], None
    # The specialties' names from the lists' cache, not two more joins.
    attach_specialties(*(link.similar for link in links))
    attach_specialties(*(_shown_answer(link.similar) for link in links))
    items = [
        SimilarItem(question=link.similar, score=link.score, shared=list(link.shared))
        for link in links
        if link.similar.is_public and _has_answer(link.similar)
    ]
    computed_at = min(link.computed_at for link in links)
    if len(items) < min(limit, len(links)):
        computed_at = dt.datetime.min.replace(tzinfo=dt.UTC)
    return items[:limit], computed_at


def _shown_answer(question: Question) -> Answer | None:
    try:
        return question.answer
    except Question.answer.RelatedObjectDoesNotExist:
        return None


def _has_answer(question: Question) -> bool:
    try:
        return question.answer is not None
    except Question.answer.RelatedObjectDoesNotExist:
        return False


def with_page_relations(items: list[SimilarItem]) -> list[SimilarItem]:
    """The ranked items with the relations a page shows, read in one query (the ranking
    returns bare rows), dropping any no longer public."""
    if not items:
        return items
    rows = (
        Question.objects.public(with_answer=True)
        .select_related("specialty", "answer__doctor__doctor_profile", "answer__specialty")
        .in_bulk([item.question.pk for item in items])
    )
    return [
        SimilarItem(question=rows[item.question.pk], score=item.score, shared=item.shared)
        for item in items
        if item.question.pk in rows
    ]
