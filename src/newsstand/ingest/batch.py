"""`newsstand extract`'s work: pages in, one JSON line each out, in worker processes.

Nothing here needs Django, so `newsstand extract` runs it without setting Django up (see
`newsstand.cli`): start-up is then the extractor's own imports, which a command that extracts a
few hundred pages pays once per process. The management command of the same name calls the same
functions. Settings are read (lazily, from the settings module) only to fetch a URL input.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "MAX_JOBS",
    "UsageError",
    "add_arguments",
    "check_options",
    "extract_one",
    "main",
    "read_url_map",
    "records",
    "to_json_line",
    "write_records",
]

logger = logging.getLogger(__name__)

MAX_JOBS = 64
_CHUNKSIZE = 4  # pages per task sent to a worker: fewer round trips, still balanced
# A NUL byte this early means binary data (as grep and git judge it), unless a UTF-16/32 BOM
# says the page is in a wide encoding, or it is a gzip'd page (which extraction inflates).
_BINARY_SNIFF_BYTES = 8192
_NOT_BINARY_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b")
HELP = (
    "Extract articles from HTML files or URLs; print one JSON line per input. "
    "Give file pages their URLs with --url (one input) or --urls-from FILE "
    '(a JSON object {"INPUT": "URL", ...}).'
)


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...
    def flush(self) -> None: ...


class UsageError(ValueError):
    """The command line cannot be run as given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options, shared by the Django command and the Django-free entry point."""
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help=".html/.html.gz or URL")
    parser.add_argument("--url", help="the page URL, when a single file is given")
    parser.add_argument(
        "--urls-from",
        type=Path,
        metavar="FILE",
        help='JSON object {"INPUT": "page URL", ...}: the page URL of each listed input',
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")


def check_options(
    inputs: list[str], page_url: str | None, urls_path: Path | None, jobs: int
) -> list[tuple[str, str | None]]:
    """The (input, page URL) tasks the options describe; UsageError when they do not fit."""
    if page_url and len(inputs) != 1:
        raise UsageError("--url can only be given with a single INPUT")
    if not 1 <= jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be between 1 and {MAX_JOBS}")
    urls = read_url_map(urls_path) if urls_path else {}
    if page_url and urls:
        raise UsageError("give either --url or --urls-from, not both")
    return [(source, page_url or urls.get(source)) for source in inputs]


def read_url_map(path: Path) -> dict[str, str]:
    """The --urls-from file: a JSON object of INPUT -> page URL, checked for shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"--urls-from {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise UsageError(f'--urls-from {path}: expected a JSON object {{"INPUT": "URL", ...}}')
    return data


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

    source, page_url = task
    try:
        content, fetched_url = _read_input(source)
        article = extract_article(content, page_url or fetched_url)
    except (OSError, EOFError, ExtractionError, ValueError) as exc:
        # Expected: the error line says it all, so no traceback.
        return {"input": source, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # a failed fetch, or anything a broken page triggers in a library
        if not _is_fetch_error(exc):
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


def _is_fetch_error(exc: Exception) -> bool:
    # Imported only here: the fetcher's modules read Django settings, which a run over files
    # never needs.
    from newsstand.ingest.netguard import FetchError

    return isinstance(exc, FetchError)


def records(tasks: list[tuple[str, str | None]], jobs: int) -> Iterator[dict[str, Any]]:
    """The records of *tasks*, in order, from *jobs* worker processes (here when 1)."""
    if jobs == 1 or len(tasks) == 1:
        yield from map(extract_one, tasks)
        return
    # forkserver: forking a process with threads running (Django's, libraries') can deadlock.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        yield from pool.map(extract_one, tasks, chunksize=_CHUNKSIZE)


def write_records(records: Iterable[dict[str, Any]], out: Writer) -> int:
    """Print each record as a JSON line; the number of inputs that failed."""
    failed = 0
    for record in records:
        failed += "error" in record
        out.write(to_json_line(record) + "\n")
    out.flush()
    return failed


def main(argv: list[str]) -> int:
    """`newsstand extract` without Django: the exit status (1 when an input failed).

    Messages and statuses are those of the management command ("CommandError: …", 1).
    """
    parser = argparse.ArgumentParser(prog="newsstand extract", description=HELP)
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        tasks = check_options(options.inputs, options.url, options.urls_from, options.jobs)
    except UsageError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return 1
    failed = write_records(records(tasks, options.jobs), sys.stdout)
    if failed:
        sys.stderr.write(f"CommandError: {failed} of {len(tasks)} inputs could not be extracted\n")
        return 1
    return 0
