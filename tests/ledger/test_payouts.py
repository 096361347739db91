"""The pure parts of the payout report: months, the pool, the exact split, money."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from newsstand.ledger.payouts import (
    Month,
    PublisherReads,
    build_report,
    format_money,
    last_months,
    major_units,
    pool_from_revenue,
    split_largest_remainder,
)
from newsstand.ledger.rules import PayoutRules

RULES = PayoutRules(currency="EUR", share=Decimal("0.7"))


def test_month_parse_and_arithmetic():
    assert Month.parse("2026-11") == Month(2026, 11)
    assert str(Month(2026, 1)) == "2026-01"
    assert Month(2026, 11).shifted(2) == Month(2027, 1)
    assert Month(2026, 1).shifted(-1) == Month(2025, 12)
    assert last_months(3, Month(2026, 2)) == [Month(2025, 12), Month(2026, 1), Month(2026, 2)]
    assert Month(2026, 11).label == "November 2026"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "11/2026", "2026-1", "", "next month"])
def test_month_parse_refuses_with_a_reason(text):
    with pytest.raises(ValueError, match="is not a month"):
        Month.parse(text)


def test_month_bounds_in_a_time_zone():
    start, end = Month(2026, 11).bounds(ZoneInfo("Europe/Paris"))
    assert start.astimezone(UTC) == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


def test_pool_rounds_down_and_never_below_zero():
    assert pool_from_revenue(3497, Decimal("0.7")) == 2447  # 2447.9
    assert pool_from_revenue(1000, Decimal("0.7")) == 700
    assert pool_from_revenue(-500, Decimal("0.7")) == 0
    assert pool_from_revenue(1000, Decimal("0")) == 0


def test_largest_remainder_by_hand():
    # 10 x 3/7 = 4 rem 2/7 (twice), 10 x 1/7 = 1 rem 3/7: the left-over cent goes to the third.
    assert split_largest_remainder(10, [3, 3, 1]) == [4, 4, 2]
    # Equal remainders: the earlier part wins the one cent left.
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert split_largest_remainder(0, [5, 2]) == [0, 0]
    assert split_largest_remainder(7, []) == []
    assert split_largest_remainder(7, [0, 0]) == [0, 0]
    assert split_largest_remainder(5, [0, 3]) == [0, 5]
    with pytest.raises(ValueError):
        split_largest_remainder(-1, [1])


def test_largest_remainder_always_sums_exactly_and_stays_within_a_cent():
    rng = random.Random(6)
    for _ in range(300):
        weights = [rng.randint(0, 50) for _ in range(rng.randint(1, 12))]
        total = rng.randint(0, 1_000_000)
        parts = split_largest_remainder(total, weights)
        whole = sum(weights)
        if whole == 0:
            assert parts == [0] * len(weights)
            continue
        assert sum(parts) == total
        for part, weight in zip(parts, weights, strict=True):
            exact = Decimal(total * weight) / whole
            assert abs(part - exact) < 1
            if weight == 0:
                assert part == 0


def test_build_report_orders_rows_and_leaves_out_publishers_without_reads():
    reads = [
        PublisherReads(3, "Zeta", "zeta", reads=1, readers=1),
        PublisherReads(1, "Alpha", "alpha", reads=2, readers=1),
        PublisherReads(2, "Beta", "beta", reads=0, readers=0),
    ]
    report = build_report(Month(2026, 11), reads, {"EUR": 1000}, readers=2, rules=RULES)
    # pool 700 split 2:1 -> 466 rem 2/3 and 233 rem 1/3: the cent left goes to Alpha.
    assert [(r.name, r.payout_minor) for r in report.rows] == [("Alpha", 467), ("Zeta", 233)]
    assert report.allocated_minor == 700


def test_money_uses_the_currencys_own_decimals():
    assert major_units(1234, "EUR") == Decimal("12.34")
    assert str(major_units(0, "EUR")) == "0.00"
    assert major_units(1234, "JPY") == Decimal("1234")
    assert format_money(123456, "EUR") == "€1,234.56"
    assert format_money(500, "JPY") == "¥500"
