"""A refresh with many new entries lets stories import the assignment's modules meanwhile."""

from __future__ import annotations

import threading

import pytest

from newsstand.ingest.signals import refresh_started
from newsstand.stories import receivers


@pytest.fixture
def fresh_process(monkeypatch):
    """As in a process that has not assigned anything yet; the imports asked for, recorded."""
    monkeypatch.setattr(receivers, "_loading", threading.Lock())
    monkeypatch.setattr(receivers, "_loaded", threading.Event())
    asked: list[str] = []
    monkeypatch.setattr(receivers.importlib, "import_module", asked.append)
    return asked


def test_a_refresh_with_many_entries_loads_the_assignment_once(fresh_process):
    refresh_started.send(sender=None, new_entries=receivers.WARM_UP_MIN_ENTRIES)
    assert receivers._loaded.wait(timeout=5)
    refresh_started.send(sender=None, new_entries=200)  # loaded: not again
    assert fresh_process == ["newsstand.stories.actions"]


def test_a_refresh_with_a_few_entries_leaves_it_to_the_assignment(fresh_process):
    refresh_started.send(sender=None, new_entries=receivers.WARM_UP_MIN_ENTRIES - 1)
    assert not receivers._loaded.is_set()
    assert fresh_process == []


def test_a_failed_warm_up_is_logged_and_never_raised(monkeypatch, caplog):
    monkeypatch.setattr(receivers, "_loading", threading.Lock())
    monkeypatch.setattr(receivers, "_loaded", threading.Event())

    def broken(name: str) -> None:
        raise ImportError("no such model")

    monkeypatch.setattr(receivers.importlib, "import_module", broken)
    refresh_started.send(sender=None, new_entries=100)
    assert receivers._loaded.wait(timeout=5)
    assert "warm-up failed" in caplog.text
