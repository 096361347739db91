"""The For You corpus of this process: the stories window, vectorised once and kept in step.

A per-process CACHE of the database (`stories.window_cache.WindowCache`, the holder story
assignment's clusterer uses too), loaded the same way (`stories.window_cache.load_window`):
built on first use from the last `NEWSSTAND_STORIES_WINDOW_DAYS` of articles, a batch at a
time, then kept in step. It is a copy of its own, not the clusterer's: that one lives in the
worker, this one in every web process (and in the worker for the briefing), and its IDF,
evictions and metadata follow the clock and the database rather than the clusterer's window.
At most every `SYNC_EVERY_S` a call asks the database one cheap question (the highest article
id; a caller can bring it along in a query of its own), and at once when the caller's id is
newer than the corpus's or a new minute has begun (so that processes ranking the same minute
hold the same window), and

- loads and vectorises the articles with ids above the highest one it has seen;
- re-reads the story, section and topics of the articles fetched lately, and of those still
  without a story, every `RECENT_REFRESH_S` (clustering assigns stories after ingest, and the
  hourly repair merges and splits recent stories), and of the whole window every
  `FULL_REFRESH_S`, or at the next check when a page found articles deleted (`forget`);
- forgets the articles that left the window (by the minute: the window of 12:34:56 is the
  window of 12:34);
- starts again when the database shrank below what it saw (a restored backup, a test rollback).

A lock serialises the threads of one process: syncing mutates the index that ranking reads.
`generation` changes whenever the corpus does, so callers can key caches on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.articles.topics import topic_slug
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ArticleMeta
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.window import WindowIndex
from newsstand.stories.window_cache import (
    WindowCache,
    article_ts,
    latest_article_id,
    load_window,
    window_seconds,
)
from newsstand.stories.window_cache import window_q as _window_q

log = logging.getLogger(__name__)

# The database is asked whether anything changed at most this often (seconds); new articles
# show in For You within this time. Tests set it to 0.
SYNC_EVERY_S = 5.0
# Stories of recently fetched articles (and of articles still without one) are re-read this
# often; the hourly repair only touches stories of the last two hours (`RECENT_HORIZON_S`).
RECENT_REFRESH_S = 60.0
RECENT_HORIZON_S = 3 * 3600.0
# The whole window's stories and topics are re-read this often (a full re-clustering, edits).
FULL_REFRESH_S = 15 * 60.0
# Re-read in chunks of this many ids.
ID_CHUNK = 5000

_META_FIELDS = (
    "id",
    "publisher_id",
    "publisher__name",
    "title",
    "section",
    "topics",
    "story_id",
    "fetched_at",
)


def window_q(now: datetime) -> Q:
    return _window_q(now, window_seconds())


def topic_keys(topics: object) -> frozenset[str]:
    """An article's topics as the keys topic follows use (slugs, `articles.topics`)."""
    if not isinstance(topics, list):
        return frozenset()
    return frozenset(s for t in topics if isinstance(t, str) and (s := topic_slug(t)))


def meta_of(row: dict[str, Any]) -> ArticleMeta:
    return ArticleMeta(
        id=row["id"],
        publisher_id=row["publisher_id"],
        publisher_name=row.get("publisher__name") or "",
        title=row.get("title") or "",
        section=row.get("section") or "",
        topics=topic_keys(row.get("topics")),
        story_id=row.get("story_id"),
        arrived_ts=fetched.timestamp() if (fetched := row.get("fetched_at")) else 0.0,
    )


@dataclass
class _State:
    corpus: Corpus
    max_id: int
    generation: int
    checked_at: float = 0.0
    # The minute of the clock it last evicted by: a new minute brings a check, so that every
    # process holds the same window within a minute (`live` ranks by the minute).
    minute: datetime | None = None
    recent_at: float = field(default_factory=time.monotonic)
    full_at: float = field(default_factory=time.monotonic)
    # A caller found articles of the corpus gone from the database (`forget`).
    deleted: bool = False


class CorpusNotReady(Exception):
    """The corpus is being built in the background; rank with something else meanwhile."""


_window: WindowCache[_State] = WindowCache("foryou corpus")
# The background build (NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND), at most one per process.
_builder: threading.Thread | None = None
_generations = iter(range(1, 2**62))
_model: SimilarityModel | None = None


