"""One rule for "a live claim" (`live_claim_q`, `Question.objects.live_claims()`,
`Question.has_live_claim`): claimed, and the claim not run out. The filter and the predicate
agree on every state a question can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from forum.models import Question, Status, claimable_q
from tests.factories import make_question


@pytest.mark.django_db
def test_the_filter_and_the_predicate_agree(doctor, bob):
    now = timezone.now()
    states = {
        "queued": {"status": Status.QUEUED},
        "live": {
            "status": Status.CLAIMED,
            "claimed_by": doctor,
            "claimed_until": now + timedelta(minutes=5),
        },
        "expired": {
            "status": Status.CLAIMED,
            "claimed_by": doctor,
            "claimed_until": now - timedelta(seconds=1),
        },
        "ends_now": {"status": Status.CLAIMED, "claimed_by": doctor, "claimed_until": now},
        "waiting_on_patient": {"status": Status.NEEDS_INFO, "claimed_by": doctor},
        "others": {
            "status": Status.CLAIMED,
            "claimed_by": bob,
            "claimed_until": now + timedelta(minutes=5),
        },
    }
    made = {name: make_question(**fields) for name, fields in states.items()}
    for by, expected in ((None, {"live", "others"}), (doctor, {"live"})):
        live = set(Question.objects.live_claims(now=now, by=by).values_list("pk", flat=True))
        assert live == {made[name].pk for name in expected}
        assert {n for n, q in made.items() if q.has_live_claim(now=now, by=by)} == expected
    claimable = set(
        Question.objects.filter(claimable_q(now, by=doctor)).values_list("pk", flat=True)
    )
    assert claimable == {made[n].pk for n in ("queued", "live", "expired", "ends_now")}
