"""Background work for stories on the Huey consumer (Huey autodiscovers this module)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.stories import actions

log = logging.getLogger(__name__)


# Ranking ("rank") --------------------------------------------------------------------------


@db_periodic_task(crontab(minute="*/5"))
def rank_stories_tick() -> None:
    """Re-rank Top stories every five minutes: recency decay and reads change between ingests."""
    report = actions.rank_stories()
    log.debug("rank tick ranked=%d zeroed=%d", report.ranked, report.zeroed)
