"""Fixtures of the sync tests: an empty cache around a test that keeps totals (sync.tallies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture
def empty_cache() -> Iterator[None]:
    """Nothing kept before the test, nor left for the next one."""
    cache.clear()
    yield
    cache.clear()
