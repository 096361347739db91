"""`newsstand ingest`: fetch due feeds (or one feed) in the foreground, with a progress bar."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from tqdm import tqdm

from newsstand.ingest import actions
from newsstand.ingest.actions import RefreshReport
from newsstand.sources.actions import add_feed

DEFAULT_JOBS = 4
LOOP_PAUSE_S = 60


class Command(BaseCommand):
    help = "Fetch feeds that are due (or one feed, added if new) and store their new articles."
    # The system checks import the whole site (URL configuration, admin, API) before the first
    # feed, about 2 s of a short run (bench/ingest_feed.py); `newsstand check` still runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--feed", metavar="URL", help="Only this feed; it is added if new.")
        parser.add_argument(
            "--jobs", type=int, default=DEFAULT_JOBS, help="Feeds fetched at once (default 4)."
        )
        parser.add_argument(
            "--extract-processes",
            type=int,
            default=os.cpu_count() or 1,
            help="With --feed: processes extracting its pages while the next download "
            "(default: one per CPU; 1 extracts in this process). Other runs fetch several feeds "
            "at once instead (--jobs) and follow NEWSSTAND_INGEST_EXTRACT_PROCESSES.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = max(1, int(options["jobs"]))
        show = not options["no_progress"]
        self.extract_processes = max(1, int(options["extract_processes"]))
        if options["feed"]:
            self._one_feed(options["feed"], show=show)
            return
        if options["once"]:
            self._due_feeds(jobs, show=show)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"Checking due feeds every {LOOP_PAUSE_S} s; Ctrl-C stops.")
        try:
            while not stop.is_set():
                self._due_feeds(jobs, show=show)
                stop.wait(LOOP_PAUSE_S)
        except KeyboardInterrupt:
            pass

    def _one_feed(self, url: str, *, show: bool) -> None:
        try:
            feed = add_feed(url)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        claim = actions.claim_feed(feed.pk)
        if claim is None:
            raise CommandError(f"{url} is being fetched by another worker right now; try again.")
        bar = tqdm(desc=feed.url[:60], unit="article", disable=not show, total=None)

        def progress(total: int | None) -> None:
            if total is not None:
                bar.reset(total=total)
            else:
                bar.update(1)

        try:
            report = actions.refresh_feed(
                feed.pk,
                force=True,
                progress=progress,
                lease=claim,
                extract_processes=self.extract_processes,
            )
        finally:
            bar.close()
        _identity_if_due(report)
        self._summarise([report])
        if report.outcome in {"error", "gone"}:
            raise CommandError(f"{feed.url}: {report.error}")

    def _due_feeds(self, jobs: int, *, show: bool) -> None:
        # Each refresh presents its claim: one a worker's tick took over (release_lost_claims)
        # is skipped here rather than fetched twice.
        claims = actions.claim_due_leases()
        if not claims:
            self.stdout.write("No feeds are due.")
            return
        reports: list[RefreshReport] = []
        with (
            tqdm(total=len(claims), desc="feeds", unit="feed", disable=not show) as bar,
            ThreadPoolExecutor(max_workers=jobs) as pool,
        ):
            futures = [pool.submit(_refresh_in_thread, pk, claim) for pk, claim in claims]
            for future in as_completed(futures):
                report = future.result()
                reports.append(report)
                bar.set_postfix(new=sum(r.new_articles for r in reports))
                bar.update(1)
        self._summarise(reports)

    def _summarise(self, reports: list[RefreshReport]) -> None:
        new = sum(r.new_articles for r in reports)
        failed = [r for r in reports if r.outcome in {"error", "gone"}]
        unchanged = sum(1 for r in reports if r.outcome == "not_modified")
        page_errors = sum(r.page_errors for r in reports)
        deferred = sum(r.deferred for r in reports)
        later = f" {deferred} item(s) left for the next check (host busy)." if deferred else ""
        item_errors = sum(r.item_errors for r in reports)
        bad = f" {item_errors} item(s) could not be stored." if item_errors else ""
        self.stdout.write(
            f"{len(reports)} feed(s): {new} new article(s), {unchanged} unchanged, "
            f"{len(failed)} failed, {page_errors} page(s) kept from the feed alone.{later}{bad}"
        )
        for r in failed:
            self.stderr.write(f"  feed {r.feed_id}: {r.error}")
        for r in reports:
            if r.item_errors:
                self.stderr.write(f"  feed {r.feed_id}: {r.item_error}")


def _identity_if_due(report: RefreshReport) -> None:
    """In the foreground too, the publisher's name and icon are looked up when due."""
    if report.identity_due_for is not None:
        actions.refresh_publisher_identity(report.identity_due_for)


def _refresh_in_thread(feed_id: int, claim: datetime) -> RefreshReport:
    close_old_connections()
    try:
        report = actions.refresh_feed(feed_id, lease=claim)
        _identity_if_due(report)
        return report
    finally:
        # Each thread has its own connection; leaving it open would leak one per job.
        connection.close()
