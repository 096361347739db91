"""The anonymous page cache's generation: bumping it makes every cached page stale at once.

Here, below the packages whose changes must bust the cache (Our Picks in `stories`), while the
cache itself (`reader.pagecache`) sits on top with the pages it stores.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

__all__ = ["GENERATION_KEY", "KEY_PREFIX", "bust_pages"]

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:v1"
GENERATION_KEY = f"{KEY_PREFIX}:generation"


def bust_pages() -> None:
    """Make every cached page stale now (for every worker, when the cache is shared)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): any new value busts
            cache.set(GENERATION_KEY, 1, timeout=None)
    except Exception:
        logger.exception("page cache: bust failed; pages stay up to NEWSSTAND_PAGE_CACHE_S old")
    else:
        logger.info("page cache busted")
