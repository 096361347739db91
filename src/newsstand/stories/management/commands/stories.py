"""`newsstand stories recluster [--days N] [--jobs J]` and `newsstand stories repair`.

recluster  re-clusters every article of the window from scratch (the batch path: vectors once,
           neighbour lists, the incremental decision replayed in publication order) and
           persists the stories, reusing existing story rows where it can;
repair     merges near-duplicate stories and splits incoherent ones (what the hourly task does);
assign     gives a story to every article that has none, whatever its age (what the ten-minute
           task does);
rank       scores the recent stories for Top stories now (what the five-minute task does).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from newsstand.stories import actions

MAX_DAYS = 60.0


class Command(BaseCommand):
    help = "Story clustering: recluster the recent window, repair stories, assign new articles."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rec = sub.add_parser("recluster", help="Re-cluster the whole window from scratch.")
        rec.add_argument("--days", type=float, default=None, help="Window in days (setting).")
        rec.add_argument("--jobs", type=int, default=2, help="Processes for neighbour search.")
        rec.add_argument("--no-progress", action="store_true", help="No progress bar.")
        rep = sub.add_parser("repair", help="Merge near-duplicate and split incoherent stories.")
        rep.add_argument(
            "--hours", type=float, default=2.0, help="Stories updated this recently (2)."
        )
        sub.add_parser("assign", help="Assign stories to articles that have none.")
        sub.add_parser("rank", help="Rank the recent stories for Top stories now.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "recluster":
            self._recluster(options)
        elif action == "repair":
            hours = float(options["hours"])
            if hours <= 0:
                raise CommandError("--hours must be positive")
            report = actions.repair_stories(since=timedelta(hours=hours))
            self.stdout.write(
                f"Checked {report.checked} stories: {report.merged} merged, {report.split} split."
            )
        elif action == "rank":
            try:
                ranked = actions.rank_stories()
            except ValueError as exc:  # a bad NEWSSTAND_RANKING setting
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Ranked {ranked.ranked} stories; zeroed {ranked.zeroed} older ones.")
        else:
            assigned = actions.assign_leftovers()
            self.stdout.write(
                f"Assigned {assigned.assigned} articles: {assigned.joined} joined a story, "
                f"{assigned.started} started one ({assigned.copies} wire copies)."
            )

    def _recluster(self, options: dict[str, Any]) -> None:
        days = options["days"]
        if days is not None and not 0 < days <= MAX_DAYS:
            raise CommandError(f"--days must be between 0 and {MAX_DAYS:g}")
        jobs = max(1, int(options["jobs"]))
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                for previous in bars.values():
                    previous.close()
                bar = bars[stage] = tqdm(
                    desc=stage, total=total, unit="article", disable=options["no_progress"]
                )
            bar.update(done - bar.n)

        try:
            report = actions.recluster_window(days=days, jobs=jobs, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            f"Re-clustered {report.articles} articles into {report.stories} stories "
            f"({report.created} new story rows, {report.deleted} emptied and removed)."
        )
