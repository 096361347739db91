"""`newsstand sync check|rebuild`: the per-day and per-week counts behind apps' unread totals."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.sync import actions, day_counts


class Command(BaseCommand):
    help = (
        "The per-day and per-week counts of articles and reads that reading apps' totals are "
        "summed from."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("check", help="Compare the counts with the articles and History")
        sub.add_parser("rebuild", help="Count them again (after a restore or a TRUNCATE)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            started = time.monotonic()
            days, read_days = actions.rebuild_day_counts()
            self.stdout.write(
                f"Counted {days} publisher days and {read_days} reader days (their weeks "
                f"follow) in {time.monotonic() - started:.1f} s."
            )
            return
        problems = day_counts.differences()
        if problems:
            raise CommandError(
                "The per-day and per-week counts disagree with the articles and History:\n  "
                + "\n  ".join(problems)
                + "\nRun `newsstand sync rebuild`."
            )
        self.stdout.write("The per-day and per-week counts agree with the articles and History.")
