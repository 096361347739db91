"""Trial countdown and reminder timing, decided purely from the trial's dates and `now`."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

DAY = timedelta(days=1)


def trial_days_left(trial_ends_at: datetime | None, now: datetime) -> int:
    """Whole days left, rounded up: 14 right after sign-up, 1 on the last day, 0 once over."""
    if trial_ends_at is None or now >= trial_ends_at:
        return 0
    return math.ceil((trial_ends_at - now) / DAY)


def trial_day(trial_started_at: datetime, now: datetime) -> int:
    """Which day of the trial `now` falls on; day 1 is the 24 hours from the start."""
    return (now - trial_started_at) // DAY + 1


def reminder_kind(day: int) -> str:
    return f"trial_day_{day}"


def due_reminder(
    trial_started_at: datetime | None,
    trial_ends_at: datetime | None,
    now: datetime,
    reminder_days: tuple[int, ...],
) -> int | None:
    """The reminder day to send now, if any: the latest configured day that has begun.

    Only while the trial runs. One that was missed (the worker was down over day 11 and it is
    now day 14) is not sent late: the latest one says everything the earlier would have.
    """
    if trial_started_at is None or trial_ends_at is None or now >= trial_ends_at:
        return None
    today = trial_day(trial_started_at, now)
    begun = [d for d in reminder_days if d <= today]
    return max(begun) if begun else None
