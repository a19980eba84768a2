from __future__ import annotations

from typing import Any

from forum.models import Question, Status
from forum.similarity import index_question
from tests.factories import make_question


def answered(title: str, body: str, **fields: Any) -> Question:
    """A public doctor-answered Q&A, indexed as the worker would after the answer."""
    question = make_question(status=Status.ANSWERED, title=title, body=body, **fields)
    index_question(question.pk)
    return question


CALF = (
    "Calf muscles twitching for weeks during exam stress",
    "My calves twitch all day, I'm stressed about exams and sleep badly.",
)
EYELID = (
    "Eyelid jumping after too much coffee",
    "My left eyelid flickers several times a day since I started drinking five coffees.",
)
RASH = (
    "Itchy rash on my arms after a new detergent",
    "Red itchy patches where my sleeves touch since I changed washing powder.",
)
