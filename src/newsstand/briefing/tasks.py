"""The briefing on django.tasks (Huey backend): a minute tick finds who is due and enqueues one
send each. The tick claims nothing: the send task claims its (reader, date) row itself, so a
task lost with a worker is simply chosen again by the next tick, and a task enqueued twice (two
ticks before a busy worker reached it) finds the row taken and sends nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

# Imported for its side effect: it registers Huey's "djtasks.run" task, which the consumer must
# know before the first django.tasks message reaches it.
import huey.contrib.djhuey.tasks_backend  # noqa: F401
from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.briefing import actions

log = logging.getLogger(__name__)


@task()
def send_briefing_task(user_id: int, local_date: str, due_at: str) -> str:
    outcome = actions.send_briefing(
        user_id, date.fromisoformat(local_date), due_at=datetime.fromisoformat(due_at)
    )
    return outcome.outcome


def enqueue_due_briefings(now: datetime | None = None) -> int:
    """Enqueue one send per reader due at `now`; returns how many."""
    due = actions.due_briefings(now)
    for item in due:
        send_briefing_task.enqueue(
            item.user_id, item.local_date.isoformat(), item.due_at.isoformat()
        )
    if due:
        log.info("briefing tick enqueued count=%d", len(due))
    return len(due)


@db_periodic_task(crontab(minute="*"))
def briefing_tick() -> None:
    """Every minute: a briefing goes within a minute of its time."""
    enqueue_due_briefings()
