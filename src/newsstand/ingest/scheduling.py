"""When to check a feed next: pure decisions, no database.

A feed that publishes every ten minutes is polled often; one that publishes weekly is polled
daily. Errors back off exponentially with jitter so a broken server is not hammered and many
feeds failing together do not retry in lockstep.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

MIN_INTERVAL_S = 5 * 60
MAX_INTERVAL_S = 24 * 60 * 60
DEFAULT_INTERVAL_S = 60 * 60
# Poll about twice per typical gap between posts: new items are seen within half a gap.
POLL_FRACTION_OF_GAP = 0.5
ERROR_BASE_S = 5 * 60
JITTER_FRACTION = 0.2
# How far back publication times tell us about a feed's rhythm.
RHYTHM_WINDOW = timedelta(days=7)


def clamp_interval(seconds: float) -> float:
    return max(MIN_INTERVAL_S, min(MAX_INTERVAL_S, seconds))


def publishing_interval_s(published: Iterable[datetime | None], now: datetime) -> float:
    """Seconds to wait before the next check, from the feed's recent publication times."""
    recent = sorted(
        (t for t in published if t is not None and now - RHYTHM_WINDOW <= t <= now),
        reverse=True,
    )
    if len(recent) < 2:
        # One or no recent post: a quiet feed. Check a few times a day.
        return clamp_interval(DEFAULT_INTERVAL_S * (6 if not recent else 3))
    span_s = (recent[0] - recent[-1]).total_seconds()
    mean_gap_s = span_s / (len(recent) - 1)
    return clamp_interval(mean_gap_s * POLL_FRACTION_OF_GAP)


def next_check_after_success(
    now: datetime,
    published: Iterable[datetime | None],
    *,
    ttl_minutes: int | None = None,
    max_age_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """The next check time after a successful fetch (200 or 304).

    The publisher's own hints (RSS <ttl>, Cache-Control max-age / Expires) are a floor: we never
    poll more often than they ask, within our 5 min to 24 h clamp.
    """
    interval = publishing_interval_s(published, now)
    for hint in (ttl_minutes * 60 if ttl_minutes else None, max_age_s):
        if hint:
            interval = max(interval, clamp_interval(hint))
    return now + timedelta(seconds=_jitter(interval, rng))


def next_check_after_error(
    now: datetime,
    error_count: int,
    *,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """Exponential back-off: 5 min, 10, 20, … up to 24 h; Retry-After wins when it is longer."""
    exponent = max(0, error_count - 1)
    interval = clamp_interval(ERROR_BASE_S * (2 ** min(exponent, 16)))
    if retry_after_s:
        interval = max(interval, min(float(MAX_INTERVAL_S), retry_after_s))
    return now + timedelta(seconds=_jitter(interval, rng))


def _jitter(seconds: float, rng: random.Random | None) -> float:
    # Not security sensitive: jitter only spreads load.
    r = rng or random
    return seconds * r.uniform(1 - JITTER_FRACTION, 1 + JITTER_FRACTION)
