"""When a briefing is due: pure functions of a reader's choice, their deliveries and `now`.

Time zones are IANA names read with the standard library's zoneinfo. The two daylight-saving
edge cases follow PEP 495's `fold=0`, so every local send time maps to exactly one instant:

- a time the clocks skip (02:30 on a night they jump from 02:00 to 03:00) is read with the
  offset from before the jump, so the briefing goes at 03:30, as late after the jump as the
  chosen time was after 02:00;
- a time that happens twice (01:30 on a night they go back from 02:00 to 01:00) is its first
  occurrence; the second one is the same local date, whose delivery row already exists.

actions.py fills the facts from the database; nothing here touches it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# A briefing this late is no longer a morning briefing: it is skipped (the worker was down).
MAX_LATE = timedelta(hours=6)
# Never two briefings this close together, whatever the dates say (a reader who moves their time
# zone east after today's went out would otherwise get "tomorrow's" within hours).
MIN_GAP = timedelta(hours=12)
# A send the mail backend refused is tried again, this many times in all, waiting longer each time.
MAX_ATTEMPTS = 3
RETRY_WAIT = timedelta(minutes=5)  # x the attempts so far

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"


class UnknownTimeZone(ValueError):
    """Not an IANA time zone this system knows."""


@cache
def known_time_zones() -> frozenset[str]:
    """Every IANA name zoneinfo can load here ("UTC" included)."""
    return frozenset(available_timezones() | {"UTC"})


def zone_named(name: str) -> ZoneInfo:
    """The zone called `name`, or UnknownTimeZone with a message fit to show the reader."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise UnknownTimeZone("Choose your time zone from the list.")
    if cleaned not in known_time_zones():
        shown = cleaned if len(cleaned) <= 64 else cleaned[:61] + "..."
        raise UnknownTimeZone(
            f"“{shown}” is not a time zone we know. Choose one from the list, "
            "e.g. Europe/London or America/New_York."
        )
    try:
        return _load_zone(cleaned)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # listed, yet its file is unreadable
        raise UnknownTimeZone(f"The time zone “{cleaned}” cannot be loaded here.") from exc


@cache
def _load_zone(name: str) -> ZoneInfo:
    # ZoneInfo keeps only the 8 most recent zones strongly; a tick over readers in hundreds of
    # zones would read the tz files again for nearly every reader (measured: 80% of `due`).
    return ZoneInfo(name)


def send_moment(local_date: date, send_time: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of `send_time` on `local_date` in `zone`, DST edges as the module says."""
    local = datetime.combine(local_date, send_time.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def is_skipped_time(local_date: date, send_time: time, zone: ZoneInfo) -> bool:
    """Whether the clocks jump over `send_time` on `local_date` (it does not exist there)."""
    naive = datetime.combine(local_date, send_time.replace(tzinfo=None))
    back = send_moment(local_date, send_time, zone).astimezone(zone).replace(tzinfo=None)
    return back != naive


def is_repeated_time(local_date: date, send_time: time, zone: ZoneInfo) -> bool:
    """Whether `send_time` happens twice on `local_date` (the clocks go back over it)."""
    first = datetime.combine(local_date, send_time, tzinfo=zone)
    second = first.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and not is_skipped_time(
        local_date, send_time, zone
    )


@dataclass(frozen=True)
class DeliveryFacts:
    local_date: date
    state: str
    attempts: int = 1
    claimed_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class PreferenceFacts:
    """A reader with the briefing on, and their recent deliveries (the last few days)."""

    user_id: int
    send_time: time
    time_zone: str
    schedule_since: datetime
    deliveries: tuple[DeliveryFacts, ...] = field(default=())


@dataclass(frozen=True)
class Due:
    user_id: int
    local_date: date
    due_at: datetime  # UTC
    retry: bool = False  # an earlier attempt failed; this one takes its row over


def may_retry(delivery: DeliveryFacts, now: datetime) -> bool:
    """A failed delivery's next attempt may start: attempts left, and it waited long enough."""
    if delivery.state != FAILED or delivery.attempts >= MAX_ATTEMPTS:
        return False
    if delivery.claimed_at is None:
        return True
    return now >= delivery.claimed_at + RETRY_WAIT * delivery.attempts


def _due_for(pref: PreferenceFacts, now: datetime) -> Due | None:
    try:
        zone = zone_named(pref.time_zone)
    except UnknownTimeZone:
        return None  # validated on the way in; a zone the system dropped since sends nothing
    by_date = {d.local_date: d for d in pref.deliveries}
    last_sent = max((d.sent_at for d in pref.deliveries if d.sent_at), default=None)
    if last_sent is not None and now - last_sent < MIN_GAP:
        return None
    today = now.astimezone(zone).date()
    # Yesterday too: 23:50's briefing, with the worker back at 00:05, is 15 minutes late.
    for local_date in (today, today - timedelta(days=1)):
        moment = send_moment(local_date, pref.send_time, zone)
        if not (pref.schedule_since <= moment <= now < moment + MAX_LATE):
            continue
        existing = by_date.get(local_date)
        if existing is None:
            return Due(pref.user_id, local_date, moment)
        if may_retry(existing, now):
            return Due(pref.user_id, local_date, moment, retry=True)
        return None
    return None


def due(preferences: Iterable[PreferenceFacts], now: datetime) -> list[Due]:
    """Who gets a briefing now: their local send time today has passed (by less than MAX_LATE,
    and after they chose it), and today's delivery is not done, under way or out of retries."""
    found = (_due_for(p, now) for p in preferences)
    return sorted((d for d in found if d is not None), key=lambda d: (d.due_at, d.user_id))


def next_send(
    send_time: time,
    zone: ZoneInfo,
    schedule_since: datetime,
    now: datetime,
    done: Collection[date] = (),
) -> datetime:
    """When the next briefing goes (in `zone`): the first send time after the reader chose it
    whose date has no delivery yet (`done`), today's if it is still due."""
    start = now.astimezone(zone).date()
    for offset in range(3):
        local_date = start + timedelta(days=offset)
        moment = send_moment(local_date, send_time, zone)
        if local_date not in done and moment >= schedule_since and now < moment + MAX_LATE:
            return moment.astimezone(zone)
    return send_moment(start + timedelta(days=3), send_time, zone).astimezone(zone)
