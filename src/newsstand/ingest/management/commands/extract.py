"""`newsstand extract INPUT... [--url URL | --urls-from FILE] [--jobs N]`: one JSON line per page.

Each INPUT is an .html / .html.gz file or an http(s) URL. Output order is input order; an input
that cannot be read gives a line with an "error" field and the run goes on, then ends with a
one-line error and exit status 1. A file's page URL
(used for relative links and the date in the path) comes from --url (one input) or from
--urls-from, a JSON object mapping INPUT strings to URLs.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

logger = logging.getLogger(__name__)

MAX_JOBS = 64
_CHUNKSIZE = 4  # pages per task sent to a worker: fewer round trips, still balanced
# A NUL byte this early means binary data (as grep and git judge it), unless a UTF-16/32 BOM
# says the page is in a wide encoding, or it is a gzip'd page (which extraction inflates).
_BINARY_SNIFF_BYTES = 8192
_NOT_BINARY_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b")


def _read_input(source: str) -> tuple[bytes, str | None]:
    """Return the page bytes and the URL it came from (None for files)."""
    from newsstand.ingest.extractor import MAX_HTML_BYTES, ExtractionError, gunzip

    url: str | None = None
    if source.startswith(("http://", "https://")):
        from newsstand.ingest.fetcher import PAGE_ACCEPT, PAGE_MAX_BYTES, fetch

        result = fetch(source, max_bytes=PAGE_MAX_BYTES, accept=PAGE_ACCEPT)
        data, url = result.content, result.url
    else:
        path = Path(source)
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gunzip(data, MAX_HTML_BYTES)  # extraction refuses more anyway
    head = data[:_BINARY_SNIFF_BYTES]
    if b"\0" in head and not head.startswith(_NOT_BINARY_STARTS):
        raise ExtractionError("not an HTML page: binary data")
    return data, url


def to_json_line(record: dict[str, Any]) -> str:
    """One JSON document on one line, safe for line splitters that honour U+2028/U+2029."""
    text = json.dumps(record, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def extract_one(task: tuple[str, str | None]) -> dict[str, Any]:
    """Extract one input into the command's JSON record; errors become an "error" field."""
    from newsstand.ingest.extractor import ExtractionError, extract_article
    from newsstand.ingest.netguard import FetchError

    source, page_url = task
    try:
        content, fetched_url = _read_input(source)
        article = extract_article(content, page_url or fetched_url)
    except (OSError, EOFError, ExtractionError, FetchError, ValueError) as exc:
        # Expected: the error line says it all, so no traceback.
        return {"input": source, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # FetchError and anything a broken page triggers in a library
        logger.warning("extraction failed", extra={"input": source}, exc_info=True)
        return {"input": source, "error": f"{type(exc).__name__}: {exc}"}
    lead = article.lead_image
    return {
        "input": source,
        "url": article.url or article.canonical_url,
        "title": article.title,
        "authors": article.authors,
        "published": article.published.isoformat() if article.published else None,
        "section": article.section,
        "language": article.language,
        "lead_image": (
            {"url": lead.url, "caption": lead.caption, "credit": lead.credit} if lead else None
        ),
        "text": article.text,
        "html": article.html,
    }


def _read_url_map(path: Path) -> dict[str, str]:
    """The --urls-from file: a JSON object of INPUT -> page URL, checked for shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"--urls-from {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise CommandError(f'--urls-from {path}: expected a JSON object {{"INPUT": "URL", ...}}')
    return data


class Command(BaseCommand):
    help = (
        "Extract articles from HTML files or URLs; print one JSON line per input. "
        "Give file pages their URLs with --url (one input) or --urls-from FILE "
        '(a JSON object {"INPUT": "URL", ...}).'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("inputs", nargs="+", metavar="INPUT", help=".html/.html.gz or URL")
        parser.add_argument("--url", help="the page URL, when a single file is given")
        parser.add_argument(
            "--urls-from",
            type=Path,
            metavar="FILE",
            help='JSON object {"INPUT": "page URL", ...}: the page URL of each listed input',
        )
        parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        inputs: list[str] = options["inputs"]
        page_url: str | None = options.get("url")
        jobs: int = options.get("jobs") or 1
        if page_url and len(inputs) != 1:
            raise CommandError("--url can only be given with a single INPUT")
        if not 1 <= jobs <= MAX_JOBS:
            raise CommandError(f"--jobs must be between 1 and {MAX_JOBS}")
        urls_path: Path | None = options.get("urls_from")
        urls = _read_url_map(urls_path) if urls_path else {}
        if page_url and urls:
            raise CommandError("give either --url or --urls-from, not both")
        tasks = [(source, page_url or urls.get(source)) for source in inputs]
        failed = 0
        for record in self._records(tasks, jobs):
            failed += "error" in record
            self.stdout.write(to_json_line(record))
        sys.stdout.flush()
        if failed:
            raise CommandError(f"{failed} of {len(tasks)} inputs could not be extracted")

    def _records(self, tasks: list[tuple[str, str | None]], jobs: int) -> Iterator[dict[str, Any]]:
        if jobs == 1 or len(tasks) == 1:
            yield from map(extract_one, tasks)
            return
        # forkserver: forking this process (Django and library threads loaded) can deadlock.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
            yield from pool.map(extract_one, tasks, chunksize=_CHUNKSIZE)
