"""`newsstand worker`: the background worker only (Huey's consumer and the cluster's scheduler).

Run any number of them, on any machines sharing the database and the task queue: each periodic
job still runs once per period (server/worker.py). SIGINT or SIGTERM stops it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.server import metrics
from newsstand.server.worker import run_worker


class Command(BaseCommand):
    help = "Run the background worker: fetches, ticks and emails from the task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="worker threads (default: NEWSSTAND_WORKERS, else 2)",
        )
        parser.add_argument(
            "--metrics-bind",
            metavar="HOST:PORT",
            default="",
            help="serve this worker's /metrics there (same rules as the web's /metrics)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from huey.contrib.djhuey import HUEY

        threads = options["threads"]
        if threads is not None and threads < 1:
            raise CommandError("--threads must be at least 1")
        if HUEY.immediate:
            raise CommandError(
                "NEWSSTAND_TASKS_IMMEDIATE is on: tasks run where they are enqueued, so there "
                "is nothing for a worker to do."
            )
        metrics.clear_process_files()
        if options["metrics_bind"]:
            metrics.serve_in_background(options["metrics_bind"])
        run_worker(HUEY, threads=threads)