def reset() -> None:
    """Forget the corpus (tests; after settings change)."""
    _window.reset()


def build_in_background() -> bool:
    """Is the first build a background thread's job (the default), or the caller's (tests)?"""
    return bool(settings.NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND)


def _start_builder() -> threading.Thread:
    """Start building the corpus in a thread, unless one is at it. Under the lock.

    Vectorising the window takes about a second per thousand articles on this machine (90 s at
    100,000): a web request that did it would hold its worker past gunicorn's 30 s timeout,
    and the restarted worker would start over. The thread builds without the lock, so the
    process's other requests go on (with the fallback page), and installs the result.
    """
    global _builder
    if _builder is not None and _builder.is_alive():
        return _builder

    def run() -> None:
        try:
            built = _build(timezone.now(), None)
            with _window.lock:
                if _window.state is None:
                    _window.state = built
        except Exception:
            log.exception("foryou corpus build failed; the next request tries again")
        finally:
            # The thread's own database connection; nothing else will close it.
            connections.close_all()

    _builder = threading.Thread(target=run, name="foryou-corpus-build", daemon=True)
    _builder.start()
    log.info("foryou corpus build started in the background")
    return _builder


def wait_for_build(timeout_s: float) -> bool:
    """Wait for a background build (tests, warm-up); True if the corpus is ready."""
    builder = _builder
    if builder is not None:
        builder.join(timeout_s)
    return _window.state is not None


def _similarity_model() -> SimilarityModel:
    # The embedding backend loads once per process; every rebuilt corpus gets a fresh model
    # (its document frequencies are the index's own) around the same backend.
    global _model
    if _model is None:
        _model = SimilarityModel()
    return SimilarityModel(_model.backend)


def _load(corpus: Corpus, qs: Any, now: datetime) -> int:
    """Vectorise and index the rows of `qs` in id order, a batch at a time; rows loaded."""
    loaded = 0
    for batch, vectors in load_window(qs, corpus.vectorize, _META_FIELDS):
        corpus.set_meta(meta_of(r) for r in batch)
        corpus.index.add_many(
            [r["id"] for r in batch], vectors, [article_ts(r, now) for r in batch]
        )
        loaded += len(batch)
    return loaded


def latest_id() -> int:
    """The highest article id: the one question a corpus check asks (an index lookup)."""
    return latest_article_id()


def _build(now: datetime, max_id: int | None) -> _State:
    started = time.monotonic()
    # The window by the minute, as every later check evicts by it.
    now = now.replace(second=0, microsecond=0)
    if max_id is None:
        max_id = latest_id()
    corpus = Corpus(WindowIndex(_similarity_model()))
    _load(corpus, Article.objects.filter(window_q(now), pk__lte=max_id), now)
    corpus.sync()
    log.info(
        "foryou corpus built articles=%d seconds=%.1f",
        len(corpus.index),
        time.monotonic() - started,
    )
    return _State(corpus, max_id, next(_generations), checked_at=time.monotonic(), minute=now)


def current_meta(corpus: Corpus, ids: Iterable[int]) -> list[ArticleMeta]:
    """These articles' metadata as stored now, where it differs from the corpus's copy (the
    page is composed from the database's stories and sections, not from this process's
    last re-read of them). Nothing to ask when the whole window was read in the last
    `SYNC_EVERY_S` (a corpus just built)."""
    state = _window.state
    if state is not None and time.monotonic() - state.full_at < SYNC_EVERY_S:
        return []
    changed: list[ArticleMeta] = []
    wanted = sorted(ids)
    for lo in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[lo : lo + ID_CHUNK]
        for row in Article.objects.filter(pk__in=chunk).values(*_META_FIELDS):
            meta = meta_of(row)
            if corpus.meta.get(meta.id) != meta:
                changed.append(meta)
    return changed


