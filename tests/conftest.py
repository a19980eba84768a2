from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import DoctorStatus, User
from tests.factories import make_doctor, make_moderator, make_user


@pytest.fixture
def alice(db) -> User:
    """A patient: the asker in most tests."""
    return make_user(email="alice@example.test")


@pytest.fixture
def bob(db) -> User:
    """Another patient, who must never see Alice's private questions."""
    return make_user(email="bob@example.test")


@pytest.fixture
def doctor(db) -> User:
    """A verified neurologist with two-factor set up."""
    return make_doctor(email="doctor@example.test")


@pytest.fixture
def pending_doctor(db) -> User:
    return make_doctor(email="pending@example.test", status=DoctorStatus.PENDING)


@pytest.fixture
def doctor_without_totp(db) -> User:
    return make_doctor(email="no2fa@example.test", totp=False)


@pytest.fixture
def moderator(db) -> User:
    return make_moderator()


@pytest.fixture
def specialties(django_db_blocker) -> None:
    """The fixed specialties, for transactional tests: their flush removes what the data
    migration loaded."""
    from forum.specialties import ensure_specialties

    with django_db_blocker.unblock():
        ensure_specialties()


@pytest.fixture(autouse=True)
def fresh_vector_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from an empty in-memory similarity index that re-reads the database on
    every lookup, as another process would after its refresh interval."""
    from forum.similarity import vector_index

    monkeypatch.setattr(vector_index, "REFRESH_SECONDS", 0.0)
    vector_index.get_index().reset()
    yield
    vector_index.get_index().reset()


# Markers by what a test needs, so that `make test-fast` can leave the heavy ones out while
# `make test` runs everything: `browser` (a real Chromium), `fuzz` (Schemathesis, Hypothesis),
# `live` (a real Redis and Celery worker, started by tests/live_services.py), `slow` (marked
# where a test starts other processes such as manage.py or pip).
_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(_TESTS).parts
        if where[0] == "e2e":
            item.add_marker(pytest.mark.browser)
        if where[0] == "api_fuzz" or item.path.stem.endswith("_fuzz"):
            item.add_marker(pytest.mark.fuzz)
        module = getattr(item, "module", None)
        if module is not None and any(
            getattr(value, "__module__", None) == "tests.live_services"
            for value in vars(module).values()
        ):
            item.add_marker(pytest.mark.live)
