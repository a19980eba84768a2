from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    """Throttle counts live in the cache: each API test starts with none."""
    cache.clear()
    yield
    cache.clear()
