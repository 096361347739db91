"""Background ingestion on django.tasks (Huey backend), and the tick the scheduler enqueues.

The schedule lives in the database (Feed.next_check_at and Feed.leased_until): the tick claims due
feeds and enqueues one task per feed, carrying its claim. When the queue is empty it first frees
the claims whose task was lost (actions.release_lost_claims), so a lost task costs its feed
LOST_CLAIM_S and a tick rather than the claim's whole LEASE_S. The cluster's one scheduler
(server/worker.py) enqueues the tick every INGEST_TICK_S at TICK_PRIORITY, ahead of any backlog of
fetches. A task lost with a crashed worker leaves its lease to run out (ingest/leases.py), and a
later tick claims the feed again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

# Imported for its side effect: it registers Huey's "djtasks.run" task, which the consumer must
# know before the first django.tasks message reaches it.
import huey.contrib.djhuey.tasks_backend  # noqa: F401
from django.tasks import task
from huey.contrib.djhuey import HUEY

from newsstand.ingest import actions

log = logging.getLogger(__name__)

# Ticks go before fetches in the queue (higher runs first; django.tasks allows -100..100).
TICK_PRIORITY = 100
# How often the due feeds are claimed: a dead worker's feed (its lease ends RUNNING_LEASE_S
# after its last renewal) is handed to a live worker within 30 + 15 s.
INGEST_TICK_S = 15


@task()
def refresh_feed_task(feed_id: int, lease: str | None = None) -> dict[str, Any]:
    claimed = datetime.fromisoformat(lease) if lease else None
    report = actions.refresh_feed(feed_id, lease=claimed)
    if report.identity_due_for is not None:
        # Its own task: the homepage and icons are other hosts' time, not this feed's.
        refresh_identity_task.enqueue(report.identity_due_for)
    return {"feed_id": report.feed_id, "outcome": report.outcome, "new": report.new_articles}


@task()
def refresh_identity_task(publisher_id: int) -> dict[str, Any]:
    report = actions.refresh_publisher_identity(publisher_id)
    return {"publisher_id": publisher_id, "renamed": report.renamed, "icon": report.has_icon}


@task(priority=TICK_PRIORITY)
def tick_task() -> int:
    """Claim due feeds and enqueue one refresh each; returns how many were enqueued."""
    return enqueue_due_feeds()


def enqueue_due_feeds() -> int:
    if _queue_is_empty():
        lost = actions.release_lost_claims()
        if lost:
            log.warning("tick released claims whose task was lost count=%d", lost)
    claims = actions.claim_due_leases()
    for feed_id, until in claims:
        refresh_feed_task.enqueue(feed_id, until.isoformat())
    if claims:
        log.info("tick enqueued feeds count=%d", len(claims))
    return len(claims)


def _queue_is_empty() -> bool:
    """Nothing waits in the task queue (this tick is out of it, running)."""
    try:
        return int(HUEY.pending_count()) == 0
    except Exception:
        # Unreadable: assume tasks wait, and leave the claims to LEASE_S.
        log.warning("tick could not read the queue depth", exc_info=True)
        return False
