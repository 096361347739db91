"""Which background workers are alive: their heartbeats, read for the staff page and /readyz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from newsstand.ingest.models import WorkerHeartbeat

# A worker reports every WORKER_HEARTBEAT_S; three missed reports and it is taken for dead.
WORKER_HEARTBEAT_S = 10
WORKER_STALE_S = 3 * WORKER_HEARTBEAT_S
# Dead workers stay listed this long (staff see that one stopped), then their rows go.
WORKER_FORGET_S = 24 * 60 * 60


@dataclass(frozen=True)
class WorkerState:
    name: str
    host: str
    pid: int
    threads: int
    fetching: int
    started_at: datetime
    seen_at: datetime
    seen_s_ago: float
    alive: bool


def worker_states(now: datetime | None = None) -> list[WorkerState]:
    """Every worker heard from in the last day, alive ones first."""
    now = now or timezone.now()
    rows = WorkerHeartbeat.objects.filter(seen_at__gte=now - timedelta(seconds=WORKER_FORGET_S))
    states = [
        WorkerState(
            name=row.name,
            host=row.host,
            pid=row.pid,
            threads=row.threads,
            fetching=row.fetching,
            started_at=row.started_at,
            seen_at=row.seen_at,
            seen_s_ago=max(0.0, (now - row.seen_at).total_seconds()),
            alive=(now - row.seen_at).total_seconds() <= WORKER_STALE_S,
        )
        for row in rows
    ]
    return sorted(states, key=lambda s: (not s.alive, s.name))
