"""Periodic membership work on the Huey consumer (Huey autodiscovers this module)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.membership import actions

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def expire_memberships_tick() -> None:
    """Write down trials and paid periods that ended (access already ends at their dates)."""
    actions.expire_due_memberships()


@db_periodic_task(crontab(minute="7"))
def trial_reminders_tick() -> None:
    """Hourly: the day-11 and day-14 trial reminders (each at most once per membership)."""
    sent = actions.send_trial_reminders()
    log.debug("trial reminders sent=%d", sent)
