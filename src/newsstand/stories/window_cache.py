"""The recent window read from the database, and one process's cached copy of it.

Two per-process caches hold the window vectorised: story assignment's clusterer
(`stories.actions.assignment`, in the worker) and For You's corpus (`foryou.window_cache`, in
each web process, and in the worker for the briefing). Both read it through here: one window
query (`window_q`), one article text (`article_text`), one time (`article_ts`), one batched
loader (`load_window`), and one cache holder (`WindowCache`) that drops its copy when the
database no longer holds what it saw.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db.models import Max, Q
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.clustering_engine import ClusterConfig
from newsstand.stories.similarity import ArticleVector
from newsstand.stories.text import ArticleText

log = logging.getLogger(__name__)

# Articles read and vectorised per query (one embedding batch) when a cache loads or catches up.
LOAD_BATCH = 500
# What every loader reads: the id, the text and the two times.
TEXT_FIELDS = ("id", "title", "summary", "content_text", "published_at", "fetched_at")


def window_seconds() -> float:
    """The stories window as configured (`ClusterConfig.window_days`), in seconds."""
    return ClusterConfig.from_settings().window_s


def window_q(now: datetime, window_s: float) -> Q:
    """Articles published in the last `window_s` (fetched then, when the date is unknown)."""
    start = now - timedelta(seconds=window_s)
    return Q(published_at__gte=start) | Q(published_at__isnull=True, fetched_at__gte=start)


def article_ts(row: dict[str, Any], now: datetime | None = None) -> float:
    """Publication time, else fetch time; dates in the future count as the fetch time."""
    now = now or timezone.now()
    when = row["published_at"]
    if when is None or when > now + timedelta(hours=1):
        when = row["fetched_at"] or now
    return when.timestamp()


def article_text(row: dict[str, Any]) -> ArticleText:
    """What is vectorised of an article: its title and its text (the summary when it has none)."""
    return ArticleText(title=row["title"] or "", body=row["content_text"] or row["summary"] or "")


def latest_article_id() -> int:
    """The highest article id (an index lookup): how a cache tells what it has not seen."""
    return Article.objects.aggregate(m=Max("pk"))["m"] or 0


def load_window(
    qs: Any,
    vectorize: Callable[[Sequence[ArticleText]], list[ArticleVector]],
    fields: Sequence[str] = (),
) -> Iterator[tuple[list[dict[str, Any]], list[ArticleVector]]]:
    """The rows of `qs` in id order, `LOAD_BATCH` at a time, each batch with its vectors.

    Rows hold `TEXT_FIELDS` and `fields`. Paging by id rather than by offset keeps every query
    an index range scan however deep into the window it is.
    """
    columns = (*TEXT_FIELDS, *(f for f in fields if f not in TEXT_FIELDS))
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").values(*columns)[:LOAD_BATCH])
        if not batch:
            return
        yield batch, vectorize([article_text(r) for r in batch])
        if len(batch) < LOAD_BATCH:
            return  # the last batch: no need to ask for an empty one
        last = batch[-1]["id"]


class Seen(Protocol):
    """A cached copy of the window knows the highest article id it has read."""

    max_id: int


class WindowCache[S: Seen]:
    """One process's copy of the window (`state`), shared by its threads under `lock`.

    The owner builds the state on first use and keeps it in step; `current` drops it when the
    database's highest id falls below the one the copy has seen (a restored backup, a test
    rollback): ids would be reused, and the copy could not tell new articles from old ones.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.RLock()
        self.state: S | None = None

    def reset(self) -> None:
        """Forget the copy (tests; after settings change)."""
        with self.lock:
            self.state = None

    def current(self, db_max: int) -> S | None:
        """The copy, unless the database shrank below it (then None). Call under `lock`."""
        state = self.state
        if state is not None and db_max < state.max_id:
            log.info("%s reset cached_max_id=%d db_max_id=%d", self.name, state.max_id, db_max)
            self.state = None
        return self.state
