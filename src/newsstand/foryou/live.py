"""For You from the database: a reader's page of articles, each with why it is there.

`page_for(user)` is the whole interface: the reader's signals and follows (one query,
`foryou.reader_data`), this process's corpus of the stories window (`foryou.window_cache`), the
current Top stories, then the pure ranker (`feed.build_feed`) and one query for the articles.

Caches, all per process and keyed so that nothing the reader does waits for them:

- the reader's **profile** is rebuilt only when their signals change (the digest of the rows
  the one query returns: a new read, save or dwell changes it), or after `PROFILE_TTL_S`;
- the ranked **feed** (the first `FEED_DEPTH` items) is kept per reader for the current minute,
  keyed by the digest of signals and follows, the corpus generation and the Top stories: a
  follow or mute changes the next page at once;
- vectors of articles read before the window began (`OLD_VECTORS` of them, least recently
  used first out), so a reader's old history is vectorised once per process;
- the Top stories' scores for `TOP_STORIES_TTL_S` (they are re-ranked every few minutes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.foryou import window_cache
from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.feed import build_feed
from newsstand.foryou.inputs import FollowSet, ReaderSignals, Signal, normalise_label
from newsstand.foryou.model import Explanation, ExplanationKind, Profile, build_profile
from newsstand.foryou.reader_data import ReaderData, load_reader
from newsstand.foryou.window_cache import topic_keys, window_corpus
from newsstand.personal.models import Follow
from newsstand.stories.similarity import ArticleVector
from newsstand.stories.top import TopStory, top_stories
from newsstand.stories.window_cache import article_text

log = logging.getLogger(__name__)

# Items ranked and kept per reader: the first pages of For You (the rest would be stale by the
# time anyone scrolled there).
FEED_DEPTH = 90
PROFILE_TTL_S = 10 * 60.0
# The Top stories a For You page boosts (as many as the home page lists, so the home can hand
# over the ones it has), and how long their scores are kept.
TOP_STORIES_N = 8
TOP_STORIES_TTL_S = 60.0
# Readers whose profile and feed are kept; vectors of old reads kept.
CACHED_READERS = 2000
OLD_VECTORS = 20_000
# Enough of the body for a card's teaser (web.listing).
TEASER_SOURCE_CHARS = 400


@dataclass(frozen=True)
class ForYouEntry:
    """One article of a reader's For You page and why it is there."""

    article: Article  # publisher loaded; the body columns are deferred
    reason: str  # the strongest reason, a sentence: "Because you read “…”", "You follow …"
    reasons: tuple[str, ...]  # every reason, strongest first
    score: float


@dataclass(frozen=True)
class ForYouPage:
    entries: list[ForYouEntry]
    has_more: bool
    reader: ReaderData
    total: int  # items ranked (the pages there are)
    # The corpus is still being built (the process's first minute): the entries are the
    # fallback (Top stories, then the latest), and the page says so.
    preparing: bool = False


@dataclass(frozen=True)
class _Ranked:
    article_id: int
    score: float
    reasons: tuple[str, ...]


class _Lru[K, V]:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)


_lock = threading.Lock()
_profiles: _Lru[int, tuple[str, Profile, float]] = _Lru(CACHED_READERS)
_feeds: _Lru[int, tuple[tuple[Any, ...], list[_Ranked]]] = _Lru(CACHED_READERS)
# article id -> (vector, title) of articles read before the window began
_old_vectors: _Lru[Hashable, tuple[ArticleVector, str]] = _Lru(OLD_VECTORS)
_top: tuple[float, dict[Hashable, float]] | None = None


def reset_caches() -> None:
    """Forget profiles, feeds, old vectors and Top stories (tests; the corpus has its own)."""
    global _top
    with _lock:
        _profiles.data.clear()
        _feeds.data.clear()
        _old_vectors.data.clear()
        _top = None


def top_story_scores() -> dict[Hashable, float]:
    """The current Top stories' ids and ranking scores, kept for `TOP_STORIES_TTL_S`."""
    global _top
    now = time.monotonic()
    current = _top
    if current is not None and now - current[0] < TOP_STORIES_TTL_S:
        return current[1]
    scores: dict[Hashable, float] = {
        t.story.pk: float(t.story.score) for t in top_stories(TOP_STORIES_N)
    }
    _top = (now, scores)
    return scores


# --- signals outside the window --------------------------------------------------------------


