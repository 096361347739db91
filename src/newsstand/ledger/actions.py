"""State changes of the ledger: recording a member's full read.

`decide_full_read` is the pure decision (who, which ticket, how long, how far); `record_full_read`
asks it, checks the member's rates and that the ticket was not used before, and writes the row.
A claim that is not recorded raises `ReadRefused` with a reason a person can read; the endpoint
answers with it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ledger.models import FullRead
from newsstand.ledger.rules import ReadRules
from newsstand.ledger.tickets import TicketError, read_ticket
from newsstand.membership.access import membership_grants_access, user_membership
from newsstand.membership.models import Membership

log = logging.getLogger(__name__)

Via = FullRead.Via


class ReadRefused(Exception):
    """A claim that is not recorded: `status` is the HTTP status the endpoint answers with;
    `retry_after_s`, when set, is how long until the same claim could succeed; `detail` is
    context for the log line."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        retry_after_s: int | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after_s = retry_after_s
        self.detail = detail


@dataclass(frozen=True)
class ReadDecision:
    day: date
    opened_at: datetime
    via: str
    trial: bool = False


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
    is_trial: bool = False,
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
    if via not in Via.values:
        raise ReadRefused("bad_via", f"Unknown kind of read {via!r}: expected time or scroll.")
    if via == Via.SCROLL and (depth is None or depth < rules.scroll):
        raise ReadRefused(
            "too_shallow",
            f"A read by scrolling needs {rules.scroll:.0%} of the article; the claim says "
            f"{0 if depth is None else depth:.0%}.",
        )
    # Whichever way the browser measured it, a read takes the reading time on the server's
    # clock since the page was served: the browser's own word (a scroll depth, its visible
    # time) is what a script would fake, the ticket's signed time is not.
    waited_s = (now - found.opened_at).total_seconds()
    if waited_s < rules.seconds:
        raise ReadRefused(
            "too_early",
            f"A read takes {rules.seconds} seconds; this page was opened {waited_s:.0f} "
            "seconds ago.",
            status=425,
            retry_after_s=math.ceil(rules.seconds - waited_s),
        )
    return ReadDecision(day=local_day(now), opened_at=found.opened_at, via=via, trial=is_trial)


def _ticket_used(user: Any, article: Article, read: FullRead) -> ReadRefused:
    log.warning(
        "full read refused user_id=%s article_id=%s code=ticket_used first_read_id=%s",
        user.pk,
        article.pk,
        read.pk,
    )
    return ReadRefused(
        "ticket_used",
        "This read ticket has already been used: the read it vouches for was counted on "
        f"{read.day.isoformat()}. Reload the article to read it again.",
        409,
    )


def _rate_refusal(user: Any, now: datetime, day: date, rules: ReadRules) -> ReadRefused | None:
    """The 429 refusal when the member is past the daily or per-window number of reads."""
    since = now - timedelta(seconds=rules.window_s)
    counts = FullRead.objects.filter(Q(day=day) | Q(read_at__gte=since), user=user).aggregate(
        today=Count("id", filter=Q(day=day)),
        recent=Count("id", filter=Q(read_at__gte=since)),
        oldest_recent=Min("read_at", filter=Q(read_at__gte=since)),
    )
    today, recent = counts["today"], counts["recent"]
    if today >= rules.reads_per_day:
        # Past what one person reads in a day, a claim is a script farming payouts for a
        # publisher.
        return ReadRefused(
            "daily_limit",
            f"You have {today} full reads counted today, the most one member can have "
            f"({rules.reads_per_day}); further reads today are not counted.",
            429,
            detail=f"counted={today} limit={rules.reads_per_day}",
        )
    if recent >= rules.reads_per_window:
        # No one finishes articles faster than one per reading time for long; a stack of
        # tickets redeemed together is a script.
        oldest = counts["oldest_recent"]
        wait_s = rules.window_s if oldest is None else (oldest - since).total_seconds()
        return ReadRefused(
            "rate_limit",
            f"You have {recent} full reads counted in the last {rules.window_s // 60} minutes, "
            f"the most one member can have ({rules.reads_per_window}); reads are counted again "
            "in a few minutes.",
            429,
            retry_after_s=max(1, math.ceil(wait_s)),
            detail=f"counted={recent} limit={rules.reads_per_window} window_s={rules.window_s}",
        )
    return None


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
    """Record `user`'s full read of `article`, once per member, article and day, and once per
    ticket.

    Raises ReadRefused for non-members (403), for forged, someone else's or expired tickets
    (400), for a claim before the reading time has passed since the page was served (425), for
    a ticket that already recorded a read (409), and past `rules.reads_per_day` reads of one
    member in a day or `rules.reads_per_window` in `rules.window_s` (429). A claim with a new
    ticket for an article already read that day returns the first row. A trial member's read is
    recorded with `trial` set: it does not enter the payout pool.
    """
    now = now or timezone.now()
    rules = rules or ReadRules.from_settings()
    membership = user_membership(user)
    try:
        decision = decide_full_read(
            is_member=membership_grants_access(membership, now),
            is_trial=membership is not None and membership.state == Membership.State.TRIAL,
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
    refusal = _rate_refusal(user, now, decision.day, rules)
    if refusal is not None:
        # A read already counted today is still acknowledged (the tracker may retry).
        existing = FullRead.objects.filter(user=user, article=article, day=decision.day).first()
        if existing is None:
            # Logged as a warning, so an operator can look at the account.
            log.warning(
                "full read refused user_id=%s article_id=%s code=%s %s",
                user.pk,
                article.pk,
                refusal.code,
                refusal.detail,
            )
            raise refusal
        if existing.opened_at == decision.opened_at:
            raise _ticket_used(user, article, existing)
        return RecordedRead(read=existing, created=False)
    try:
        # get_or_create retries its lookup when a concurrent claim wins the day's constraint;
        # the ticket's constraint has nothing to retry: the ticket counted on another day.
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
                    "trial": decision.trial,
                },
            )
    except IntegrityError:
        first = FullRead.objects.filter(
            user=user, article=article, opened_at=decision.opened_at
        ).first()
        if first is None:
            raise
        raise _ticket_used(user, article, first) from None
    if not created and read.opened_at == decision.opened_at:
        # The day's read is this ticket's own: a second claim with it counts nothing more.
        raise _ticket_used(user, article, read)
    if created:
        log.info(
            "full read recorded user_id=%s article_id=%s publisher_id=%s day=%s via=%s trial=%s",
            user.pk,
            article.pk,
            article.publisher_id,
            decision.day,
            decision.via,
            decision.trial,
        )
    return RecordedRead(read=read, created=created)
