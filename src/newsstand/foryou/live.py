"""For You from the database: a reader's page of articles, each with why it is there.

`page_for(user)` is the whole interface: the reader's signals and follows (one query,
`foryou.reader_data`), this process's corpus of the stories window (`foryou.window_cache`), the
current Top stories, then the pure ranker (`feed.build_feed`) and one query for the articles.

One reader, one page, whichever process serves it. The ranked page is kept in the shared
cache (Django's cache: a directory every process of a node reads, or Redis across nodes) for
the current minute, keyed by everything it is made from: the digest of the reader's rows
(signals, follows, the stories of what they read), the highest article id, the Top stories
and the settings. The first process to rank it stores it (`cache.add`), and every process
serves what is stored. The ranking itself depends on nothing but those inputs: the minute
(not the second) is its clock, the corpus is brought up to the highest id first, the
candidates' stories and sections are read from the database as stored now, and ties are
broken by id (`feed`). What the reader has in effect read (copies, the rest of a read story,
`seen.Seen`) comes from the database too.

While this process's corpus is still being built, a page stored by another process is served;
failing that, a page ranked from the database alone by the same rules (follows first, nothing
read, muted or seen), which says it is preparing.

Caches of this process, keyed so that nothing the reader does waits for them:

- the reader's **profile**, rebuilt when their signals change or the corpus takes new
  articles (its IDF changes), or after `PROFILE_TTL_S`;
- the ranked **feed** (the first `FEED_DEPTH` items), the shared cache's entry kept locally;
- vectors of articles read before the window began (`OLD_VECTORS` of them, least recently
  used first out), so a reader's old history is vectorised once per process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from newsstand.articles.models import Article, ArticleTopic
from newsstand.foryou import window_cache
from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import NO_CODE, Corpus
from newsstand.foryou.feed import SCORE_DECIMALS, build_feed, diversify, promote_follows, targets_of
from newsstand.foryou.inputs import ArticleMeta, FollowSet, ReaderSignals, Signal, normalise_label
from newsstand.foryou.model import (
    Explanation,
    ExplanationKind,
    Profile,
    build_profile,
    freshness,
)
from newsstand.foryou.reader_data import ReaderData, load_reader
from newsstand.foryou.seen import Seen
from newsstand.foryou.window_cache import topic_keys, window_corpus, window_q
from newsstand.personal.models import Follow
from newsstand.stories.similarity import ArticleVector
from newsstand.stories.top import TopStory, top_stories
from newsstand.stories.window_cache import article_text, article_ts

log = logging.getLogger(__name__)

# Items ranked and kept per reader: the first pages of For You (the rest would be stale by the
# time anyone scrolled there).
FEED_DEPTH = 90
PROFILE_TTL_S = 10 * 60.0
# The Top stories a For You page boosts (as many as the home page lists, so the home can hand
# over the ones it has), and how long every process shares one reading of their scores.
TOP_STORIES_N = 8
TOP_STORIES_TTL_S = 60.0
TOP_STORIES_KEY = "foryou:top-stories"
# A ranked page in the shared cache: keyed by its minute among the rest, kept a little longer
# than that minute so a page served at its end is still there for the next request of it.
PAGE_KEY = "foryou:page"
PAGE_CACHE_S = 120
SECONDS_PER_MINUTE = 60
# Readers whose profile and feed are kept; vectors of old reads kept.
CACHED_READERS = 2000
OLD_VECTORS = 20_000
# Enough of the body for a card's teaser (web.listing).
TEASER_SOURCE_CHARS = 400
# The database-only page (corpus not ready): the latest articles looked at, per item shown.
FALLBACK_LATEST_PER_ITEM = 3

REASON_TOP = "Top story right now"
REASON_LATEST = "Latest news"


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
    # This process's corpus is still being built (its first minute) and no other process had
    # ranked the page: the entries are ranked from the database alone, and the page says so.
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
_profiles: _Lru[int, tuple[tuple[str, int], Profile, float]] = _Lru(CACHED_READERS)
_feeds: _Lru[int, tuple[str, list[_Ranked]]] = _Lru(CACHED_READERS)
# article id -> (vector, title) of articles read before the window began
_old_vectors: _Lru[Hashable, tuple[ArticleVector, str]] = _Lru(OLD_VECTORS)


def reset_caches() -> None:
    """Forget profiles, feeds and old vectors (tests; the corpus has its own, and the shared
    cache is the tests' to empty)."""
    with _lock:
        _profiles.data.clear()
        _feeds.data.clear()
        _old_vectors.data.clear()


def _read_top_scores() -> dict[int, float]:
    return {int(t.story.pk): float(t.story.score) for t in top_stories(TOP_STORIES_N)}


def top_story_scores() -> dict[Hashable, float]:
    """The current Top stories' ids and ranking scores: one reading every `TOP_STORIES_TTL_S`,
    shared by every process (they are re-ranked every few minutes)."""
    scores = cache.get_or_set(TOP_STORIES_KEY, _read_top_scores, TOP_STORIES_TTL_S)
    return dict(scores or {})


def _minute(now: datetime) -> datetime:
    """The clock a page is ranked at: the start of the minute, the same in every process."""
    return now.replace(second=0, microsecond=0)


def page_key(
    user_id: int,
    reader: ReaderData,
    top: Mapping[Hashable, float],
    minute: datetime,
    cfg: ForYouSettings,
) -> str:
    """The shared cache's key of this reader's page: everything the ranking is made from."""
    parts = (
        reader.version,
        reader.latest_article_id,
        sorted((str(k), v) for k, v in top.items()),
        minute.isoformat(),
        repr(cfg),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{PAGE_KEY}:{user_id}:{digest}"


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
    user_id: int,
    reader: ReaderData,
    corpus: Corpus,
    corpus_max_id: int,
    now_ts: float,
    cfg: ForYouSettings,
) -> tuple[Profile, list[Signal]]:
    # The profile's term weights carry the window's IDF: new articles change it.
    key = (reader.signals_version, corpus_max_id)
    mono = time.monotonic()
    with _lock:
        cached = _profiles.get(user_id)
    signals = _with_vectors(reader.signals, corpus) if reader.signals else []
    if cached is not None and cached[0] == key and mono - cached[2] < PROFILE_TTL_S:
        return cached[1], signals
    profile = build_profile(ReaderSignals(tuple(signals)), corpus, now_ts, cfg)
    with _lock:
        _profiles.put(user_id, (key, profile, mono))
    return profile, signals


# --- what the reader has in effect read --------------------------------------------------------


def _pks(values: Iterable[Hashable]) -> list[int]:
    """Row ids among values typed as any hashable (the ranker's ids are the database's)."""
    return [v for v in values if isinstance(v, int)]


def hidden_ids(seen: Seen, now: datetime) -> set[int]:
    """Articles of the window the reader has in effect read: the read ones, their copies, and
    their stories' coverage from before the reading (`seen.Seen`); one query."""
    if not seen:
        return set()
    ints, sets, stories = _pks(seen.articles), _pks(seen.copy_sets), _pks(seen.stories)
    rows = (
        Article.objects.filter(window_q(now))
        .filter(Q(pk__in=ints) | Q(pk__in=sets) | Q(copy_of_id__in=sets) | Q(story_id__in=stories))
        .values_list("id", "story_id", "copy_of_id", "fetched_at")
    )
    return {
        pk
        for pk, story, copy, fetched in rows
        if seen.hides(pk, story_id=story, copy_of=copy, arrived_ts=fetched.timestamp())
    }


def _hidden_now(article: Article, seen: Seen) -> bool:
    return seen.hides(
        article.pk,
        story_id=article.story_id,
        copy_of=article.copy_of_id,
        arrived_ts=article.fetched_at.timestamp(),
    )


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


def _texts(explanations: Iterable[Explanation], reader: ReaderData) -> tuple[str, ...]:
    texts: list[str] = []
    for explanation in explanations:
        text = reason_text(explanation, reader)
        if text not in texts:
            texts.append(text)
    return tuple(texts)


# --- ranking from the corpus -----------------------------------------------------------------


def _rank(
    user_id: int,
    reader: ReaderData,
    minute: datetime,
    cfg: ForYouSettings,
    top: Mapping[Hashable, float],
) -> list[_Ranked]:
    """The reader's first `FEED_DEPTH` items, ranked from this process's corpus; raises
    `window_cache.CorpusNotReady` while it is being built."""
    now_ts = minute.timestamp()
    hidden = hidden_ids(reader.seen, minute)
    with window_corpus(minute, db_max=reader.latest_article_id) as (corpus, _generation):
        corpus_max_id = window_cache.corpus_max_id()
        profile, signals = _profile(user_id, reader, corpus, corpus_max_id, now_ts, cfg)
        feed = build_feed(
            ReaderSignals(tuple(signals)),
            reader.follow_set,
            corpus,
            now_ts=now_ts,
            top_stories=top,
            cfg=replace(cfg, page_size=FEED_DEPTH),
            profile=profile,
            exclude=hidden,
            refresh=lambda ids: window_cache.current_meta(corpus, ids),  # type: ignore[arg-type]  # article pks
        )
    return [
        _Ranked(int(item.article_id), item.score, _texts(item.reasons, reader))  # type: ignore[call-overload]  # article pks
        for item in feed.items
    ]


# --- ranking from the database alone -----------------------------------------------------------


def _followed_q(follows: FollowSet, window: Q, per_target: int) -> Q:
    """Each followed thing's newest `per_target` articles of the window (sliced subqueries)."""
    newest = Article.objects.filter(window).order_by("-published_at", "-id")
    followed = follows.followed
    parts: list[QuerySet[Article]] = [
        newest.filter(publisher_id=p) for p in _pks(followed.publishers)
    ]
    parts += [newest.filter(section__iexact=s) for s in followed.sections]
    parts += [newest.filter(story_id=s) for s in _pks(followed.stories)]
    parts += [
        newest.filter(pk__in=ArticleTopic.objects.filter(slug=t).values("article_id"))
        for t in followed.topics
    ]
    q = Q(pk__in=[])
    for part in parts:
        q |= Q(pk__in=part.values("pk")[:per_target])
    return q


def _rank_from_database(
    reader: ReaderData,
    minute: datetime,
    cfg: ForYouSettings,
    top: Mapping[Hashable, float],
    limit: int,
) -> tuple[list[_Ranked], dict[int, Article]]:
    """The page without the corpus, by the same rules but for similarity: nothing read, seen
    or muted; follows and Top stories boosted, times freshness; the latest to fill; one article
    per story; each followed thing within the first `follow_slots`. One query, which brings
    the entries' articles too."""
    now_ts = minute.timestamp()
    follows = reader.follow_set
    seen = reader.seen
    window = window_q(minute)
    on_top = _pks(s for s, v in top.items() if v > 0)
    per_target = max(1, cfg.followed_candidates // max(1, _count_targets(follows)))
    latest = Article.objects.order_by("-id").values("pk")[: limit * FALLBACK_LATEST_PER_ITEM]
    q = _followed_q(follows, window, per_target) | Q(pk__in=latest)
    if on_top:
        q |= Q(pk__in=Article.objects.filter(window, story_id__in=on_top).values("pk"))
    articles = {a.pk: a for a in entry_queryset().filter(q)}
    kept_rows: list[tuple[Article, ArticleMeta]] = []
    for article in articles.values():
        if _hidden_now(article, seen) or is_muted(article, follows):
            continue
        meta = ArticleMeta(
            id=article.pk,
            publisher_id=article.publisher_id,
            publisher_name=article.publisher.name,
            title=article.title,
            section=article.section,
            topics=topic_keys(article.topics),
            story_id=article.story_id,
            arrived_ts=article.fetched_at.timestamp(),
        )
        kept_rows.append((article, meta))
    if not kept_rows:
        return [], articles
    metas = [m for _, m in kept_rows]
    ts = np.array(
        [
            article_ts({"published_at": a.published_at, "fetched_at": a.fetched_at}, minute)
            for a, _ in kept_rows
        ]
    )
    ids = np.array([m.id for m in metas])
    followed = follows.followed
    targets = [targets_of(m, followed) for m in metas]
    stories = {m.story_id for m in metas if m.story_id is not None}
    story_code = {s: i for i, s in enumerate(sorted(stories, key=str))}
    publisher_code = {p: i for i, p in enumerate(sorted({m.publisher_id for m in metas}, key=str))}
    story_codes = np.array(
        [story_code.get(m.story_id, NO_CODE) if m.story_id is not None else NO_CODE for m in metas]
    )
    publisher_codes = np.array([publisher_code[m.publisher_id] for m in metas])
    strength = _story_strength(top)
    top_part = np.array(
        [strength.get(m.story_id, 0.0) if m.story_id is not None else 0.0 for m in metas]
    )
    boost = (
        np.array(
            [
                cfg.publisher_boost * any(k == "publisher" for k, _ in t)
                + cfg.section_boost * any(k == "section" for k, _ in t)
                + cfg.topic_boost * any(k == "topic" for k, _ in t)
                + cfg.story_boost * any(k == "story" for k, _ in t)
                for t in targets
            ]
        )
        + cfg.top_story_boost * top_part
    )
    score = boost * freshness(ts, now_ts, cfg)
    order = np.lexsort((ids, -ts, -np.round(score, SCORE_DECIMALS)))
    kept = diversify(
        order,
        publisher_codes,
        story_codes,
        max_per_publisher=cfg.max_per_publisher,
        limit=FEED_DEPTH,
    )
    if followed:
        kept = promote_follows(
            kept,
            order.tolist(),
            lambda pos: targets[pos],
            story_codes,
            window=cfg.follow_slots,
            limit=FEED_DEPTH,
        )
    ranked = []
    for pos in kept:
        meta = metas[pos]
        reasons = [_follow_text(t, meta, reader) for t in sorted(targets[pos], key=_target_order)]
        if top_part[pos] > 0:
            reasons.append(REASON_TOP)
        if not reasons:
            reasons.append(REASON_LATEST)
        ranked.append(_Ranked(int(meta.id), float(score[pos]), tuple(dict.fromkeys(reasons))))  # type: ignore[call-overload]  # article pks
    return ranked, articles


def _count_targets(follows: FollowSet) -> int:
    f = follows.followed
    return len(f.publishers) + len(f.sections) + len(f.topics) + len(f.stories)


def _story_strength(top: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Each Top story's score over the best one's, as `model.top_story_strength` gives it."""
    best = max((v for v in top.values() if v > 0), default=0.0)
    return {s: v / best for s, v in top.items() if v > 0} if best > 0 else {}


_KIND_ORDER = {"story": 0, "publisher": 1, "topic": 2, "section": 3}


def _target_order(target: tuple[str, Hashable]) -> tuple[int, str]:
    return (_KIND_ORDER.get(target[0], 9), str(target[1]))


def _follow_text(target: tuple[str, Hashable], meta: ArticleMeta, reader: ReaderData) -> str:
    kind, key = target
    if kind == "story":
        return "You follow this story"
    if kind == "publisher":
        return f"You follow {meta.publisher_name or key}"
    if kind == "topic":
        return f"You follow {reader.label_of(Follow.Kind.TOPIC, str(key)) or key}"
    label = next(
        (
            r.label
            for r in reader.follows
            if r.kind == Follow.Kind.SECTION and normalise_label(r.key) == key
        ),
        meta.section,
    )
    return f"You follow {label}"


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


def load_reader_for(user: AbstractBaseUser) -> ReaderData:
    """The reader's signals and follows, and the highest article id: one query, for
    `feed_page(reader=...)`."""
    return load_reader(
        int(user.pk), max_signals=ForYouSettings.from_settings().max_signals, with_latest_id=True
    )


def _shared_page(user_id: int, key: str) -> list[_Ranked] | None:
    with _lock:
        local = _feeds.get(user_id)
    if local is not None and local[0] == key:
        return local[1]
    found: list[_Ranked] | None = cache.get(key)
    if found is not None:
        with _lock:
            _feeds.put(user_id, (key, found))
    return found


def _share_page(user_id: int, key: str, ranked: list[_Ranked]) -> list[_Ranked]:
    """Store the page unless another process stored one first; the stored one either way."""
    if not cache.add(key, ranked, PAGE_CACHE_S):
        ranked = cache.get(key) or ranked
    with _lock:
        _feeds.put(user_id, (key, ranked))
    return ranked


def _ranked_page(
    user_id: int,
    reader: ReaderData,
    now: datetime,
    cfg: ForYouSettings,
    top: Mapping[Hashable, float],
    wait_s: float,
) -> tuple[list[_Ranked], bool]:
    """The reader's ranked items and whether they are the database-only page (preparing:
    empty here, `_rank_from_database` makes it)."""
    minute = _minute(now)
    key = page_key(user_id, reader, top, minute, cfg)
    if (shared := _shared_page(user_id, key)) is not None:
        return shared, False
    try:
        return _share_page(user_id, key, _rank(user_id, reader, minute, cfg, top)), False
    except window_cache.CorpusNotReady:
        # This process's first minute: the window is being vectorised in the background.
        # A task (the briefing) can afford to wait for it; a page cannot, but another process
        # may have ranked it meanwhile.
        if wait_s > 0 and window_cache.wait_for_build(wait_s):
            return _share_page(user_id, key, _rank(user_id, reader, minute, cfg, top)), False
        if (shared := _shared_page(user_id, key)) is not None:
            return shared, False
        return [], True


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

    While this process's corpus is still being built in the background, the page is the one
    another process ranked, else the database-only one (`preparing`), unless `wait_s`
    (seconds) allows waiting for the build.

    `reader` (the home page loads it for its muted publishers) and `top` (the current Top
    stories, `top_stories(TOP_STORIES_N)`) save their queries when the caller has them.
    """
    now = now or timezone.now()
    user_id = int(user.pk)
    cfg = ForYouSettings.from_settings()
    if reader is None:
        reader = load_reader_for(user)
    scores: dict[Hashable, float]
    if top is not None:
        scores = {t.story.pk: float(t.story.score) for t in top}
    else:
        scores = top_story_scores()
    ranked, preparing = _ranked_page(user_id, reader, now, cfg, scores, wait_s)
    known: dict[int, Article] | None = None
    if not ranked:
        # The corpus is not built yet, or holds nothing for this reader (a quiet site, a
        # paused ingest): the page from the database alone, the latest at least.
        ranked, known = _rank_from_database(reader, _minute(now), cfg, scores, FEED_DEPTH)
    window = ranked[offset : offset + limit]
    entries: list[ForYouEntry] = []
    if window:
        follows = reader.follow_set
        seen = reader.seen
        if known is not None:
            articles = {r.article_id: known[r.article_id] for r in window}
        else:
            articles = entry_queryset().in_bulk([r.article_id for r in window])
        if gone := [r.article_id for r in window if r.article_id not in articles]:
            window_cache.forget(gone)
        for r in window:
            article = articles.get(r.article_id)
            # As stored now: a mute, or a story assigned, since the page was ranked.
            if article is None or is_muted(article, follows) or _hidden_now(article, seen):
                continue
            # Read and saved articles never reach the page, so no card asks whether it is saved.
            article.is_saved = False  # type: ignore[attr-defined]  # what card_page annotates
            entries.append(ForYouEntry(article, r.reasons[0], r.reasons, r.score))
    log.debug(
        "foryou page user_id=%s offset=%d entries=%d ranked=%d preparing=%s",
        user_id,
        offset,
        len(entries),
        len(ranked),
        preparing,
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
    saved neither, nor their copies, nor the rest of their stories' coverage from before the
    reading. A reader with no history and no follows gets the Top stories. Two queries when
    the page is in the shared cache (reader, articles); ranking adds the seen articles, the
    candidates' current metadata and, once a minute, the Top stories, plus loading new
    articles into the corpus when there are any.
    """
    return feed_page(user, limit=limit, now=now, wait_s=wait_s).entries
