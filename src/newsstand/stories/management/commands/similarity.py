"""`newsstand similarity --pairs FILE.csv`: score article pairs as story clustering would.

Input: CSV with a header holding at least `pair_id`, `text1`, `text2` (other columns are ignored;
quoted fields may span lines; a UTF-8 byte-order mark is fine). Output on stdout: CSV
`pair_id,similarity`, similarity 0..1, higher = more likely the same event. The IDF is fit on
every text of the file, as clustering fits it on the recent window.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.stories.similarity import score_texts

REQUIRED_COLUMNS = ("pair_id", "text1", "text2")
# A news article body is rarely over 100 kB; csv's default 128 kB field limit would reject
# long-form pieces, so allow 16 MiB a field while still refusing runaway unterminated quotes.
MAX_FIELD_CHARS = 16 * 1024 * 1024


class PairsError(ValueError):
    """The pairs file cannot be read as the expected CSV."""


def read_pairs(stream: TextIO) -> list[tuple[str, str, str]]:
    """(pair_id, text1, text2) rows; raises PairsError naming the problem and the line."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.DictReader(stream, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise PairsError(f"not a readable CSV header: {exc}") from exc
    if not header:
        raise PairsError("the file is empty (expected a header: pair_id,text1,text2)")
    names = [h.strip().lstrip("\ufeff") for h in header]
    reader.fieldnames = names
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise PairsError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(header has: {', '.join(names)})"
        )
    rows: list[tuple[str, str, str]] = []
    try:
        for record in reader:
            values = [record.get(c) for c in REQUIRED_COLUMNS]
            if any(v is None for v in values):
                raise PairsError(f"line {reader.line_num}: row has fewer fields than the header")
            pair_id, text1, text2 = (str(v) for v in values)
            rows.append((pair_id, text1, text2))
    except csv.Error as exc:
        raise PairsError(f"line {reader.line_num}: {exc}") from exc
    return rows


class Command(BaseCommand):
    help = "Score article pairs (CSV pair_id,text1,text2) for same-story similarity, 0..1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pairs", required=True, metavar="FILE.csv", help="CSV file, or - for stdin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["pairs"]
        try:
            if name == "-":
                stdin = open(sys.stdin.fileno(), encoding="utf-8-sig", newline="", closefd=False)  # noqa: SIM115 -- wraps stdin, which must stay open
                pairs = read_pairs(stdin)
            else:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"No such file: {name}")
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    pairs = read_pairs(fh)
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        except PairsError as exc:
            raise CommandError(f"{name}: {exc}") from exc
        scores = score_texts((t1, t2) for _, t1, t2 in pairs)
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["pair_id", "similarity"])
        for (pair_id, _, _), score in zip(pairs, scores, strict=True):
            writer.writerow([pair_id, f"{score:.6f}"])
