"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from pytest_django.fixtures import Settings

from tests.httpserver import publisher_web  # noqa: F401 - re-exported fixture

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("NEWSSTAND_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-world corpus (never copied into the repo)."""
    path = shared_data_dir()
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data not found at {path} (set NEWSSTAND_SHARED_DATA)")
        pytest.skip(f"shared data not found at {path} (set NEWSSTAND_SHARED_DATA)")
    return path


@pytest.fixture
def allow_private_urls(settings: Settings) -> None:
    """Let server-side fetches reach the local publisher web on 127.0.0.1."""
    settings.ALLOW_PRIVATE_URLS = True


# The default cache is a directory in the data dir, which pytest-xdist's workers share while each
# has its own test database: a page one worker cached would show in the other's tests.
TEST_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with test-sized costs. The production costs (100 MiB, 8 lanes) take over a second
    a hash on a busy 2-core machine; tests/accounts/test_security.py checks those with the real
    settings (it asks for the `production_hasher` fixture)."""

    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1


@pytest.fixture(autouse=True)
def _quick_hashing(settings: Settings, request: pytest.FixtureRequest) -> None:
    if "production_hasher" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Settings) -> None:
    """An empty, per-process cache per test: a page or block one test cached never shows in the
    next one's pages."""
    from django.core.cache import cache

    settings.CACHES = TEST_CACHES
    cache.clear()


@pytest.fixture(autouse=True)
def _reads_written_at_once(settings: Settings) -> None:
    """Reads are written as they are counted, inside the test's transaction, rather than by a
    timer thread later (tests/reader/test_reads.py covers the buffer)."""
    settings.NEWSSTAND_READS_FLUSH_S = 0


@pytest.fixture(autouse=True)
def _fresh_foryou(settings: Settings) -> None:
    """No For You corpus, profile or page from an earlier test: SQLite reuses a rolled-back
    test's ids, which the per-process corpus cannot tell from the same articles."""
    from newsstand.foryou import live, window_cache

    # The first caller builds the corpus, in the test's transaction (tests/foryou covers the
    # background build).
    settings.NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND = False
    window_cache.reset()
    live.reset_caches()


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> Iterator[None]:
    """Tasks a request enqueues (account emails) run at once, in the test's process, through
    the real django.tasks backend (Huey's immediate mode), so the test sees their outcome.
    tests/accounts/test_security.py checks that the request itself only enqueues."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture(autouse=True)
def _fresh_sections() -> None:
    """No Section list kept from an earlier test, whose rows were rolled back."""
    from newsstand.articles.sections import forget_catalogue

    forget_catalogue()
