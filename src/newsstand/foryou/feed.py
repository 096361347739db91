"""A reader's For You page: candidates scored, diversified and explained. Pure.

`build_feed(reader, follows, corpus, now_ts=…, top_stories=…)` is the whole pipeline:
profile (`model.build_profile`), eligible and candidate articles (`candidates`), scores
(`model.score_slots`), then a greedy pass down the ranking that keeps at most
`max_per_publisher` articles of one publisher and one article of each story, until the page
has `page_size` items. Each item says why it is there (`model.Explanation`), strongest reason
first.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

from newsstand.foryou import candidates as cand
from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import NO_CODE, Corpus
from newsstand.foryou.inputs import FollowSet, ReaderSignals, SignalKind, normalise_label
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


def diversify(
    order: np.ndarray,
    publisher_codes: np.ndarray,
    story_codes: np.ndarray,
    *,
    max_per_publisher: int,
    limit: int,
) -> list[int]:
    """Positions from `order` (best first) keeping <= max_per_publisher per publisher, one per
    story, at most `limit`. Articles without a story or publisher are limited by the other."""
    per_publisher: Counter[int] = Counter()
    stories: set[int] = set()
    kept: list[int] = []
    for pos in order.tolist():
        publisher = int(publisher_codes[pos])
        story = int(story_codes[pos])
        if story != NO_CODE and story in stories:
            continue
        if publisher != NO_CODE and per_publisher[publisher] >= max_per_publisher:
            continue
        kept.append(pos)
        per_publisher[publisher] += 1
        if story != NO_CODE:
            stories.add(story)
        if len(kept) >= limit:
            break
    return kept


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
) -> Feed:
    """The reader's page at `now_ts` (POSIX seconds).

    `top_stories` maps the current Top stories' ids to their ranking scores (`Story.score`).
    A reader with no signals and no follows gets the Top stories, freshest first within equal
    scores: the feed is never empty while there is news. `profile` is the reader's profile
    when the caller keeps one (it changes only when the reader does something); otherwise it
    is built from `reader`. `timings`, when given, receives the seconds each phase took
    (profile, candidates, score, page).
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
        corpus, follows, now_ts=now_ts, exclude=reader.article_ids, cfg=cfg
    )
    found = cand.gather(
        profile, corpus, follows, eligible, now_ts=now_ts, top_stories=top_stories, cfg=cfg
    )
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
    # Ties (an empty profile) go to the newer article; then the stable sort keeps slot order.
    order = np.lexsort((-corpus.index.ts[scores.slots], -scores.score))
    kept = diversify(
        order,
        corpus.publisher_codes[scores.slots],
        corpus.story_codes[scores.slots],
        max_per_publisher=cfg.max_per_publisher,
        limit=cfg.page_size,
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
