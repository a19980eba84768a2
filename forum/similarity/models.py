"""The similarity index: one row per indexed question.

The lexical side lives next to this table in a vendor-specific structure created by the
`similarity_index` migration (an FTS5 table on SQLite, a tsvector column with a GIN index on
PostgreSQL), written and read only through `forum.similarity.lexical`.
"""

from __future__ import annotations

from django.db import models


class SimilarityEntry(models.Model):
    """What the engine knows about one question: its embedding and triage concepts.

    `is_public` mirrors `Question.is_public` at indexing time; it lets every web process see a
    removal through `updated_at` without reloading the whole index. Results are still filtered
    against the live question rows, so a stale flag can never leak a hidden question.
    """

    question = models.OneToOneField(
        "forum.Question",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="similarity_entry",
    )
    is_public = models.BooleanField(default=False)
    vector = models.BinaryField(help_text="Unit-length float16 sentence embedding.")
    model_version = models.CharField(max_length=60)
    text_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the embedded text: unchanged text is not re-embedded."
    )
    concepts = models.JSONField(
        default=list, help_text="Triage concepts found in the question: [[code, label], ...]."
    )
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = "similarity entries"

    def __str__(self) -> str:
        return f"Similarity entry for question {self.question_id}"
