"""A feed's new entries as drafts, in the feed's order, for ingest.actions to store.

Each entry's page is fetched in turn (the host's cool-down, robots.txt, the per-host slot), then
extracted. With many pages and `processes` of 2 or more, extraction runs in worker processes
while the next pages download and the ones before are stored: one process fetched, extracted
and stored one page after another, so a feed of 200 new pages took three times as long as
trafilatura alone needs to extract them (docs/benchmarks.md, "Whole ingest of one feed"). The
fetches stay one after another, as politeness wants them, and the drafts come back in order.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from newsstand.ingest import politeness
from newsstand.ingest.drafts import ArticleDraft, build_draft
from newsstand.ingest.extractor import ExtractedArticle, extract_article
from newsstand.ingest.feeds import ParsedEntry
from newsstand.ingest.fetcher import PAGE_ACCEPT, PAGE_MAX_BYTES, FetchError, FetchResult, fetch

log = logging.getLogger(__name__)

# Answers that are the host asking for less traffic: its other pages wait.
THROTTLE_STATUSES = frozenset({429, 503})
# Fewer new pages than this are extracted here: starting worker processes (each imports the
# extractor, ~0.6 s) would cost more than it saves on a refresh's usual handful.
POOL_MIN_PAGES = 24
# Pages fetched ahead of the one being stored, per worker process: enough to keep the workers
# busy, few enough that a refresh holds a handful of pages in memory, not 200.
AHEAD_PER_PROCESS = 3


@dataclass(frozen=True)
class Deferred:
    """An entry not processed in this refresh; it stays new for the next one."""

    kind: str  # "page_throttled" or "robots_unreachable"
    reason: str
    wait_s: float = 0.0


Outcome = ArticleDraft | Deferred | Exception
# A fetched page with its extraction: done here, or under way in a worker process.
Extraction = ExtractedArticle | Exception | Future
Started = Outcome | tuple[FetchResult, Extraction]


def drafts(
    entries: list[ParsedEntry], *, feed_id: int, host: str, processes: int = 0
) -> Iterator[tuple[ParsedEntry, Outcome]]:
    """Each entry with its draft, a reason to leave it for later, or the error that stopped it
    (the caller records it and goes on with the next)."""
    if processes < 2 or len(entries) < POOL_MIN_PAGES:
        for entry in entries:
            yield _finished(entry, _started(entry, None, feed_id=feed_id, host=host), feed_id)
        return
    # forkserver: forking a process with threads running (Django's, the lease's) can deadlock.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        pending: deque[tuple[ParsedEntry, Started]] = deque()
        for entry in entries:
            pending.append((entry, _started(entry, pool, feed_id=feed_id, host=host)))
            while len(pending) > processes * AHEAD_PER_PROCESS:
                yield _finished(*pending.popleft(), feed_id)
        while pending:
            yield _finished(*pending.popleft(), feed_id)


def _started(
    entry: ParsedEntry, pool: ProcessPoolExecutor | None, *, feed_id: int, host: str
) -> Started:
    """The entry's page with its extraction, done here (no `pool`) or handed to `pool`; or what
    stands for the entry when its page cannot be had now, or the error that stopped it."""
    try:
        fetched = _fetched(entry, feed_id=feed_id, host=host)
        if not isinstance(fetched, FetchResult):
            return fetched
        if pool is None:
            return fetched, _extract_here(fetched)
        return fetched, pool.submit(extract_article, fetched.content, fetched.url)
    except Exception as exc:
        return exc


def _finished(entry: ParsedEntry, step: Started, feed_id: int) -> tuple[ParsedEntry, Outcome]:
    if not isinstance(step, tuple):
        return entry, step
    page, extracted = step
    if isinstance(extracted, Future):
        try:
            extracted = extracted.result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this page is extracted here instead, so
            # no page loses its body to it.
            log.warning("extraction worker lost feed_id=%s url=%s", feed_id, page.url)
            extracted = _extract_here(page)
        except Exception as exc:
            extracted = exc
    try:
        return entry, _draft(entry, page, extracted, feed_id=feed_id)
    except Exception as exc:
        return entry, exc


def _fetched(
    entry: ParsedEntry, *, feed_id: int, host: str
) -> ArticleDraft | Deferred | FetchResult:
    """The entry's page, or what stands for it when it cannot be fetched now."""
    page_host = politeness.host_key(entry.url)
    cooling = politeness.cooling_down_s(entry.url)
    if cooling:
        return Deferred(
            "page_throttled",
            f"{page_host} asked us to slow down; we wait {cooling:.0f} s before asking again.",
            cooling,
        )
    robots = politeness.robots_decision(entry.url)
    if robots.temporary:
        log.info("page deferred feed_id=%s url=%s reason=%s", feed_id, entry.url, robots.reason)
        return Deferred("robots_unreachable", f"{page_host}: {robots.reason}")
    if not robots.allowed:
        log.info("page disallowed by robots.txt feed_id=%s url=%s", feed_id, entry.url)
        return build_draft(entry, None, page_url=entry.url, extraction_error=robots.reason)
    try:
        with politeness.host_slot(entry.url):
            return fetch(entry.url, max_bytes=PAGE_MAX_BYTES, accept=PAGE_ACCEPT)
    except FetchError as exc:
        if exc.kind == "http_status" and exc.status in THROTTLE_STATUSES:
            wait = politeness.note_throttled(entry.url, exc.retry_after_s)
            return Deferred("page_throttled", f"{page_host}: {exc}", wait)
        log.info(
            "page fetch error feed_id=%s host=%s url=%s error=%s", feed_id, host, entry.url, exc
        )
        return build_draft(entry, None, page_url=entry.url, extraction_error=f"Page: {exc}")


def _extract_here(page: FetchResult) -> ExtractedArticle | Exception:
    try:
        return extract_article(page.content, page.url)
    except Exception as exc:
        return exc


def _draft(
    entry: ParsedEntry,
    page: FetchResult,
    extracted: ExtractedArticle | Exception,
    *,
    feed_id: int,
) -> ArticleDraft:
    if isinstance(extracted, Exception):
        # Extraction runs third-party parsers on hostile HTML; keep the feed's own data instead.
        log.warning("extraction error feed_id=%s url=%s error=%r", feed_id, page.url, extracted)
        return build_draft(
            entry, None, page_url=page.url, extraction_error=f"Extraction: {extracted}"
        )
    return build_draft(entry, extracted, page_url=page.url)
