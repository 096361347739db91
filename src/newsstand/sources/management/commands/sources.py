"""`newsstand sources import-opml FILE|-`, `export-opml [-o FILE]`, `load-default`."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from newsstand.sources import actions
from newsstand.sources.opml import OpmlError


class Command(BaseCommand):
    help = "Manage publishers and feeds: import/export OPML, load the default catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp: ArgumentParser = sub.add_parser(
            "import-opml", help="Add the feeds in an OPML file ('-' reads stdin)"
        )
        imp.add_argument("file", help="OPML file, or - for standard input")
        exp: ArgumentParser = sub.add_parser(
            "export-opml", help="Write all feeds as OPML (to stdout by default)"
        )
        exp.add_argument("-o", "--output", help="write to this file instead of stdout")
        exp.add_argument("--active-only", action="store_true", help="leave out retired feeds")
        sub.add_parser("load-default", help="Add the default catalogue (idempotent)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-opml":
            self._import(options["file"])
        elif action == "export-opml":
            self._export(options.get("output"), active_only=options["active_only"])
        else:
            self._load_default()

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {name}")
        return path.read_bytes()

    def _import(self, name: str) -> None:
        data = self._read(name)
        with tqdm(desc="Importing feeds", unit="feed", file=sys.stderr, leave=False) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                report = actions.import_opml(data, progress=progress)
            except OpmlError as exc:
                raise CommandError(str(exc)) from None
        for reason in report.skipped:
            self.stderr.write(f"skipped: {reason}")
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _export(self, output: str | None, *, active_only: bool) -> None:
        data = actions.export_feeds_opml(active_only=active_only)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    def _load_default(self) -> None:
        report = actions.load_default_catalog()
        self.stdout.write(self.style.SUCCESS(report.summary()))
