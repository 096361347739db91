"""State changes of the ledger: recording a member's full read.

`decide_full_read` is the pure decision (who, which ticket, how long, how far); `record_full_read`
asks it and writes the row. A claim the decision refuses raises `ReadRefused` with a reason a
person can read; the endpoint answers with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ledger.models import FullRead
from newsstand.ledger.rules import ReadRules
from newsstand.ledger.tickets import TicketError, read_ticket
from newsstand.membership.access import has_full_access

log = logging.getLogger(__name__)

Via = FullRead.Via


class ReadRefused(Exception):
    """A claim that is not recorded: `status` is the HTTP status the endpoint answers with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ReadDecision:
    day: date
    opened_at: datetime
    via: str


@dataclass(frozen=True)
class RecordedRead:
    read: FullRead
    created: bool


def local_day(when: datetime) -> date:
    """The calendar day of `when` in settings.TIME_ZONE: reads and months are counted in it."""
    return timezone.localtime(when, timezone.get_default_timezone()).date()


def decide_full_read(
    *,
    is_member: bool,
    user_id: int,
    article_id: int,
    ticket: str,
    via: str,
    depth: float | None,
    now: datetime,
    rules: ReadRules,
) -> ReadDecision:
    """Whether a claim is a full read to record, and its day; raises ReadRefused otherwise."""
    if not is_member:
        raise ReadRefused(
            "not_a_member",
            "Only members' reads are recorded: this account has no current trial or membership.",
            status=403,
        )
    try:
        found = read_ticket(
            ticket,
            user_id=user_id,
            article_id=article_id,
            now=now,
            max_age_s=rules.ticket_max_age_s,
        )
    except TicketError as exc:
        raise ReadRefused(exc.code, exc.message) from None
    if via == Via.SCROLL:
        # The server cannot see the screen: a scroll claim is trusted for its depth. What bounds
        # abuse is the ticket (a member's own, fresh) and one read per member, article and day.
        if depth is None or depth < rules.scroll:
            raise ReadRefused(
                "too_shallow",
                f"A read by scrolling needs {rules.scroll:.0%} of the article; the claim says "
                f"{0 if depth is None else depth:.0%}.",
            )
    elif via == Via.TIME:
        waited_s = (now - found.opened_at).total_seconds()
        if waited_s < rules.seconds:
            raise ReadRefused(
                "too_early",
                f"A read takes {rules.seconds} seconds; this page was opened {waited_s:.0f} "
                "seconds ago.",
            )
    else:
        raise ReadRefused("bad_via", f"Unknown kind of read {via!r}: expected time or scroll.")
    return ReadDecision(day=local_day(now), opened_at=found.opened_at, via=via)


def record_full_read(
    user: Any,
    article: Article,
    now: datetime | None = None,
    *,
    ticket: str,
    via: str,
    depth: float | None = None,
    rules: ReadRules | None = None,
) -> RecordedRead:
    """Record `user`'s full read of `article`, once per member, article and day (idempotent).

    Raises ReadRefused for non-members (403), for forged, someone else's, expired or
    too-early tickets (400), and past `rules.reads_per_day` reads of one member in a day (429).
    A second claim on the same day returns the first row.
    """
    now = now or timezone.now()
    rules = rules or ReadRules.from_settings()
    try:
        decision = decide_full_read(
            is_member=has_full_access(user, now),
            user_id=user.pk,
            article_id=article.pk,
            ticket=ticket,
            via=via,
            depth=depth,
            now=now,
            rules=rules,
        )
    except ReadRefused as exc:
        log.info(
            "full read refused user_id=%s article_id=%s code=%s",
            getattr(user, "pk", None),
            article.pk,
            exc.code,
        )
        raise
    limit = rules.reads_per_day
    counted = FullRead.objects.filter(user=user, day=decision.day).count()
    if counted >= limit:
        # A read already counted today is acknowledged, not refused (the tracker may retry).
        existing = FullRead.objects.filter(user=user, article=article, day=decision.day).first()
        if existing is not None:
            return RecordedRead(read=existing, created=False)
        # Past what one person reads in a day, a claim is a script farming payouts for a
        # publisher: refused and logged, so an operator can look at the account.
        log.warning(
            "full read refused user_id=%s article_id=%s code=daily_limit counted=%d limit=%d",
            user.pk,
            article.pk,
            counted,
            limit,
        )
        raise ReadRefused(
            "daily_limit",
            f"You have {counted} full reads counted today, the most one member can have "
            f"({limit}); further reads today are not counted.",
            429,
        )
    # get_or_create retries its lookup when a concurrent claim wins the unique constraint.
    with transaction.atomic():
        read, created = FullRead.objects.get_or_create(
            user=user,
            article=article,
            day=decision.day,
            defaults={
                "publisher_id": article.publisher_id,
                "read_at": now,
                "opened_at": decision.opened_at,
                "via": decision.via,
            },
        )
    if created:
        log.info(
            "full read recorded user_id=%s article_id=%s publisher_id=%s day=%s via=%s",
            user.pk,
            article.pk,
            article.publisher_id,
            decision.day,
            decision.via,
        )
    return RecordedRead(read=read, created=created)
