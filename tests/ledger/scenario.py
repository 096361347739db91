"""A scripted November 2026 of reads and payments, with its expected figures worked out by hand.

The time zone is Europe/Paris (UTC+1 in November), so reads and payments an hour either side of
midnight UTC at the month's edges fall into the neighbouring month. Members m1 to m3 pay; m4 is
in a free trial, so its reads are recorded but never pooled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsstand.articles.models import Article
from newsstand.ledger.actions import RecordedRead, record_full_read
from newsstand.ledger.tickets import issue_ticket
from newsstand.membership.models import Payment
from newsstand.sources.models import Publisher
from tests.ledger.factories import make_member, make_non_member, make_paying_member
from tests.reader.factories import make_article, make_publisher

TIME_ZONE = "Europe/Paris"
PARIS = ZoneInfo(TIME_ZONE)
# Every membership (and m4's trial) in the scenario covers October to December 2026.
PAID_UNTIL = datetime(2027, 1, 15, tzinfo=UTC)
READ_AFTER = timedelta(seconds=40)  # more than the 30 s a full read takes


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(user: Any, article: Article, when: datetime, via: str = "time") -> RecordedRead:
    """A full read confirmed at `when` of a page served READ_AFTER earlier."""
    ticket = issue_ticket(user.pk, article.pk, when - READ_AFTER)
    depth = 0.9 if via == "scroll" else None
    return record_full_read(user, article, when, ticket=ticket, via=via, depth=depth)


@dataclass
class Month:
    alpha: Publisher
    beta: Publisher
    gamma: Publisher
    a1: Article
    a2: Article
    b1: Article
    c1: Article
    m1: Any
    m2: Any
    m3: Any
    m4: Any
    outsider: Any
    outcomes: list[RecordedRead]


def pay(amount_minor: int, at: datetime, currency: str = "EUR") -> None:
    Payment.objects.create(
        amount_minor=amount_minor,
        currency=currency,
        paid_at=at,
        provider="manual",
        provider_payment_id=f"manual-{at.isoformat()}-{amount_minor}-{currency}",
    )


def script_month() -> Month:
    alpha = make_publisher("Alpha Times")
    beta = make_publisher("Beta Post")
    gamma = make_publisher("Gamma Daily")
    a1, a2 = make_article(alpha, title="A1"), make_article(alpha, title="A2")
    b1, c1 = make_article(beta, title="B1"), make_article(gamma, title="C1")
    m1, m2, m3 = (make_paying_member(f"m{i}", paid_until=PAID_UNTIL) for i in (1, 2, 3))
    m4 = make_member("m4", trial_ends_at=PAID_UNTIL)
    outsider = make_non_member("outsider")

    outcomes = [
        # m1: A1 twice on 3 Nov (one read), again on 4 Nov (a new day), A2, B1.
        read(m1, a1, paris(2026, 11, 3, 10, 0)),
        read(m1, a1, paris(2026, 11, 3, 18, 0)),
        read(m1, a1, paris(2026, 11, 4, 9, 0)),
        read(m1, a2, paris(2026, 11, 4, 9, 30)),
        read(m1, b1, paris(2026, 11, 5, 12, 0)),
        # m2: A1, B1 twice on 10 Nov (once by time, once by scroll: one read), C1 late on 30 Nov.
        read(m2, a1, paris(2026, 11, 3, 11, 0)),
        read(m2, b1, paris(2026, 11, 10, 8, 0)),
        read(m2, b1, paris(2026, 11, 10, 20, 0), via="scroll"),
        read(m2, c1, paris(2026, 11, 30, 23, 30)),  # 22:30 UTC: still November in Paris
        # m3: at the month's edges.
        read(m3, c1, utc(2026, 10, 31, 23, 30)),  # 1 Nov 00:30 in Paris: November
        read(m3, b1, utc(2026, 11, 30, 23, 30)),  # 1 Dec 00:30 in Paris: December
        read(m3, a2, utc(2026, 10, 31, 22, 30)),  # 31 Oct 23:30 in Paris: October
        # m4, in its free trial: recorded, not paid for.
        read(m4, b1, paris(2026, 11, 12, 9, 0)),
        read(m4, c1, paris(2026, 11, 12, 9, 30)),
    ]

    pay(999, paris(2026, 11, 2, 9, 0))
    pay(1499, paris(2026, 11, 15, 14, 0))
    pay(999, utc(2026, 10, 31, 23, 10))  # 1 Nov 00:10 in Paris: November
    pay(5000, utc(2026, 11, 30, 23, 5))  # 1 Dec 00:05 in Paris: December
    pay(999, utc(2026, 10, 31, 22, 50))  # 31 Oct 23:50 in Paris: October
    pay(1200, paris(2026, 11, 20, 10, 0), currency="USD")  # not the configured currency

    return Month(alpha, beta, gamma, a1, a2, b1, c1, m1, m2, m3, m4, outsider, outcomes)
