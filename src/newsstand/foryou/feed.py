"""A reader's For You page: candidates scored, diversified and explained. Pure.

`build_feed(reader, follows, corpus, now_ts=…, top_stories=…)` is the whole pipeline:
profile (`model.build_profile`), eligible and candidate articles (`candidates`), scores
(`model.score_slots`), then a greedy pass down the ranking that keeps one article of each
story and at most `max_per_publisher` of one publisher while others have articles left, until
the page has `page_size` items; then each followed publisher, section, topic and story with a
candidate gets one within the first `follow_slots` items. Each item says why it is there
(`model.Explanation`), strongest reason first.

Never on the page: what the reader read or saved, and whatever the caller says they have in
effect read (`exclude`: copies and the rest of read stories, `seen.Seen`); and an article with
no story yet that is as similar to one they read before it arrived as two reports of one event
are (`same_story_similarity`): clustering has not caught up with it, but it is the same news.

The order is a function of the inputs alone: scores are rounded to 1e-9 before sorting, and
ties go to the newer article, then the smaller id, whatever the order of the index's slots
(every process builds its own), so the same reader gets the same page from every process.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from newsstand.foryou import candidates as cand
from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import NO_CODE, Corpus
from newsstand.foryou.inputs import (
    ArticleMeta,
    FollowSet,
    ReaderSignals,
    SignalKind,
    Targets,
    normalise_label,
)
from newsstand.foryou.model import (
    Explanation,
    ExplanationKind,
    Profile,
    Scores,
    build_profile,
    item_similarity,
    score_slots,
)

logger = logging.getLogger(__name__)

# Candidates checked against the reader's history per batch by the same-story guard.
GUARD_BATCH = 64
# Decimal places scores are compared at: float noise between processes must not reorder ties.
SCORE_DECIMALS = 9

# A followed thing: ("publisher", id), ("section", label), ("topic", slug) or ("story", id).
Target = tuple[str, Hashable]


@dataclass(frozen=True, slots=True)
class FeedItem:
    article_id: Hashable
    score: float
    relevance: float
    freshness: float
    boost: float
    reasons: tuple[Explanation, ...]

    @property
    def reason(self) -> Explanation | None:
        """The strongest reason, the one a page shows."""
        return self.reasons[0] if self.reasons else None


@dataclass(frozen=True, slots=True)
class Feed:
    items: tuple[FeedItem, ...]
    profile_articles: int  # history articles the profile was built from
    candidates: int  # articles scored


def _unskipped(
    order: Sequence[int], skip: Callable[[list[int]], np.ndarray] | None
) -> Iterator[int]:
    """`order` without the positions `skip` rules out, asked lazily a batch at a time."""
    if skip is None:
        yield from order
        return
    for lo in range(0, len(order), GUARD_BATCH):
        batch = list(order[lo : lo + GUARD_BATCH])
        ruled_out = skip(batch)
        yield from (pos for pos, out in zip(batch, ruled_out, strict=True) if not out)


def diversify(
    order: np.ndarray | Sequence[int],
    publisher_codes: np.ndarray,
    story_codes: np.ndarray,
    *,
    max_per_publisher: int,
    limit: int,
    skip: Callable[[list[int]], np.ndarray] | None = None,
) -> list[int]:
    """Positions from `order` (best first), one per story, at most `limit`: first keeping
    <= max_per_publisher per publisher, then, if the page is not full (a site with few
    publishers), the rest in order. Articles without a story or publisher are limited by the
    other. `skip(positions)` says which positions may never be shown (asked lazily)."""
    per_publisher: Counter[int] = Counter()
    stories: set[int] = set()
    kept: list[int] = []
    deferred: list[int] = []
    for pos in _unskipped(order.tolist() if isinstance(order, np.ndarray) else list(order), skip):
        publisher = int(publisher_codes[pos])
        story = int(story_codes[pos])
        if story != NO_CODE and story in stories:
            continue
        if publisher != NO_CODE and per_publisher[publisher] >= max_per_publisher:
            deferred.append(pos)
            continue
        kept.append(pos)
        per_publisher[publisher] += 1
        if story != NO_CODE:
            stories.add(story)
        if len(kept) >= limit:
            return kept
    for pos in deferred:
        story = int(story_codes[pos])
        if story != NO_CODE and story in stories:
            continue
        kept.append(pos)
        if story != NO_CODE:
            stories.add(story)
        if len(kept) >= limit:
            break
    return kept


def targets_of(meta: ArticleMeta | None, followed: Targets) -> frozenset[Target]:
    """The followed things this article belongs to."""
    if meta is None or not followed:
        return frozenset()
    found: set[Target] = set()
    if meta.publisher_id in followed.publishers:
        found.add(("publisher", meta.publisher_id))
    section = normalise_label(meta.section)
    if section and section in followed.sections:
        found.add(("section", section))
    for topic in meta.topics:
        if (key := normalise_label(topic)) in followed.topics:
            found.add(("topic", key))
    if meta.story_id is not None and meta.story_id in followed.stories:
        found.add(("story", meta.story_id))
    return frozenset(found)


def promote_follows(
    kept: list[int],
    order: Sequence[int],
    targets: Callable[[int], frozenset[Target]],
    story_codes: np.ndarray,
    *,
    window: int,
    limit: int,
    allowed: Callable[[int], bool] = lambda pos: True,
) -> list[int]:
    """`kept` (positions, best first) with an article of every followed thing the candidates
    (`order`, best first) hold within its first `window` items, room permitting.

    Each missing followed thing brings its best article up (from further down the page, else
    from the candidates, if `allowed` and of a story not already there), in place of the
    lowest item of the head that is not the only one of a followed thing there; the item it
    replaces moves just below the head. The head keeps ranking order. A reader who follows
    more things than `window` sees the best-ranked ones. At most `limit` items come back.
    """
    head, tail = list(kept[:window]), list(kept[window:])
    in_head: Counter[Target] = Counter(t for pos in head for t in targets(pos))
    rank = {pos: i for i, pos in enumerate(order)}
    best: dict[Target, int] = {}
    placed = set(kept)
    for source in (tail, order):
        for pos in source:
            for target in targets(pos):
                if in_head[target] or target in best:
                    continue
                if source is tail or (pos not in placed and allowed(pos)):
                    best[target] = pos
    if not best:
        return list(kept[:limit])
    for pos in sorted(set(best.values()), key=lambda p: rank.get(p, len(rank))):
        wanted = targets(pos)
        if all(in_head[t] for t in wanted):
            continue  # an earlier pick brought these already
        story = int(story_codes[pos])
        if story != NO_CODE and any(int(story_codes[h]) == story for h in head):
            continue
        if len(head) >= window:
            out = next((h for h in reversed(head) if all(in_head[t] > 1 for t in targets(h))), None)
            if out is None:
                break  # every item of the head is some followed thing's only one
            head.remove(out)
            for t in targets(out):
                in_head[t] -= 1
            tail.insert(0, out)
        if pos in tail:
            tail.remove(pos)
        elif story != NO_CODE:
            # Brought from the candidates: its story's other article further down goes.
            tail = [t for t in tail if int(story_codes[t]) != story]
        head.append(pos)
        for t in wanted:
            in_head[t] += 1
        head.sort(key=lambda p: rank.get(p, len(rank)))
    return (head + tail)[:limit]


def explain(
    pos: int,
    scores: Scores,
    similarity: np.ndarray | None,
    profile: Profile,
    corpus: Corpus,
    follows: FollowSet,
    cfg: ForYouSettings,
) -> tuple[Explanation, ...]:
    """Why the article at `pos` of `scores` is on the page, strongest reason first.

    `similarity` is this article's row of `model.item_similarity` (None for an empty profile).
    """
    slot = int(scores.slots[pos])
    meta = corpus.meta_at(slot)
    reasons: list[Explanation] = []
    if scores.followed_story[pos] and meta is not None:
        reasons.append(Explanation(ExplanationKind.FOLLOWED_STORY, meta.story_id))
    if similarity is not None and len(similarity):
        best = int(np.argmax(similarity))
        if similarity[best] >= cfg.explain_min_similarity:
            item = profile.items[best]
            kind = (
                ExplanationKind.BECAUSE_YOU_SAVED
                if item.kind is SignalKind.SAVED
                else ExplanationKind.BECAUSE_YOU_READ
            )
            reasons.append(Explanation(kind, item.article_id, item.title, float(similarity[best])))
    if meta is not None:
        if scores.followed_publisher[pos]:
            reasons.append(
                Explanation(
                    ExplanationKind.FOLLOWED_PUBLISHER,
                    meta.publisher_id,
                    meta.publisher_name or str(meta.publisher_id),
                )
            )
        if scores.followed_topic[pos]:
            followed = follows.followed.topics
            topic = next((t for t in sorted(meta.topics) if normalise_label(t) in followed), "")
            reasons.append(Explanation(ExplanationKind.FOLLOWED_TOPIC, topic, topic))
        if scores.followed_section[pos]:
            reasons.append(
                Explanation(ExplanationKind.FOLLOWED_SECTION, meta.section, meta.section)
            )
    if scores.top_story[pos] > 0 and meta is not None:
        reasons.append(Explanation(ExplanationKind.TOP_STORY, meta.story_id))
    if not reasons:
        reasons.append(Explanation(ExplanationKind.YOUR_READING))
    return tuple(reasons)


def _sub_profile(profile: Profile, columns: np.ndarray) -> Profile:
    """The profile's history items at `columns` only (for `item_similarity`)."""
    return replace(
        profile,
        items=tuple(profile.items[int(c)] for c in columns),
        rows=profile.rows[columns],
        row_embeddings=profile.row_embeddings[columns],
    )


