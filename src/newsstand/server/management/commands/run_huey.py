"""`newsstand run_huey`: the name the worker had before `newsstand worker`; the same command, so
old scripts and units get the cluster's one scheduler too (this app comes before djhuey's)."""

from __future__ import annotations

from django.core.management.base import CommandParser

from newsstand.server.management.commands.worker import Command as WorkerCommand


class Command(WorkerCommand):
    help = "Run the background worker (the same as `newsstand worker`)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--workers", "-w", dest="threads", type=int, help="as --threads")
