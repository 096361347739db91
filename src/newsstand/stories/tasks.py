"""Background work for stories on the Huey consumer (Huey autodiscovers this module)."""

from __future__ import annotations

import logging

from django.tasks import task
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


# Clustering ("cluster") --------------------------------------------------------------------


@task()
def assign_stories_task(article_ids: list[int]) -> dict[str, int]:
    """Assign stories to these (and any newer unassigned) articles; ingestion calls the action
    directly after each feed, this is for callers that want it queued."""
    report = actions.assign_stories(article_ids)
    return {"assigned": report.assigned, "joined": report.joined, "started": report.started}


@db_periodic_task(crontab(minute="*/10"))
def assign_leftovers_tick() -> None:
    """Every ten minutes: a story for any article left without one (a crash between storing
    and assigning), whatever its age."""
    report = actions.assign_leftovers()
    if report.assigned:
        log.info("stories leftovers assigned=%d", report.assigned)


@db_periodic_task(crontab(minute="17"))
def repair_stories_tick() -> None:
    """Hourly: merge near-duplicate stories and split incoherent ones changed lately."""
    report = actions.repair_stories()
    log.info(
        "stories repair checked=%d merged=%d split=%d", report.checked, report.merged, report.split
    )
