"""Counting article-page reads for the "reads" signal of Top stories, cheaply and harmlessly.

What counts as a read:
- GET requests only (HEAD is a probe), and not browser prefetches or link previews;
- not from obvious robots: a User-Agent naming a bot, crawler or spider, or none at all;
- once per story per hour per session, *when the visitor already has a session* (signed-in
  staff and readers). Newsstand never starts a session, or sets a cookie, just to count reads:
  that would add a database write and a cookie to every anonymous page view. Anonymous readers
  are counted per view; the per-hour buckets and log1p in the ranking keep that from dominating.

Counting never breaks the page: a failure is logged and the article is shown anyway.

Reads are buffered in each web process and written together (`ReadBuffer`), at most
`NEWSSTAND_READS_FLUSH_S` seconds after the first one waiting, by a timer thread rather than a
reader's request: one write per story and hour instead of one per page view. SQLite takes one
writer at a time, and a write in every view made a cached article page several times slower
under load (docs/benchmarks.md). A process that is killed loses what it buffered (seconds of
reads, where ranking looks at hours of them); one that stops normally writes them on its way out.

A page served from the page cache (reader/pagecache.py) still counts: `count_read` leaves the
read's target on the request, the cache stores it with the page and replays `count_target` for
every cached copy it serves (only ever to requests without a session, which are counted per view).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.actions import hour_bucket, record_story_read, record_story_reads
from newsstand.web.visitors import is_prefetch, is_probable_robot

logger = logging.getLogger(__name__)

SESSION_KEY = "newsstand_reads"
# The request attribute where count_read leaves its target for the page cache.
READ_TARGET_ATTR = "newsstand_read_target"
# Enough for a heavy reader's hour; the list is reset every hour anyway.
MAX_STORIES_PER_SESSION_HOUR = 200


@dataclass(frozen=True)
class ReadTarget:
    """What a view of an article page counts a read of."""

    article_id: int
    story_id: int | None


def should_count(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not is_prefetch(request)
        and not is_probable_robot(request.headers.get("User-Agent", ""))
    )


def _seen_this_hour(request: HttpRequest, story_id: int, now: datetime) -> bool:
    """True if this session already counted the story this hour; marks it otherwise.

    Only an existing session is read or written; visitors without one return False untouched.
    """
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return False
    hour = hour_bucket(now).isoformat()
    state = session.get(SESSION_KEY)
    # Loading may find the cookie's session gone (expired): do not start a new one here.
    if session.session_key is None:
        return False
    if not isinstance(state, dict) or state.get("hour") != hour:
        state = {"hour": hour, "stories": []}
    stories = state.get("stories")
    if not isinstance(stories, list):
        stories = []
    if story_id in stories:
        return True
    if len(stories) < MAX_STORIES_PER_SESSION_HOUR:
        session[SESSION_KEY] = {"hour": hour, "stories": [*stories, story_id]}
    return False


def count_read(request: HttpRequest, article: Article) -> bool:
    """Record a read of the article's story if this request is one; True if it was counted."""
    target = ReadTarget(article_id=article.pk, story_id=article.story_id)
    setattr(request, READ_TARGET_ATTR, target)
    return count_target(request, target)


def count_target(request: HttpRequest, target: ReadTarget) -> bool:
    """`count_read` for a page already rendered: the page cache calls this for cached copies."""
    if target.story_id is None or not should_count(request):
        return False
    now = timezone.now()
    try:
        if _seen_this_hour(request, target.story_id, now):
            return False
        delay_s: float = settings.NEWSSTAND_READS_FLUSH_S
        if delay_s > 0:
            read_buffer.add(target.story_id, hour_bucket(now), delay_s)
            return True
        # Inside a transaction (ATOMIC_REQUESTS, tests) a failed statement would poison the rest
        # of the request on PostgreSQL; a savepoint confines it.
        guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with guard:
            return record_story_read(target.story_id, now)
    except Exception:
        logger.exception(
            "read not counted article_id=%s story_id=%s", target.article_id, target.story_id
        )
        return False


class ReadBuffer:
    """Reads counted by this process and not yet written: {(story id, hour bucket): reads}.

    The first read into an empty buffer starts a timer; when it fires, a thread writes everything
    waiting in one transaction (`stories.actions.record_story_reads`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[int, datetime]] = Counter()
        self._timer: threading.Timer | None = None

    def add(self, story_id: int, hour: datetime, delay_s: float) -> None:
        with self._lock:
            self._counts[(story_id, hour)] += 1
            if self._timer is None:
                self._timer = threading.Timer(delay_s, self._flush_from_timer)
                self._timer.daemon = True
                self._timer.start()

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def flush(self) -> int:
        """Write what is waiting now; returns the reads written. Failures are logged, not raised."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if not counts:
            return 0
        try:
            written = record_story_reads(counts)
        except Exception:
            logger.exception(
                "buffered reads not counted reads=%d stories=%d",
                sum(counts.values()),
                len({story_id for story_id, _ in counts}),
            )
            return 0
        logger.debug("buffered reads written reads=%d rows=%d", written, len(counts))
        return written

    def _flush_from_timer(self) -> None:
        try:
            self.flush()
        finally:
            # The timer thread's own database connection; the next timer opens a fresh one.
            connection.close()


read_buffer = ReadBuffer()
# A worker that stops normally (gunicorn's graceful restart, Ctrl-C) writes what it holds.
atexit.register(read_buffer.flush)
