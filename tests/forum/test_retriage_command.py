from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from forum import services
from forum.models import AssessmentSource, Question, Status
from tests.factories import make_question


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("retriage", "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_adds_an_assessment_to_every_question_and_keeps_the_history(alice):
    questions = [make_question(author=alice) for _ in range(3)]
    for q in questions:
        services.question_triage(question_id=q.pk)
    output = _run()
    assert "Re-triaged 3 question(s)" in output
    for q in questions:
        sources = list(q.assessments.order_by("id").values_list("source", flat=True))
        assert sources == [AssessmentSource.ENGINE, AssessmentSource.RETRIAGE]


@pytest.mark.django_db
def test_it_filters_by_status_specialty_and_kb_version(alice):
    neuro = make_question(author=alice)
    skin = make_question(author=alice, specialty="dermatology")
    for q in (neuro, skin):
        services.question_triage(question_id=q.pk)
    assert "Re-triaged 1 " in _run("--specialty", "dermatology")
    assert skin.assessments.count() == 2 and neuro.assessments.count() == 1
    assert "Re-triaged 0 " in _run("--status", "answered")
    assert "Re-triaged 0 " in _run("--kb-version", "no-such-version")
    assert "Re-triaged 0 " in _run("--outdated")


@pytest.mark.django_db
def test_it_triages_questions_still_submitted(alice):
    question = make_question(author=alice, status=Status.SUBMITTED)
    _run()
    question.refresh_from_db()
    assert question.status == Status.QUEUED
    assert question.assessments.get().source == AssessmentSource.ENGINE


@pytest.mark.django_db
def test_it_names_an_unknown_specialty():
    with pytest.raises(CommandError, match="Unknown specialty 'astrology'"):
        _run("--specialty", "astrology")
    assert not Question.objects.exists()
