"""Periodic search work on the Huey consumer (Huey autodiscovers this module)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsstand.search import actions


@db_periodic_task(crontab(minute="*/10"))
def fill_public_texts_tick() -> None:
    """Public search texts for articles written without the ORM's save (bulk loads, raw SQL,
    QuerySet.update): until then readers without full access cannot find them."""
    actions.fill_missing_public_texts()
