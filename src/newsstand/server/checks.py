"""System checks for a site that runs on more than one machine (`newsstand check` shows them).

With PostgreSQL the site may have many web nodes and workers; each keeps its own disk, so a
queue, cache or secret key on that disk would split the site without a word: tasks enqueued on
one node that no worker sees, a sign-out one node never hears of, sessions the other nodes'
keys reject. Such a process refuses to start (`up`, `worker`, `migrate` run these checks) unless
NEWSSTAND_SINGLE_NODE=1 says the site is one machine on purpose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from newsstand.config import is_local_cache

SINGLE_NODE_HINT = (
    "Or, if this site runs on one machine only, set NEWSSTAND_SINGLE_NODE=1 (docs/scaling-out.md)."
)


def _postgres() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


@register("newsstand")
def shared_state(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _postgres() or settings.SINGLE_NODE:
        return []
    errors: list[CheckMessage] = []
    if not settings.TASK_QUEUE.shared:
        errors.append(
            Error(
                "The task queue is a file on this machine's disk, but the database is "
                "PostgreSQL: workers on other machines would never see its tasks.",
                hint="Set NEWSSTAND_TASK_QUEUE_URL=redis://host:6379/0. " + SINGLE_NODE_HINT,
                id="newsstand.E001",
            )
        )
    if is_local_cache(settings.CACHES["default"]):
        errors.append(
            Error(
                "The cache is kept on this machine (files or memory), but the database is "
                "PostgreSQL: a sign-out, a rate limit or a page change on one node would not "
                "reach the others.",
                hint="Set NEWSSTAND_CACHE_URL=redis://host:6379/1. " + SINGLE_NODE_HINT,
                id="newsstand.E002",
            )
        )
    if not settings.SECRET_KEY_FROM_ENV:
        errors.append(
            Error(
                "NEWSSTAND_SECRET_KEY is not set, but the database is PostgreSQL: each node "
                "would generate its own key and reject the sessions and links of the others.",
                hint="Set NEWSSTAND_SECRET_KEY to the same long random value on every node. "
                + SINGLE_NODE_HINT,
                id="newsstand.E003",
            )
        )
    return errors
