"""The payout reports' figures from the database: three grouped queries for any number of months.

Counting lives here; the money decisions are pure, in payouts.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from newsstand.ledger.models import FullRead
from newsstand.ledger.payouts import Month, PayoutReport, PublisherReads, build_report
from newsstand.ledger.rules import PayoutRules
from newsstand.membership.models import Payment


def _month_of(value: date | datetime) -> Month:
    if isinstance(value, datetime):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return Month.of(value)


def month_reports(months: Sequence[Month], rules: PayoutRules | None = None) -> list[PayoutReport]:
    """One report per month in `months` (in that order), months in settings.TIME_ZONE.

    Reads are grouped by their stored local day; payments by paid_at in the same time zone. A
    read whose account was deleted still counts as a read, but no longer as a distinct reader.
    Trial members' reads are counted apart (`trial_reads`) and never pooled.
    """
    if not months:
        return []
    rules = rules or PayoutRules.from_settings()
    tz = timezone.get_default_timezone()
    first, last = min(months), max(months)
    reads = FullRead.objects.filter(
        day__gte=first.first_day, day__lt=last.shifted(1).first_day
    ).annotate(month=TruncMonth("day"))

    pooled = Q(trial=False)
    per_publisher: dict[Month, list[PublisherReads]] = defaultdict(list)
    rows = (
        reads.values("month", "publisher_id", "publisher__name", "publisher__slug")
        .annotate(
            reads=Count("id", filter=pooled), readers=Count("user", distinct=True, filter=pooled)
        )
        .order_by()
    )
    for row in rows:
        per_publisher[_month_of(row["month"])].append(
            PublisherReads(
                publisher_id=row["publisher_id"],
                name=row["publisher__name"],
                slug=row["publisher__slug"],
                reads=row["reads"],
                readers=row["readers"],
            )
        )
    readers: dict[Month, int] = {}
    trial_reads: dict[Month, int] = {}
    for total in (
        reads.values("month")
        .annotate(
            readers=Count("user", distinct=True, filter=pooled),
            trial_reads=Count("id", filter=Q(trial=True)),
        )
        .order_by()
    ):
        readers[_month_of(total["month"])] = total["readers"]
        trial_reads[_month_of(total["month"])] = total["trial_reads"]

    start, _ = first.bounds(tz)
    _, end = last.bounds(tz)
    revenue: dict[Month, dict[str, int]] = defaultdict(dict)
    payments = (
        Payment.objects.filter(paid_at__gte=start, paid_at__lt=end)
        .annotate(month=TruncMonth("paid_at", tzinfo=tz))
        .values("month", "currency")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    for paid in payments:
        currency = paid["currency"].upper()
        bucket = revenue[_month_of(paid["month"])]
        bucket[currency] = bucket.get(currency, 0) + paid["total"]

    return [
        build_report(
            month,
            per_publisher.get(month, []),
            revenue.get(month, {}),
            readers=readers.get(month, 0),
            rules=rules,
            trial_reads=trial_reads.get(month, 0),
        )
        for month in months
    ]


def month_report(month: Month, rules: PayoutRules | None = None) -> PayoutReport:
    return month_reports([month], rules)[0]


def current_month(now: datetime | None = None) -> Month:
    return _month_of(now or timezone.now())
