"""State changes of the daily briefing: subscribing, unsubscribing, and sending at most once.

Sending is claim, send, record (docs/decisions.md, "The briefing is sent at most once"):

1. claim: insert the (user, local date) delivery row in state SENDING and commit. The unique
   constraint lets exactly one sender win; a FAILED row is taken over by a conditional UPDATE.
2. send: through Django's mail backend, outside any transaction.
3. record: SENT, or FAILED with the error (the next run may try again, MAX_ATTEMPTS in all).

A crash between 1 and 3 leaves the row in SENDING, and nothing ever sends that date again: a
reader may miss a briefing, never get two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from newsstand.briefing import schedule
from newsstand.briefing.content import Briefing, build_briefing
from newsstand.briefing.emails import briefing_message, message_id, render_briefing
from newsstand.briefing.models import DEFAULT_SEND_TIME, BriefingDelivery, BriefingPreference

log = logging.getLogger(__name__)

__all__ = [
    "SendOutcome",
    "claim_delivery",
    "due_briefings",
    "preference_for",
    "send_briefing",
    "send_due_briefings",
    "set_briefing_preference",
    "subscribe_to_briefing",
    "unsubscribe_from_briefing",
]

# Deliveries older than this never matter to `due` (yesterday's is the oldest it looks at).
RECENT_DELIVERIES = timedelta(days=3)
ERROR_CHARS = 2000
# A send waits this long for For You's corpus when the worker has just started and is still
# building it (about a second per thousand articles); past it the briefing goes without For You.
FOR_YOU_WAIT_S = 300.0


# Preferences -------------------------------------------------------------------------------


def preference_for(user: Any) -> BriefingPreference:
    """The reader's preference, unsaved with the defaults if they never chose."""
    found = BriefingPreference.objects.filter(user_id=user.pk).first()
    return found or BriefingPreference(user_id=user.pk, send_time=DEFAULT_SEND_TIME)


def set_briefing_preference(
    user: Any,
    *,
    enabled: bool,
    send_time: time,
    time_zone: str,
    now: datetime | None = None,
    via: str = "settings",
) -> BriefingPreference:
    """Save the reader's choice. Turning it on or moving the time restarts the schedule from
    `now`, so only send times after the choice count. Raises UnknownTimeZone for a bad zone."""
    now = now or timezone.now()
    time_zone = schedule.zone_named(time_zone).key  # checked, and stored as zoneinfo names it
    send_time = send_time.replace(second=0, microsecond=0, tzinfo=None)
    with transaction.atomic():
        pref, created = BriefingPreference.objects.select_for_update().get_or_create(
            user_id=user.pk,
            defaults={
                "enabled": enabled,
                "send_time": send_time,
                "time_zone": time_zone,
                "schedule_since": now,
                "created_at": now,
            },
        )
        if not created:
            moved = (pref.send_time, pref.time_zone) != (send_time, time_zone)
            if enabled and (moved or not pref.enabled):
                pref.schedule_since = now
            if pref.enabled and not enabled:
                pref.unsubscribed_at = now
                pref.unsubscribed_via = via
            pref.enabled = enabled
            pref.send_time = send_time
            pref.time_zone = time_zone
            pref.save()
    log.info(
        "briefing preference user_id=%s enabled=%s time=%s zone=%s via=%s",
        user.pk,
        enabled,
        f"{send_time:%H:%M}",
        time_zone,
        via,
    )
    return pref


def subscribe_to_briefing(
    user: Any,
    *,
    send_time: time = DEFAULT_SEND_TIME,
    time_zone: str = "UTC",
    now: datetime | None = None,
) -> BriefingPreference:
    return set_briefing_preference(
        user, enabled=True, send_time=send_time, time_zone=time_zone, now=now
    )


def unsubscribe_from_briefing(
    user_id: int, *, via: str = "settings", now: datetime | None = None
) -> bool:
    """Stop the reader's briefing; True if it was on. Safe to repeat (a second click, a client
    that posts the one-click request twice)."""
    now = now or timezone.now()
    changed = BriefingPreference.objects.filter(user_id=user_id, enabled=True).update(
        enabled=False, unsubscribed_at=now, unsubscribed_via=via, updated_at=now
    )
    if changed:
        log.info("briefing unsubscribed user_id=%s via=%s", user_id, via)
    return bool(changed)


# Who is due --------------------------------------------------------------------------------


def due_briefings(now: datetime | None = None) -> list[schedule.Due]:
    """Readers whose briefing is due at `now` (two queries, whatever the number of readers)."""
    now = now or timezone.now()
    prefs = list(
        BriefingPreference.objects.filter(enabled=True, user__is_active=True).values(
            "user_id", "send_time", "time_zone", "schedule_since"
        )
    )
    if not prefs:
        return []
    # Local dates run up to 14 hours either side of UTC: a UTC window holds every local "today"
    # and "yesterday" `due` looks at.
    since = (now - RECENT_DELIVERIES).date()
    deliveries: dict[int, list[schedule.DeliveryFacts]] = {}
    for row in BriefingDelivery.objects.filter(
        user_id__in=[p["user_id"] for p in prefs], local_date__gte=since
    ).values("user_id", "local_date", "state", "attempts", "claimed_at", "sent_at"):
        deliveries.setdefault(row["user_id"], []).append(
            schedule.DeliveryFacts(
                local_date=row["local_date"],
                state=row["state"],
                attempts=row["attempts"],
                claimed_at=row["claimed_at"],
                sent_at=row["sent_at"],
            )
        )
    facts = [
        schedule.PreferenceFacts(
            user_id=p["user_id"],
            send_time=p["send_time"],
            time_zone=p["time_zone"],
            schedule_since=p["schedule_since"],
            deliveries=tuple(deliveries.get(p["user_id"], ())),
        )
        for p in prefs
    ]
    return schedule.due(facts, now)


