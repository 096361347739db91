"""Background work for personal state on the Huey consumer (Huey autodiscovers this module)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.personal import actions

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def prune_state_changes_tick() -> None:
    """Every five minutes: forget state changes no kept total can still need."""
    pruned = actions.prune_state_changes()
    if pruned:
        log.debug("state changes pruned=%d", pruned)
