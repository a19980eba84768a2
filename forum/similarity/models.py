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


class SimilarLink(models.Model):
    """One of the answered Q&As stored for a question waiting in the doctors' queue.

    Written by the worker once the question is triaged and indexed (`similar_links_refresh`), so
    the queue page runs no model and no ranking. `text_hash` is the hash of the question's text
    the links were computed for: links of a since-edited question are not shown. The page still
    joins the linked question's live row, so a Q&A hidden or made private since never shows.
    """

    question = models.ForeignKey(
        "forum.Question", on_delete=models.CASCADE, related_name="similar_links"
    )
    similar = models.ForeignKey("forum.Question", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text="1 for the most similar.")
    score = models.FloatField()
    shared = models.JSONField(
        default=list, help_text="What both questions share, for the explanation: [label, ...]."
    )
    text_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the question's text when the links were computed."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["question", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["question", "rank"], name="similar_link_rank_unique"),
            models.UniqueConstraint(
                fields=["question", "similar"], name="similar_link_pair_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(question=models.F("similar")),
                name="similar_link_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.question_id} ~ {self.similar_id} (#{self.rank})"