def same_story_guard(
    profile: Profile,
    corpus: Corpus,
    reader: ReaderSignals,
    slots: np.ndarray,
    cfg: ForYouSettings,
) -> Callable[[list[int]], np.ndarray] | None:
    """`skip` for `diversify`: per position of `slots`, is it an article without a story yet
    (or like a read article without one) that is as similar to something the reader read
    before it arrived as two reports of one event are? Clustering will put them in one story;
    until it does, this keeps the copy the reader has read off their page.

    Only what could match is compared: reads after the earliest candidate arrived, and for a
    candidate with a story, only the reads without one. Answers are kept per position.
    """
    if profile.empty or not len(slots):
        return None
    # The signal's story is the database's when the adapter read it; else the corpus's.
    story_of_read = {s.article_id: s.story_id for s in reader.signals if s.story_id is not None}

    def read_story(article_id: Hashable) -> Hashable | None:
        if (story := story_of_read.get(article_id)) is not None:
            return story
        meta = corpus.meta.get(article_id)
        return meta.story_id if meta is not None else None

    def arrival(slot: int) -> float:
        # When the site got it, else (unknown) when it was published.
        meta = corpus.meta_at(slot)
        return (meta.arrived_ts if meta is not None else 0.0) or float(corpus.index.ts[slot])

    read_unassigned = np.array([read_story(i.article_id) is None for i in profile.items])
    read_at = np.array([i.at_ts for i in profile.items])
    earliest = min(arrival(int(slot)) for slot in slots)
    recent = np.flatnonzero(read_at >= earliest)
    if not len(recent):
        return None  # everything was read before any candidate arrived
    against_all = _sub_profile(profile, recent)
    loose = recent[read_unassigned[recent]]
    against_loose = _sub_profile(profile, loose) if len(loose) else None
    known: dict[int, bool] = {}

    def hidden(
        page: np.ndarray, arrived: np.ndarray, against: Profile, cols: np.ndarray
    ) -> np.ndarray:
        sims = item_similarity(against, corpus, page)
        close = sims >= cfg.same_story_similarity
        before = arrived[:, None] <= read_at[cols][None, :]
        return np.asarray((close & before).any(axis=1))

    def skip(positions: list[int]) -> np.ndarray:
        todo = [p for p in positions if p not in known]
        if todo:
            page = slots[todo]
            unassigned = np.array(
                [(m := corpus.meta_at(int(slot))) is None or m.story_id is None for slot in page]
            )
            arrived = np.array([arrival(int(slot)) for slot in page])
            out = np.zeros(len(todo), dtype=bool)
            if unassigned.any():
                rows = np.flatnonzero(unassigned)
                out[rows] = hidden(page[rows], arrived[rows], against_all, recent)
            if against_loose is not None and (~unassigned).any():
                rows = np.flatnonzero(~unassigned)
                out[rows] = hidden(page[rows], arrived[rows], against_loose, loose)
            known.update(zip(todo, out.tolist(), strict=True))
        return np.array([known[p] for p in positions], dtype=bool)

    return skip


