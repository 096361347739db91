"""One scheduler for the cluster: however many workers, each period's jobs are enqueued once,
ahead of the fetches."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from huey import MemoryHuey, crontab

from newsstand.config import task_queue_from_url
from newsstand.ingest.tasks import TICK_PRIORITY, refresh_feed_task, tick_task
from newsstand.server import worker
from newsstand.server.actions import take_turn

pytestmark = pytest.mark.django_db(transaction=True)


def _scheduler(huey: MemoryHuey) -> worker.ClusterScheduler:
    return worker.ClusterScheduler(huey, threading.Event(), 1, True)


@pytest.fixture
def huey() -> MemoryHuey:
    queue = MemoryHuey("test", immediate=False)

    @queue.periodic_task(crontab(minute="*"))
    def every_minute() -> None:
        pass

    return queue


def test_a_minute_s_periodic_jobs_are_enqueued_by_one_of_many_schedulers(
    huey: MemoryHuey,
) -> None:
    schedulers = [_scheduler(huey) for _ in range(4)]
    minute_s = 1_000_000 * 60.0
    taken = [s.enqueue_periodic_tasks(None, wall_s=minute_s + i) for i, s in enumerate(schedulers)]
    assert taken == [True, False, False, False]
    assert huey.pending_count() == 1
    # The next minute, whichever asks first takes it.
    assert schedulers[2].enqueue_periodic_tasks(None, wall_s=minute_s + 60)
    assert not schedulers[0].enqueue_periodic_tasks(None, wall_s=minute_s + 61)
    assert huey.pending_count() == 2
    assert {t.priority for t in huey.pending()} == {TICK_PRIORITY}


def test_the_ingest_tick_is_enqueued_once_per_period(
    huey: MemoryHuey, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueued: list[Any] = []
    monkeypatch.setattr(worker, "tick_task", SimpleNamespace(enqueue=lambda: enqueued.append(1)))
    a, b = _scheduler(huey), _scheduler(huey)
    start = 2_000_000 * 15.0
    assert a.enqueue_ingest_tick(start) and not b.enqueue_ingest_tick(start + 1)
    assert not a.enqueue_ingest_tick(start + 2)  # the same period: not even asked again
    assert b.enqueue_ingest_tick(start + 15)
    assert len(enqueued) == 2


def test_turns_race_to_exactly_one_winner() -> None:
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def contend() -> None:
        from django.db import connection

        barrier.wait()
        try:
            results.append(take_turn("race", 7))
        finally:
            connection.close()

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert not take_turn("race", 7) and not take_turn("race", 6) and take_turn("race", 8)


def test_ticks_go_ahead_of_fetches_on_every_shared_queue(tmp_path: Any) -> None:
    assert tick_task.priority == TICK_PRIORITY > refresh_feed_task.priority
    from huey.utils import load_class

    for url in ("", "redis://127.0.0.1:6379/0", "postgres://u@127.0.0.1:5432/db"):
        config = dict(task_queue_from_url(url, data_dir=tmp_path, workers=2).huey)
        assert load_class(config["huey_class"]).storage_class.priority, url


def test_the_worker_takes_its_threads_from_the_command_line() -> None:
    assert worker.consumer_options(5)["workers"] == 5
    assert worker.consumer_options(None)["worker_type"] == "thread"
