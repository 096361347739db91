"""Counting article-page reads for the "reads" signal of Top stories, cheaply and harmlessly.

What counts as a read:
- GET requests only (HEAD is a probe), and not browser prefetches or link previews;
- not from obvious robots: a User-Agent naming a bot, crawler or spider, or none at all;
- once per story per hour per session, *when the visitor already has a session* (signed-in
  staff and readers). Newsstand never starts a session, or sets a cookie, just to count reads:
  that would add a database write and a cookie to every anonymous page view. Anonymous readers
  are counted per view; the per-hour buckets and log1p in the ranking keep that from dominating.

Counting never breaks the page: a failure is logged and the article is shown anyway.
"""

from __future__ import annotations

import logging
import re
from contextlib import nullcontext
from datetime import datetime

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.actions import hour_bucket, record_read

logger = logging.getLogger(__name__)

SESSION_KEY = "newsstand_reads"
# Enough for a heavy reader's hour; the list is reset every hour anyway.
MAX_STORIES_PER_SESSION_HOUR = 200
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|headless|python-|curl/|wget/",
    re.IGNORECASE,
)


def is_probable_robot(user_agent: str) -> bool:
    """Whether a User-Agent looks like software rather than a person; empty counts as software."""
    user_agent = user_agent.strip()
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def is_prefetch(request: HttpRequest) -> bool:
    purpose = " ".join(
        request.headers.get(h, "") for h in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
    ).lower()
    return "prefetch" in purpose or "preview" in purpose


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
    if article.story_id is None or not should_count(request):
        return False
    now = timezone.now()
    try:
        if _seen_this_hour(request, article.story_id, now):
            return False
        # Inside a transaction (ATOMIC_REQUESTS, tests) a failed statement would poison the rest
        # of the request on PostgreSQL; a savepoint confines it.
        guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with guard:
            return record_read(article, now)
    except Exception:
        logger.exception("read not counted article_id=%s story_id=%s", article.pk, article.story_id)
        return False