def _with_vectors(signals: Sequence[Signal], corpus: Corpus) -> list[Signal]:
    """Signals with the vector and headline of articles the corpus does not hold (read before
    the window began), vectorised from their text in one batch; unknown articles dropped."""
    missing = {s.article_id for s in signals if s.article_id not in corpus.index}
    found: dict[Hashable, tuple[ArticleVector, str]] = {}
    with _lock:
        for article_id in missing:
            if (hit := _old_vectors.get(article_id)) is not None:
                found[article_id] = hit
    todo = sorted(int(i) for i in missing - set(found))  # type: ignore[call-overload]  # article pks
    if todo:
        rows = [
            dict(r)
            for r in Article.objects.filter(pk__in=todo).values(
                "id", "title", "summary", "content_text"
            )
        ]
        vectors = corpus.vectorize([article_text(r) for r in rows]) if rows else []
        with _lock:
            for row, vector in zip(rows, vectors, strict=True):
                found[row["id"]] = (vector, str(row["title"] or ""))
                _old_vectors.put(row["id"], found[row["id"]])
    result = []
    for s in signals:
        if s.article_id in corpus.index:
            result.append(s)
        elif (hit := found.get(s.article_id)) is not None:
            result.append(replace(s, vector=hit[0], title=hit[1]))
    return result


def _profile(
    user_id: int, reader: ReaderData, corpus: Corpus, now_ts: float, cfg: ForYouSettings
) -> tuple[Profile, list[Signal]]:
    key = reader.signals_version
    mono = time.monotonic()
    with _lock:
        cached = _profiles.get(user_id)
    if cached is not None and cached[0] == key and mono - cached[2] < PROFILE_TTL_S:
        return cached[1], list(reader.signals)
    signals = _with_vectors(reader.signals, corpus) if reader.signals else []
    profile = build_profile(ReaderSignals(tuple(signals)), corpus, now_ts, cfg)
    with _lock:
        _profiles.put(user_id, (key, profile, mono))
    return profile, signals


# --- reasons ---------------------------------------------------------------------------------


def reason_text(explanation: Explanation, reader: ReaderData) -> str:
    """The sentence a page shows; topics and sections by the name the reader followed."""
    if explanation.kind is ExplanationKind.FOLLOWED_TOPIC:
        label = reader.label_of(Follow.Kind.TOPIC, str(explanation.target)) or explanation.label
        return f"You follow {label}"
    if explanation.kind is ExplanationKind.FOLLOWED_SECTION:
        key = normalise_label(str(explanation.target))
        label = next(
            (
                r.label
                for r in reader.follows
                if r.kind == Follow.Kind.SECTION and normalise_label(r.key) == key
            ),
            explanation.label,
        )
        return f"You follow {label}"
    return explanation.text


