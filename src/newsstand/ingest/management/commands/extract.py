"""`newsstand extract INPUT... [--url URL | --urls-from FILE] [--jobs N]`: one JSON line per page.

Each INPUT is an .html / .html.gz file or an http(s) URL. Output order is input order; an input
that cannot be read gives a line with an "error" field and the run goes on, then ends with a
one-line error and exit status 1. A file's page URL
(used for relative links and the date in the path) comes from --url (one input) or from
--urls-from, a JSON object mapping INPUT strings to URLs.

The work is in `newsstand.ingest.batch`; the `newsstand` console script runs that without
setting Django up. This command is the same thing for `call_command` and `manage.py`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.ingest import batch


class Command(BaseCommand):
    help = batch.HELP
    # Extraction reads no database and serves no URLs: the system checks would only import
    # the whole site (URL configuration, admin, API) before the first page.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        batch.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tasks = batch.check_options(
                options["inputs"], options.get("url"), options.get("urls_from"),
                options.get("jobs") or 1,
            )  # fmt: skip
        except batch.UsageError as exc:
            raise CommandError(str(exc)) from exc
        failed = batch.write_records(batch.records(tasks, options.get("jobs") or 1), self.stdout)
        if failed:
            raise CommandError(f"{failed} of {len(tasks)} inputs could not be extracted")
