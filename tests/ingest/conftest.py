"""Ingestion tests share one process: politeness state (robots.txt cache, back-offs) is
per process, and a port reused by a later test must not inherit an earlier test's rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsstand.ingest import politeness


@pytest.fixture(autouse=True)
def _fresh_politeness() -> Iterator[None]:
    politeness.reset()
    yield
    politeness.reset()
