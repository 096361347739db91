"""On PostgreSQL a node refuses to start with a local queue, a local cache or no secret key."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from newsstand.config import cache_from_url, task_queue_from_url
from newsstand.server import checks


@pytest.fixture
def postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_postgres", lambda: True)


@pytest.fixture
def clustered(settings: Settings, tmp_path: object) -> None:
    settings.SINGLE_NODE = False
    settings.SECRET_KEY_FROM_ENV = True
    settings.TASK_QUEUE = task_queue_from_url(
        "redis://127.0.0.1:6379/0",
        data_dir=tmp_path,
        workers=2,  # type: ignore[arg-type]
    )
    settings.CACHES = {"default": cache_from_url("redis://127.0.0.1:6379/1")}


def _ids() -> list[str]:
    return [m.id or "" for m in checks.shared_state()]


def test_sqlite_sites_are_one_machine_and_never_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever database this pass of the suite runs on: the rule is about a SQLite site.
    monkeypatch.setattr(checks, "_postgres", lambda: False)
    settings.SINGLE_NODE = False
    settings.SECRET_KEY_FROM_ENV = False
    assert _ids() == []


@pytest.mark.usefixtures("postgres", "clustered")
def test_a_shared_queue_cache_and_key_pass() -> None:
    assert _ids() == []


@pytest.mark.usefixtures("postgres", "clustered")
def test_each_local_part_is_named(settings: Settings, tmp_path: object) -> None:
    settings.TASK_QUEUE = task_queue_from_url("", data_dir=tmp_path, workers=2)  # type: ignore[arg-type]
    assert _ids() == ["newsstand.E001"]
    settings.CACHES = {"default": cache_from_url(f"file://{tmp_path}")}
    settings.SECRET_KEY_FROM_ENV = False
    assert _ids() == ["newsstand.E001", "newsstand.E002", "newsstand.E003"]
    message = checks.shared_state()[0]
    assert "NEWSSTAND_TASK_QUEUE_URL" in (message.hint or "")
    assert "NEWSSTAND_SINGLE_NODE=1" in (message.hint or "")


@pytest.mark.usefixtures("postgres", "clustered")
@pytest.mark.parametrize("url", ["locmem://", "dummy://"])
def test_a_cache_in_memory_is_local_too(settings: Settings, url: str) -> None:
    settings.CACHES = {"default": cache_from_url(url)}
    assert _ids() == ["newsstand.E002"]


@pytest.mark.usefixtures("postgres")
def test_single_node_says_it_is_intended(settings: Settings) -> None:
    settings.SINGLE_NODE = True
    settings.SECRET_KEY_FROM_ENV = False
    assert _ids() == []


def test_the_checks_run_with_newsstand_check() -> None:
    from django.core.checks.registry import registry

    assert checks.shared_state in registry.get_checks()
