"""Background work for the reading-app APIs on the Huey consumer (Huey autodiscovers this)."""

from __future__ import annotations

from typing import Any

# Imported for its side effect: it registers Huey's "djtasks.run" task, which the consumer must
# know before the first django.tasks message reaches it.
import huey.contrib.djhuey.tasks_backend  # noqa: F401
from django.tasks import task

from newsstand.sync import tallies


@task()
def recount_total_task(user_id: int, flt: dict[str, Any]) -> int | None:
    """Count a reader's kept total in full again (sync.tallies), off the request."""
    return tallies.recount(user_id, flt)
