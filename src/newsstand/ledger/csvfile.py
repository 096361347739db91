"""The payout report as CSV: one row per publisher, money exact in minor units and formatted.

Written through defusedcsv, so a publisher name that starts like a formula ("=HYPERLINK(…)")
reaches a spreadsheet as text, not as something it runs.
"""

from __future__ import annotations

from typing import Protocol

from defusedcsv import csv

from newsstand.ledger.payouts import PayoutReport, major_units

HEADER = [
    "month",
    "publisher_id",
    "publisher",
    "publisher_slug",
    "reads",
    "unique_readers",
    "read_share",
    "payout_minor",
    "payout",
    "currency",
]


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_report_csv(report: PayoutReport, out: Writable) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in report.rows:
        writer.writerow(
            [
                str(report.month),
                row.publisher_id,
                row.name,
                row.slug,
                row.reads,
                row.readers,
                str(row.read_share),
                row.payout_minor,
                str(major_units(row.payout_minor, report.currency)),
                report.currency,
            ]
        )
