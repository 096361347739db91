"""The background worker: Huey's consumer with one scheduler for the whole cluster.

Every worker runs Huey's scheduler thread, but a periodic job runs once per period whatever the
number of workers: before enqueueing, a scheduler takes the period's turn in the database
(actions.take_turn), and only the one that gets it enqueues. Periodic jobs and the ingest tick go
in at TICK_PRIORITY, ahead of any backlog of fetches. A heartbeat thread writes the worker's
WorkerHeartbeat every WORKER_HEARTBEAT_S for the staff page and /readyz.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from huey.api import Huey
from huey.consumer import Consumer, Scheduler

from newsstand.ingest import actions as ingest_actions
from newsstand.ingest.leases import held_leases
from newsstand.ingest.tasks import INGEST_TICK_S, TICK_PRIORITY, tick_task
from newsstand.ingest.workers import WORKER_HEARTBEAT_S
from newsstand.server.actions import take_turn

log = logging.getLogger(__name__)

PERIODIC_TURN = "huey-periodic"
INGEST_TURN = "ingest-tick"
PERIODIC_S = 60


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _take(name: str, number: int) -> bool:
    try:
        return take_turn(name, number, taken_by=worker_name())
    except Exception:
        # The database is down: no turn is taken, and the next period asks again.
        log.exception("scheduler turn failed turn=%s", name)
        return False
    finally:
        connection.close()


class ClusterScheduler(Scheduler):
    """Huey's scheduler, taking each period's turn before it enqueues periodic work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ingest_period = -1

    def loop(self, now: datetime | None = None) -> None:
        self.enqueue_ingest_tick()
        super().loop(now)

    def enqueue_ingest_tick(self, wall_s: float | None = None) -> bool:
        """Every INGEST_TICK_S of wall time, one scheduler of the cluster enqueues the tick."""
        if not self.periodic:
            return False
        period = int((time.time() if wall_s is None else wall_s) // INGEST_TICK_S)
        if period == self._ingest_period:
            return False
        self._ingest_period = period
        if not _take(INGEST_TURN, period):
            return False
        tick_task.enqueue()
        return True

    def enqueue_periodic_tasks(self, now: datetime | None, wall_s: float | None = None) -> bool:
        minute = int((time.time() if wall_s is None else wall_s) // PERIODIC_S)
        if not _take(PERIODIC_TURN, minute):
            self._logger.debug("periodic tasks of minute %s taken by another scheduler", minute)
            return False
        for task in self.huey.read_periodic(now):
            if task.priority is None:
                task.priority = TICK_PRIORITY
            self._logger.info("Enqueueing periodic task %s.", task)
            try:
                self.huey.enqueue(task)
            except Exception:
                self._logger.exception("Error enqueueing periodic task %s.", task)
        return True


class ClusterConsumer(Consumer):
    scheduler_class = ClusterScheduler


class Heartbeat:
    """Writes this worker's heartbeat every WORKER_HEARTBEAT_S until stopped."""

    def __init__(self, threads: int) -> None:
        self.name = worker_name()
        self.threads = threads
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        try:
            ingest_actions.note_worker_alive(
                self.name,
                host=socket.gethostname(),
                pid=os.getpid(),
                threads=self.threads,
                started_at=self.started_at,
                fetching=len(held_leases()),
            )
        except Exception:
            log.exception("worker heartbeat failed")
        finally:
            connection.close()

    def start(self) -> None:
        self.beat()
        try:
            ingest_actions.forget_old_workers()
        finally:
            connection.close()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(WORKER_HEARTBEAT_S):
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        try:
            ingest_actions.note_worker_stopped(self.name)
        except Exception:
            log.exception("worker heartbeat removal failed")
        finally:
            connection.close()


def consumer_options(threads: int | None) -> dict[str, Any]:
    options: dict[str, Any] = dict(settings.HUEY.get("consumer", {}))
    if threads:
        options["workers"] = threads
    options.setdefault("workers", 2)
    options.setdefault("worker_type", "thread")
    return options


def run_worker(huey: Huey, *, threads: int | None = None) -> None:
    """Run the consumer in the foreground until SIGINT or SIGTERM."""
    autodiscover_modules("tasks")
    options = consumer_options(threads)
    consumer = ClusterConsumer(huey, **options)
    heartbeat = Heartbeat(int(options["workers"]))
    heartbeat.start()
    try:
        consumer.run()
    finally:
        heartbeat.stop()
