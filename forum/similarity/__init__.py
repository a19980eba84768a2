"""Similar Q&As: hybrid lexical + semantic + triage-concept similarity over public Q&As.

The entry points other code uses:
- `similar_to_question(question, limit=5)` and `similar_to_text(text, limit=5, exclude_id=None)`
  return `SimilarItem`s (`.question`, `.score`, `.shared`), best first, public Q&As only;
- `similar_stored(questions, limit=3)` returns the similar Q&As the worker stored for questions
  waiting in the doctors' queue ({question_id: [SimilarItem, ...]}), in one query;
- `index_question(question_id)` / `unindex_question(question_id)` keep the index fresh and store
  a waiting question's similar links (their Celery tasks are in `forum.similarity.tasks`);
- `rebuild_index()` re-indexes everything; `warm_up()` loads the model and index in a new process.
"""

from __future__ import annotations

from forum.similarity.selectors import (
    SimilarItem,
    similar_stored,
    similar_to_question,
    similar_to_text,
)
from forum.similarity.services import IndexOutcome, entry_index, entry_unindex, index_rebuild


def index_question(question_id: int) -> IndexOutcome:
    return entry_index(question_id=question_id)


def unindex_question(question_id: int) -> None:
    entry_unindex(question_id=question_id)


def rebuild_index(*, full: bool = False) -> IndexOutcome:
    return index_rebuild(full=full)


def warm_up() -> None:
    """Load the embedding model and the vector index now rather than on the first request."""
    from forum.similarity.concepts import concepts_of
    from forum.similarity.embedding import get_embedder
    from forum.similarity.vector_index import get_index

    get_embedder().embed_query("warm up")
    concepts_of("warm up")
    get_index().ensure_fresh(force=True)


__all__ = [
    "IndexOutcome",
    "SimilarItem",
    "index_question",
    "rebuild_index",
    "similar_stored",
    "similar_to_question",
    "similar_to_text",
    "unindex_question",
    "warm_up",
]
