"""The monthly payout report, decided purely from counted reads and summed revenue.

- Pool: the month's revenue in the configured currency x NEWSSTAND_PUBLISHER_SHARE, rounded down
  to a whole minor unit (the operator never promises a fraction of a cent it did not receive).
  Payments in other currencies are listed beside the report and left out of the pool: Newsstand
  does not guess exchange rates. A month whose net revenue is negative (refunds) has a pool of 0.
- Split: pro rata to paying members' full reads. A publisher's share is pool x its reads / all
  reads of the month, every read weighing the same whoever read it (capping one heavy reader's
  weight is out of scope). Reads by members in a free trial are recorded but not pooled: trial
  members pay nothing, and a trial costs nothing to start (docs/decisions.md). Shares are whole
  minor units by the largest-remainder method, so they add up to the pool exactly. A month
  without reads allocates nothing; its pool stays with the operator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_DOWN, Decimal

from babel.numbers import format_currency, get_currency_precision

from newsstand.ledger.rules import PayoutRules

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# Percentages of reads are for people; six places is exact enough and the money is in integers.
READ_SHARE_PLACES = Decimal("0.000001")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise ValueError(f"{self.year:04d}-{self.month:02d} is not a month")

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-11' -> Month(2026, 11); a clear ValueError for anything else."""
        found = MONTH_PATTERN.match(text.strip())
        if not found:
            raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-11")
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a month: the month must be 01 to 12")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The month's first instant and the next month's, in the time zone `tz`."""
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        after = self.shifted(1)
        return start, datetime(after.year, after.month, 1, tzinfo=tz)

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def last_months(count: int, ending: Month) -> list[Month]:
    """`count` months up to and including `ending`, oldest first."""
    return [ending.shifted(-i) for i in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class PublisherReads:
    """What the ledger counted for one publisher in one month."""

    publisher_id: int
    name: str
    slug: str
    reads: int
    readers: int


@dataclass(frozen=True)
class PayoutRow:
    publisher_id: int
    name: str
    slug: str
    reads: int
    readers: int
    read_share: Decimal  # this publisher's reads / all reads of the month (0 to 1)
    payout_minor: int


@dataclass(frozen=True)
class PayoutReport:
    month: Month
    currency: str
    publisher_share: Decimal
    revenue_minor: int
    pool_minor: int
    reads: int
    readers: int
    rows: tuple[PayoutRow, ...]
    # Revenue in currencies other than `currency`: reported, not pooled. (currency, minor units)
    other_revenue: tuple[tuple[str, int], ...] = ()
    # Full reads by members in a free trial: recorded, not in `reads` and not paid for.
    trial_reads: int = 0

    @property
    def allocated_minor(self) -> int:
        return sum(r.payout_minor for r in self.rows)

    @property
    def unallocated_minor(self) -> int:
        return self.pool_minor - self.allocated_minor

    def row_for(self, publisher_id: int) -> PayoutRow | None:
        return next((r for r in self.rows if r.publisher_id == publisher_id), None)


def pool_from_revenue(revenue_minor: int, share: Decimal) -> int:
    """The publishers' pool in minor units: revenue x share, rounded down, never below 0."""
    if revenue_minor <= 0:
        return 0
    return int((Decimal(revenue_minor) * share).to_integral_value(rounding=ROUND_DOWN))


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` whole units in proportion to `weights`, summing to `total` exactly.

    Each part gets the floor of its exact share; the units left over (fewer than the parts) go
    one each to the largest remainders, ties to the larger weight, then to the earlier part, so
    the same input always splits the same way. All-zero weights split nothing.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("cannot split a negative amount or by negative weights")
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    parts, remainders = [], []
    for weight in weights:
        part, remainder = divmod(total * weight, whole)
        parts.append(part)
        remainders.append(remainder)
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def build_report(
    month: Month,
    reads: Sequence[PublisherReads],
    revenue_by_currency: Mapping[str, int],
    *,
    readers: int,
    rules: PayoutRules,
    trial_reads: int = 0,
) -> PayoutReport:
    """The month's report from paying members' reads. `readers` is the month's distinct paying
    readers across all publishers; `trial_reads` the reads left out because a trial made them."""
    revenue = revenue_by_currency.get(rules.currency, 0)
    pool = pool_from_revenue(revenue, rules.share)
    # A stable order before splitting, so ties in the remainder always go the same way.
    counted = sorted((r for r in reads if r.reads > 0), key=lambda r: (r.name, r.publisher_id))
    total_reads = sum(r.reads for r in counted)
    payouts = split_largest_remainder(pool, [r.reads for r in counted])
    rows = [
        PayoutRow(
            publisher_id=r.publisher_id,
            name=r.name,
            slug=r.slug,
            reads=r.reads,
            readers=r.readers,
            read_share=(Decimal(r.reads) / Decimal(total_reads)).quantize(READ_SHARE_PLACES),
            payout_minor=payout,
        )
        for r, payout in zip(counted, payouts, strict=True)
    ]
    rows.sort(key=lambda row: (-row.payout_minor, -row.reads, row.name, row.publisher_id))
    others = tuple(sorted((c, v) for c, v in revenue_by_currency.items() if c != rules.currency))
    return PayoutReport(
        month=month,
        currency=rules.currency,
        publisher_share=rules.share,
        revenue_minor=revenue,
        pool_minor=pool,
        reads=total_reads,
        readers=readers,
        rows=tuple(rows),
        other_revenue=others,
        trial_reads=trial_reads,
    )


def major_units(minor: int, currency: str) -> Decimal:
    """Minor units as an exact amount in the currency's major unit (1234 EUR -> 12.34)."""
    places = -get_currency_precision(currency)
    return Decimal(minor).scaleb(places).quantize(Decimal(1).scaleb(places))


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """1234 EUR -> '€12.34' (the currency's own number of decimals, through Babel's CLDR data)."""
    return str(format_currency(major_units(minor, currency), currency, locale=locale))


def format_percent(fraction: Decimal) -> str:
    """0.725 -> '72.5%': one decimal at most, none when it is .0."""
    value = (Decimal(fraction) * 100).quantize(Decimal("0.1")).normalize()
    return f"{value:f}%"