def build_feed(
    reader: ReaderSignals,
    follows: FollowSet,
    corpus: Corpus,
    *,
    now_ts: float,
    top_stories: Mapping[Hashable, float] | None = None,
    cfg: ForYouSettings | None = None,
    profile: Profile | None = None,
    timings: dict[str, float] | None = None,
    exclude: Iterable[Hashable] = (),
    refresh: Callable[[list[Hashable]], Iterable[ArticleMeta]] | None = None,
) -> Feed:
    """The reader's page at `now_ts` (POSIX seconds).

    `top_stories` maps the current Top stories' ids to their ranking scores (`Story.score`).
    A reader with no signals and no follows gets the Top stories, freshest first within equal
    scores: the feed is never empty while there is news. `profile` is the reader's profile
    when the caller keeps one (it changes only when the reader does something); otherwise it
    is built from `reader`. `exclude` holds articles never to show besides those `reader`
    read or saved. `refresh(ids)`, when given, returns the candidates' metadata where the
    corpus's copy is out of date (the database adapter reads it as stored now), so that the
    scores, stories and follows of the page are those of the moment. `timings`, when given,
    receives the seconds each phase took (profile, candidates, score, page).
    """
    cfg = cfg or ForYouSettings.from_settings()
    top_stories = top_stories or {}
    clock = [time.perf_counter()]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        if timings is not None:
            timings[phase] = timings.get(phase, 0.0) + now - clock[-1]
        clock.append(now)

    if profile is None:
        profile = build_profile(reader, corpus, now_ts, cfg)
    lap("profile")
    eligible = cand.eligible_mask(
        corpus, follows, now_ts=now_ts, exclude=set(reader.article_ids) | set(exclude), cfg=cfg
    )
    found = cand.gather(
        profile, corpus, follows, eligible, now_ts=now_ts, top_stories=top_stories, cfg=cfg
    )
    if refresh is not None and len(found):
        ids = [corpus.index.ids[int(slot)] for slot in found.slots]
        fresh = list(refresh(ids))
        if fresh:
            corpus.set_meta(fresh)
            corpus.sync()
    lap("candidates")
    scores = score_slots(
        profile,
        corpus,
        found.slots,
        now_ts=now_ts,
        followed=follows.followed,
        top_stories=top_stories,
        cfg=cfg,
    )
    # Best first; ties to the newer article, then the smaller id, whatever the slot order.
    id_keys = np.asarray([corpus.index.ids[int(slot)] for slot in scores.slots])
    order = np.lexsort(
        (id_keys, -corpus.index.ts[scores.slots], -np.round(scores.score, SCORE_DECIMALS))
    )
    story_codes = corpus.story_codes[scores.slots]
    guard = same_story_guard(profile, corpus, reader, scores.slots, cfg)
    kept = diversify(
        order,
        corpus.publisher_codes[scores.slots],
        story_codes,
        max_per_publisher=cfg.max_per_publisher,
        limit=cfg.page_size,
        skip=guard,
    )
    followed = follows.followed
    if followed:
        any_follow = (
            scores.followed_publisher
            | scores.followed_section
            | scores.followed_topic
            | scores.followed_story
        )
        kept = promote_follows(
            kept,
            order.tolist(),
            lambda pos: (
                targets_of(corpus.meta_at(int(scores.slots[pos])), followed)
                if any_follow[pos]
                else frozenset()
            ),
            story_codes,
            window=cfg.follow_slots,
            limit=cfg.page_size,
            allowed=(lambda pos: not guard([pos])[0]) if guard is not None else lambda pos: True,
        )
    lap("score")
    page_slots = scores.slots[kept]
    sims = item_similarity(profile, corpus, page_slots) if not profile.empty else None
    items = tuple(
        FeedItem(
            article_id=corpus.index.ids[int(scores.slots[pos])],
            score=float(scores.score[pos]),
            relevance=float(scores.relevance[pos]),
            freshness=float(scores.freshness[pos]),
            boost=float(scores.boost[pos]),
            reasons=explain(
                pos,
                scores,
                sims[row] if sims is not None else None,
                profile,
                corpus,
                follows,
                cfg,
            ),
        )
        for row, pos in enumerate(kept)
    )
    lap("page")
    logger.debug(
        "foryou page built history=%d candidates=%d items=%d ms=%.1f",
        len(profile.items),
        len(found),
        len(items),
        (clock[-1] - clock[0]) * 1000,
    )
    return Feed(items=items, profile_articles=len(profile.items), candidates=len(found))
