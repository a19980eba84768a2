"""Keep the lexical table in step with deletions it has no foreign key to see."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from forum.models import Question
from forum.similarity import lexical


@receiver(pre_delete, sender=Question, dispatch_uid="similarity-drop-lexical-row")
def drop_lexical_row(sender: type[Question], instance: Question, **kwargs: Any) -> None:
    # Also runs for questions deleted by cascade (an account deleted with its questions).
    lexical.delete([instance.pk])
