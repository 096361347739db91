"""Background ingestion on django.tasks (Huey backend) and the consumer's periodic tick.

The schedule lives in the database (Feed.next_check_at and Feed.leased_until): the tick claims due
feeds and enqueues one task per feed. A task lost with a crashed worker leaves its lease to run
out, and the next tick claims the feed again.
"""

from __future__ import annotations

import logging
from typing import Any

# Imported for its side effect: it registers Huey's "djtasks.run" task, which the consumer must
# know before the first django.tasks message reaches it.
import huey.contrib.djhuey.tasks_backend  # noqa: F401
from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.ingest import actions

log = logging.getLogger(__name__)


@task()
def refresh_feed_task(feed_id: int) -> dict[str, Any]:
    report = actions.refresh_feed(feed_id)
    if report.identity_due_for is not None:
        # Its own task: the homepage and icons are other hosts' time, not this feed's.
        refresh_identity_task.enqueue(report.identity_due_for)
    return {"feed_id": report.feed_id, "outcome": report.outcome, "new": report.new_articles}


@task()
def refresh_identity_task(publisher_id: int) -> dict[str, Any]:
    report = actions.refresh_publisher_identity(publisher_id)
    return {"publisher_id": publisher_id, "renamed": report.renamed, "icon": report.has_icon}


@task()
def tick_task() -> int:
    """Claim due feeds and enqueue one refresh each; returns how many were enqueued."""
    return enqueue_due_feeds()


def enqueue_due_feeds() -> int:
    ids = actions.claim_due_feeds()
    for feed_id in ids:
        refresh_feed_task.enqueue(feed_id)
    if ids:
        log.info("tick enqueued feeds count=%d", len(ids))
    return len(ids)


@db_periodic_task(crontab(minute="*"))
def ingest_tick() -> None:
    enqueue_due_feeds()
