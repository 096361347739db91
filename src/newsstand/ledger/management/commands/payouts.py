"""`newsstand payouts report [--month YYYY-MM] [--csv]`: the month's publisher payout report."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.ledger.csvfile import write_report_csv
from newsstand.ledger.payouts import Month, PayoutReport, format_money, format_percent
from newsstand.ledger.reports import current_month, month_report

NAME_WIDTH = 32


def report_lines(report: PayoutReport) -> list[str]:
    """The report as plain text lines, for people at a terminal."""

    def money(minor: int) -> str:
        return format_money(minor, report.currency)

    share = format_percent(report.publisher_share)
    lines = [
        f"Publisher payouts for {report.month.label} ({report.month})",
        f"Revenue {money(report.revenue_minor)} x publishers' share {share} "
        f"= pool {money(report.pool_minor)}",
        f"{report.reads} full reads by {report.readers} readers of {len(report.rows)} publishers",
        "",
        f"{'Publisher':<{NAME_WIDTH}} {'Reads':>8} {'Readers':>8} {'Share':>8} {'Payout':>14}",
    ]
    for row in report.rows:
        name = row.name if len(row.name) <= NAME_WIDTH else row.name[: NAME_WIDTH - 1] + "…"
        lines.append(
            f"{name:<{NAME_WIDTH}} {row.reads:>8} {row.readers:>8} "
            f"{row.read_share * 100:>7.2f}% {money(row.payout_minor):>14}"
        )
    lines.append(
        f"{'Total':<{NAME_WIDTH}} {report.reads:>8} {report.readers:>8} "
        f"{'100.00%' if report.reads else '':>8} {money(report.allocated_minor):>14}"
    )
    if report.unallocated_minor:
        lines.append(f"No reads: the pool of {money(report.pool_minor)} is not allocated.")
    if report.trial_reads:
        lines.append(
            f"Also {report.trial_reads} full reads by members in a free trial: recorded, "
            "not paid for (trial members pay nothing)."
        )
    for currency, minor in report.other_revenue:
        lines.append(
            f"Also received {format_money(minor, currency)} in {currency}: not in the pool, "
            f"which counts {report.currency} only (NEWSSTAND_CURRENCY)."
        )
    return lines


class Command(BaseCommand):
    help = "Publisher payouts: reads, unique readers and each publisher's share of the pool."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        report: ArgumentParser = sub.add_parser(
            "report", help="Print a month's payout report (default: last month)"
        )
        report.add_argument("--month", help="YYYY-MM, in NEWSSTAND_TIME_ZONE; default last month")
        report.add_argument("--csv", action="store_true", help="CSV instead of a text table")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("month")
        try:
            month = Month.parse(raw) if raw else current_month().shifted(-1)
        except ValueError as exc:
            raise CommandError(f"--month {exc}") from None
        report = month_report(month)
        if options["csv"]:
            write_report_csv(report, self.stdout)
            return
        for line in report_lines(report):
            self.stdout.write(line)