def _rank(
    user_id: int,
    reader: ReaderData,
    now: datetime,
    cfg: ForYouSettings,
    top: Mapping[Hashable, float] | None,
) -> list[_Ranked]:
    now_ts = now.timestamp()
    if top is None:
        top = top_story_scores()
    with window_corpus(now, db_max=reader.latest_article_id) as (corpus, generation):
        key = (reader.version, generation, tuple(sorted(top.items())), int(now_ts // 60))
        with _lock:
            cached = _feeds.get(user_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        profile, signals = _profile(user_id, reader, corpus, now_ts, cfg)
        feed = build_feed(
            ReaderSignals(tuple(signals)),
            reader.follow_set,
            corpus,
            now_ts=now_ts,
            top_stories=top,
            cfg=replace(cfg, page_size=FEED_DEPTH),
            profile=profile,
        )
    ranked = []
    for item in feed.items:
        texts: list[str] = []
        for explanation in item.reasons:
            text = reason_text(explanation, reader)
            if text not in texts:
                texts.append(text)
        ranked.append(_Ranked(int(item.article_id), item.score, tuple(texts)))  # type: ignore[call-overload]  # article pks
    with _lock:
        _feeds.put(user_id, (key, ranked))
    return ranked


# --- articles --------------------------------------------------------------------------------


def entry_queryset() -> QuerySet[Article]:
    """Articles as entries carry them: publisher joined, bodies left out but a teaser's worth."""
    return (
        Article.objects.select_related("publisher")
        .defer("content_html", "content_text")
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
    )


def is_muted(article: Article, follows: FollowSet) -> bool:
    """The article as stored now: by a muted publisher, in a muted section, topic or story.

    The ranker already leaves muted things out; this checks the page against the database in
    case the corpus's copy of a story or topic is a minute old.
    """
    muted = follows.muted
    if not muted:
        return False
    return bool(
        article.publisher_id in muted.publishers
        or (article.story_id is not None and article.story_id in muted.stories)
        or (article.section and normalise_label(article.section) in muted.sections)
        or (muted.topics and topic_keys(article.topics) & muted.topics)
    )


def _fallback(reader: ReaderData, limit: int, top: Sequence[TopStory] | None) -> list[ForYouEntry]:
    """Top stories' lead articles, then the latest: a page is never empty while there is news."""
    follows = reader.follow_set
    seen = {s.article_id for s in reader.signals}
    if top is None:
        top = top_stories(TOP_STORIES_N)
    leads = [t.story.representative_id for t in top if t.story.representative_id is not None]
    rows = entry_queryset().filter(
        Q(pk__in=leads) | Q(pk__in=Article.objects.order_by("-pk").values("pk")[: limit * 3])
    )
    rank = {pk: i for i, pk in enumerate(leads)}
    ordered = sorted(
        rows,
        key=lambda a: (rank.get(a.pk, len(rank)), -(a.published_at or a.fetched_at).timestamp()),
    )
    entries = []
    for article in ordered:
        if article.pk in seen or is_muted(article, follows):
            continue
        reason = "Top story right now" if article.pk in rank else "Latest news"
        article.is_saved = False  # type: ignore[attr-defined]  # what card_page annotates
        entries.append(ForYouEntry(article=article, reason=reason, reasons=(reason,), score=0.0))
        if len(entries) >= limit:
            break
    return entries


def load_reader_for(user: AbstractBaseUser) -> ReaderData:
    """The reader's signals and follows, and the corpus's question when it is due: one query,
    for `feed_page(reader=...)`."""
    return load_reader(
        int(user.pk),
        max_signals=ForYouSettings.from_settings().max_signals,
        with_latest_id=window_cache.check_due(),
    )


def feed_page(
    user: AbstractBaseUser,
    *,
    offset: int = 0,
    limit: int = 30,
    now: datetime | None = None,
    reader: ReaderData | None = None,
    top: Sequence[TopStory] | None = None,
    wait_s: float = 0.0,
) -> ForYouPage:
    """Entries `offset` to `offset + limit` of the reader's For You, and whether more follow.

    While this process's corpus is still being built in the background, the page is the
    fallback (`preparing`), unless `wait_s` (seconds) allows waiting for the build.

    `reader` (the home page loads it for its muted publishers) and `top` (the current Top
    stories, `top_stories(TOP_STORIES_N)`) save their queries when the caller has them.
    """
    now = now or timezone.now()
    user_id = int(user.pk)
    cfg = ForYouSettings.from_settings()
    if reader is None:
        reader = load_reader_for(user)
    scores: dict[Hashable, float] | None = None
    if top is not None:
        scores = {t.story.pk: float(t.story.score) for t in top}
    preparing = False
    try:
        ranked = _rank(user_id, reader, now, cfg, scores)
    except window_cache.CorpusNotReady:
        # This process's first For You: the window is being vectorised in the background.
        # A task (the briefing) can afford to wait for it; a page cannot.
        if wait_s > 0 and window_cache.wait_for_build(wait_s):
            ranked = _rank(user_id, reader, now, cfg, scores)
        else:
            ranked, preparing = [], True
    window = ranked[offset : offset + limit]
    entries: list[ForYouEntry] = []
    if window:
        follows = reader.follow_set
        articles = entry_queryset().in_bulk([r.article_id for r in window])
        if gone := [r.article_id for r in window if r.article_id not in articles]:
            window_cache.forget(gone)
        for r in window:
            article = articles.get(r.article_id)
            if article is None or is_muted(article, follows):
                continue
            # Read and saved articles never reach the page, so no card asks whether it is saved.
            article.is_saved = False  # type: ignore[attr-defined]  # what card_page annotates
            entries.append(ForYouEntry(article, r.reasons[0], r.reasons, r.score))
    elif offset == 0:
        entries = _fallback(reader, limit, top)
    log.debug(
        "foryou page user_id=%s offset=%d entries=%d ranked=%d",
        user_id,
        offset,
        len(entries),
        len(ranked),
    )
    return ForYouPage(
        entries=entries,
        has_more=len(ranked) > offset + limit,
        reader=reader,
        total=len(ranked),
        preparing=preparing,
    )


def page_for(
    user: AbstractBaseUser,
    *,
    limit: int = 30,
    now: datetime | None = None,
    wait_s: float = 0.0,
) -> list[ForYouEntry]:
    """The reader's For You page: up to `limit` articles, best first, each with its reasons.

    Muted publishers, sections, topics and stories never appear; articles the reader read or
    saved neither. A reader with no history and no follows gets the Top stories. Three or four
    queries (reader, corpus check, articles; the Top stories once a minute), plus loading new
    articles into the corpus when there are any.
    """
    return feed_page(user, limit=limit, now=now, wait_s=wait_s).entries