def _refresh_meta(state: _State, ids: list[int], *, drop_missing: bool) -> bool:
    """Re-read these articles' metadata; True if any changed (or, with `drop_missing`, went)."""
    corpus = state.corpus
    changed: list[ArticleMeta] = []
    seen: set[int] = set()
    for lo in range(0, len(ids), ID_CHUNK):
        chunk = ids[lo : lo + ID_CHUNK]
        for row in Article.objects.filter(pk__in=chunk).values(*_META_FIELDS):
            seen.add(row["id"])
            meta = meta_of(row)
            if corpus.meta.get(meta.id) != meta:
                changed.append(meta)
    if changed:
        corpus.set_meta(changed)
    gone = [i for i in ids if i not in seen] if drop_missing else []
    for doc_id in gone:
        corpus.index.remove(doc_id)
        corpus.meta.pop(doc_id, None)
    return bool(changed or gone)


def _catch_up(state: _State, now: datetime, db_max: int) -> bool:
    """Bring the corpus up to the database (its highest id now); True if it changed."""
    corpus = state.corpus
    changed = False
    if db_max > state.max_id:
        newer = Article.objects.filter(window_q(now), pk__gt=state.max_id, pk__lte=db_max)
        changed = _load(corpus, newer, now) > 0
        state.max_id = db_max
    deleted, state.deleted = state.deleted, False
    mono = time.monotonic()
    alive = [int(i) for i in corpus.index.alive_ids()]  # type: ignore[call-overload]  # article pks
    if deleted or mono - state.full_at > FULL_REFRESH_S:
        changed |= _refresh_meta(state, alive, drop_missing=True)
        state.full_at = state.recent_at = mono
    elif mono - state.recent_at > RECENT_REFRESH_S:
        since = now - timedelta(seconds=RECENT_HORIZON_S)
        recent = set(
            Article.objects.filter(window_q(now), fetched_at__gte=since).values_list(
                "pk", flat=True
            )
        )
        unassigned = {i for i in alive if (m := corpus.meta.get(i)) and m.story_id is None}
        changed |= _refresh_meta(state, sorted(recent | unassigned), drop_missing=False)
        state.recent_at = mono
    start_ts = (now - timedelta(seconds=window_seconds())).timestamp()
    state.minute = now.replace(second=0, microsecond=0)
    gone = corpus.index.evict_before(start_ts)
    for doc_id in gone:
        corpus.meta.pop(doc_id, None)
    changed |= bool(gone)
    if changed:
        corpus.sync()
    return changed


def corpus_max_id() -> int:
    """The highest article id the corpus has seen (call inside `window_corpus`)."""
    state = _window.state
    return state.max_id if state is not None else 0


def forget(article_ids: Iterable[int]) -> None:
    """Articles a caller found deleted: out of the corpus now, and the next check re-reads the
    whole window (whatever deleted them may have deleted more)."""
    with _window.lock:
        state = _window.state
        if state is None:
            return
        gone = [i for i in article_ids if i in state.corpus.index]
        for doc_id in gone:
            state.corpus.index.remove(doc_id)
            state.corpus.meta.pop(doc_id, None)
        if gone:
            state.corpus.sync()
            state.deleted = True
            state.checked_at = 0.0
            state.generation = next(_generations)


@contextmanager
def window_corpus(
    now: datetime | None = None, *, db_max: int | None = None
) -> Iterator[tuple[Corpus, int]]:
    """This process's corpus, in step with the database, and its generation; held locked.

    Raises CorpusNotReady while the first build runs in the background (the default; with
    NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND off the first caller builds it, as tests do).

    `db_max`, the highest article id, saves the check's query when the caller read it already
    (`foryou.live` reads it with the reader's rows); a `db_max` above what the corpus has seen
    brings it up to date now, so that every process ranks a page from the same articles. Rank
    inside the `with` block: another thread's sync would change the index under it.
    """
    now = now or timezone.now()
    with _window.lock:
        state = _window.state
        due = state is not None and (
            time.monotonic() - state.checked_at >= SYNC_EVERY_S
            or (db_max is not None and db_max > state.max_id)
            or (state.minute is not None and now.replace(second=0, microsecond=0) > state.minute)
        )
        if state is not None and due:
            if db_max is None:
                db_max = latest_id()
            state = _window.current(db_max)
            if state is not None:
                if _catch_up(state, now, db_max):
                    state.generation = next(_generations)
                state.checked_at = time.monotonic()
        if state is None:
            if build_in_background():
                _start_builder()
                raise CorpusNotReady
            state = _window.state = _build(now, db_max)
        yield state.corpus, state.generation