# Sending -----------------------------------------------------------------------------------


def claim_delivery(
    user_id: int, local_date: date, due_at: datetime, now: datetime
) -> BriefingDelivery | None:
    """Make this sender the only one for (user, local date), committed before any email goes.

    A new row is inserted in state SENDING; an existing FAILED row with attempts left is taken
    over by a conditional UPDATE. Anything else (sent, sending, skipped, out of attempts, or
    another sender got there first) returns None.
    """
    try:
        with transaction.atomic():
            return BriefingDelivery.objects.create(
                user_id=user_id,
                local_date=local_date,
                state=BriefingDelivery.State.SENDING,
                due_at=due_at,
                claimed_at=now,
            )
    except IntegrityError:
        pass
    existing = (
        BriefingDelivery.objects.filter(user_id=user_id, local_date=local_date)
        .values("pk", "state", "attempts", "claimed_at", "sent_at")
        .first()
    )
    if existing is None:
        return None
    facts = schedule.DeliveryFacts(
        local_date=local_date,
        state=existing["state"],
        attempts=existing["attempts"],
        claimed_at=existing["claimed_at"],
        sent_at=existing["sent_at"],
    )
    if not schedule.may_retry(facts, now):
        return None
    # Only the sender that sees the row still FAILED at the same attempt count takes it.
    taken = BriefingDelivery.objects.filter(
        pk=existing["pk"], state=BriefingDelivery.State.FAILED, attempts=existing["attempts"]
    ).update(
        state=BriefingDelivery.State.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        error="",
    )
    if not taken:
        return None
    return BriefingDelivery.objects.get(pk=existing["pk"])


@dataclass(frozen=True)
class SendOutcome:
    user_id: int
    local_date: date
    outcome: str  # "sent", "failed", "skipped", "not_claimed", "unsubscribed", "too_late"
    detail: str = ""


def _finish(delivery: BriefingDelivery, state: str, **fields: Any) -> None:
    BriefingDelivery.objects.filter(pk=delivery.pk, state=BriefingDelivery.State.SENDING).update(
        state=state, **fields
    )
    log.info(
        "briefing %s user_id=%s date=%s attempt=%s%s",
        state,
        delivery.user_id,
        delivery.local_date,
        delivery.attempts,
        f" error={fields['error']!r}" if fields.get("error") else "",
    )


def send_briefing(
    user_id: int,
    local_date: date,
    *,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> SendOutcome:
    """Send `user_id`'s briefing for `local_date`, at most once, ever.

    The reader's preference is read again here: a reader who unsubscribed after the tick chose
    them gets nothing, and a task that waited in the queue past MAX_LATE is skipped. Call it
    outside any transaction (tasks and commands do): the claim must be committed before the send.
    """
    now = now or timezone.now()
    pref = (
        BriefingPreference.objects.filter(user_id=user_id, enabled=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if pref is None or not pref.user.email:
        return SendOutcome(user_id, local_date, "unsubscribed")
    zone = schedule.zone_named(pref.time_zone)
    due_at = due_at or schedule.send_moment(local_date, pref.send_time, zone)
    if now >= due_at + schedule.MAX_LATE:
        return SendOutcome(user_id, local_date, "too_late")

    delivery = claim_delivery(user_id, local_date, due_at, now)
    if delivery is None:
        return SendOutcome(user_id, local_date, "not_claimed")
    # From here on the row is committed as SENDING: whatever happens, no second email.
    user = pref.user
    try:
        briefing = build_briefing(user, now, local_date, wait_s=FOR_YOU_WAIT_S)
        if briefing.is_empty:
            _finish(delivery, BriefingDelivery.State.SKIPPED, error="nothing to send")
            return SendOutcome(user_id, local_date, "skipped", "nothing to send")
        message = _message(user, pref, briefing)
        message.send()
    except Exception as exc:  # SMTP errors, a template bug: recorded, tried again next run
        error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        _finish(delivery, BriefingDelivery.State.FAILED, error=error)
        log.exception("briefing failed user_id=%s date=%s", user_id, local_date)
        return SendOutcome(user_id, local_date, "failed", error)
    _finish(
        delivery,
        BriefingDelivery.State.SENT,
        sent_at=now,
        message_id=message_id(user_id, local_date),
        items=briefing.item_count,
    )
    return SendOutcome(user_id, local_date, "sent")


def _message(user: Any, pref: BriefingPreference, briefing: Briefing) -> Any:
    rendered = render_briefing(user, briefing, send_time=pref.send_time, time_zone=pref.time_zone)
    return briefing_message(user, rendered, briefing.local_date)


def send_due_briefings(now: datetime | None = None) -> list[SendOutcome]:
    """Send every due briefing in this process, one after another (the command; the worker
    spreads them over tasks instead)."""
    now = now or timezone.now()
    return [
        send_briefing(d.user_id, d.local_date, due_at=d.due_at, now=now) for d in due_briefings(now)
    ]
