from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.access import user_can_act_as_doctor, user_can_moderate
from accounts.models import User
from forum.models import Answer, Question, Specialty


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_users_and_the_seed_page_and_is_idempotent():
    output = _seed()
    counts = (User.objects.count(), Question.objects.count(), Answer.objects.count())
    _seed()
    assert (User.objects.count(), Question.objects.count(), Answer.objects.count()) == counts
    assert "password:" in output
    seed = Question.objects.get(external_id="seed-neurology-twitching")
    assert "preparing for an exam" in seed.body
    assert seed.answer.doctor_name == "Dr. Jiang Junyi"
    assert seed.age_band == "20-29" and seed.sex == "female"
    for n in range(1, 5):
        assert Question.objects.public().filter(external_id=f"seed-similar-{n}").exists()
    assert Question.objects.public().count() >= 35
    assert Question.objects.public().values("specialty").distinct().count() >= 15
    assert Specialty.objects.count() == 22


@pytest.mark.django_db
def test_its_demo_doctor_and_moderator_can_use_their_powers():
    _seed()
    assert user_can_act_as_doctor(User.objects.get(email="neurologist@demo.openconsult.test"))
    assert user_can_moderate(User.objects.get(email="moderator@demo.openconsult.test"))


@pytest.mark.django_db
def test_it_is_refused_under_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not User.objects.exists()


def test_the_forum_and_the_triage_engine_know_the_same_specialties():
    import triage
    from forum.specialties import SPECIALTIES

    assert [slug for slug, _, _ in SPECIALTIES] == list(triage.SPECIALTIES)
