"""Two doctors claiming the same question at the same moment: the database picks one winner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Question, Status
from tests.factories import make_doctor, make_question, make_user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
@pytest.mark.parametrize("round_", range(5))
def test_exactly_one_of_many_concurrent_claims_wins(round_):
    patient = make_user()
    doctors = [make_doctor() for _ in range(4)]
    question = make_question(author=patient, status=Status.SUBMITTED)
    services.question_triage(question_id=question.pk)
    url = reverse("forum:claim", args=[question.pk])
    clients = []
    for doctor in doctors:
        client = Client()
        client.force_login(doctor)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def claim(client: Client) -> None:
        try:
            start.wait(timeout=10)
            statuses.append(client.post(url).status_code)
        finally:
            connection.close()  # each thread has its own connection; give it back

    threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302] * len(clients)  # no server errors; losers get a message
    question.refresh_from_db()
    assert question.status == Status.CLAIMED
    assert question.claimed_by in doctors
    winners = [d for d in doctors if Question.objects.filter(pk=question.pk, claimed_by=d).exists()]
    assert len(winners) == 1
