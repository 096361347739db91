"""The ledger's settings, read once per use and checked, so a bad value names its variable."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# How long a read ticket (rendered with the article page) can be redeemed: a reader may leave
# the tab in the background for a long while, but not for days.
READ_TICKET_MAX_AGE_S = 12 * 60 * 60
# The window of the per-member rate limit: reads counted in any READ_WINDOW_S seconds.
READ_WINDOW_S = 10 * 60


@dataclass(frozen=True)
class ReadRules:
    """What makes a full read: visible for `seconds`, or scrolled past `scroll` of the body,
    and in either case at least `seconds` after the page was served (the server's clock)."""

    seconds: int
    scroll: float
    ticket_max_age_s: int = READ_TICKET_MAX_AGE_S
    # Full reads counted per member and day; more is a script, not a reader.
    reads_per_day: int = 200
    # Full reads counted per member in any READ_WINDOW_S: a reader finishes one article at a
    # time, a script redeems a stack of tickets at once.
    reads_per_window: int = 20
    window_s: int = READ_WINDOW_S

    @classmethod
    def from_settings(cls) -> ReadRules:
        seconds = settings.NEWSSTAND_FULL_READ_SECONDS
        scroll = settings.NEWSSTAND_FULL_READ_SCROLL
        if not 1 <= seconds < READ_TICKET_MAX_AGE_S:
            raise ImproperlyConfigured(
                f"NEWSSTAND_FULL_READ_SECONDS={seconds}: expected seconds between 1 and "
                f"{READ_TICKET_MAX_AGE_S - 1}"
            )
        if not 0 < scroll <= 1:
            raise ImproperlyConfigured(
                f"NEWSSTAND_FULL_READ_SCROLL={scroll}: expected a fraction of the article body "
                "above 0 and at most 1, e.g. 0.6"
            )
        per_day = settings.NEWSSTAND_FULL_READS_PER_DAY
        if per_day < 1:
            raise ImproperlyConfigured(
                f"NEWSSTAND_FULL_READS_PER_DAY={per_day}: expected a whole number of reads, "
                "at least 1, e.g. 200"
            )
        per_window = settings.NEWSSTAND_FULL_READS_PER_10_MIN
        if per_window < 1:
            raise ImproperlyConfigured(
                f"NEWSSTAND_FULL_READS_PER_10_MIN={per_window}: expected a whole number of "
                "reads, at least 1, e.g. 20"
            )
        return cls(
            seconds=seconds,
            scroll=scroll,
            reads_per_day=per_day,
            reads_per_window=per_window,
        )


@dataclass(frozen=True)
class PayoutRules:
    """The pool is `share` of the month's revenue in `currency` (ISO 4217)."""

    currency: str
    share: Decimal

    @classmethod
    def from_settings(cls) -> PayoutRules:
        currency = str(settings.NEWSSTAND_CURRENCY).strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise ImproperlyConfigured(
                f"NEWSSTAND_CURRENCY={settings.NEWSSTAND_CURRENCY!r}: expected an ISO 4217 code "
                "such as EUR or USD"
            )
        # Through str() so 0.7 is exactly 7/10, not the float nearest to it.
        share = Decimal(str(settings.NEWSSTAND_PUBLISHER_SHARE))
        if not 0 <= share <= 1:
            raise ImproperlyConfigured(
                f"NEWSSTAND_PUBLISHER_SHARE={settings.NEWSSTAND_PUBLISHER_SHARE}: expected a "
                "fraction of revenue between 0 and 1, e.g. 0.7"
            )
        return cls(currency=currency, share=share)
