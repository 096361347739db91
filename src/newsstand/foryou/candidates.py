"""Which articles a reader's page is chosen from, and which may never appear.

Eligible: alive in the window index, with metadata, published within `candidate_hours` of now,
not already read or saved by the reader, and not from a muted publisher, section, topic or
story. Candidates are the eligible articles that come from one of four sources:

followed   the newest articles of each followed publisher, section, topic and story, an equal
           share of `followed_candidates` each (at least `FOLLOWED_PER_TARGET`), so a quiet
           followed topic is not crowded out by a busy followed publisher;
top        the articles of the current Top stories;
similar    the `similar_candidates` best articles of the whole window by an estimate of the
           final score (the embedding part of the similarity, one matrix-vector product over
           the window, plus boosts, times freshness), and as many nearest the profile by the
           window's inverted index (`WindowIndex.query`, the query story clustering uses, with
           the profile's centroid as the query);
seed       the `seed_neighbours` nearest neighbours of each of the reader's `seed_signals`
           most recent articles, so a fresh interest shows before it moves the centroid.

Only candidates are scored exactly, which keeps a page to a few thousand exact scores however
large the window.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntFlag

import numpy as np

from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import FollowSet
from newsstand.foryou.model import Profile, boosts, freshness

# Candidates from each followed thing at least, however many things are followed.
FOLLOWED_PER_TARGET = 10


class Source(IntFlag):
    FOLLOWED = 1
    TOP = 2
    SIMILAR = 4
    SEED = 8


@dataclass(frozen=True, eq=False)
class Candidates:
    slots: np.ndarray  # sorted, unique index slots
    sources: np.ndarray  # Source flags per slot (uint8)

    def __len__(self) -> int:
        return len(self.slots)

    def from_source(self, source: Source) -> np.ndarray:
        return self.slots[(self.sources & int(source)) != 0]


def eligible_mask(
    corpus: Corpus,
    follows: FollowSet,
    *,
    now_ts: float,
    exclude: Iterable[Hashable],
    cfg: ForYouSettings,
) -> np.ndarray:
    """Per slot: may this article appear on the reader's page at all?"""
    n = corpus.sync()
    index = corpus.index
    ts = index.ts[:n]
    mask = corpus.usable(n) & (ts >= now_ts - cfg.candidate_hours * 3600.0)
    muted = follows.muted
    if muted.publishers:
        mask &= ~corpus.publisher_mask(muted.publishers, n)
    if muted.sections:
        mask &= ~corpus.section_mask(muted.sections, n)
    if muted.topics:
        mask &= ~corpus.topic_mask(muted.topics, n)
    if muted.stories:
        mask &= ~corpus.story_mask(muted.stories, n)
    gone = corpus.slots_of(exclude)
    if len(gone):
        mask[gone] = False
    return mask


def _newest(slots: np.ndarray, ts: np.ndarray, k: int) -> np.ndarray:
    if len(slots) <= k:
        return slots
    return slots[np.argpartition(-ts[slots], k - 1)[:k]]


def _newest_per_story(slots: np.ndarray, stories: np.ndarray, ts: np.ndarray, k: int) -> np.ndarray:
    """The `k` newest of `slots` in each story."""
    order = np.lexsort((-ts[slots], stories[slots]))
    ranked = slots[order]
    story = stories[ranked]
    first = np.r_[True, story[1:] != story[:-1]]
    # Position of each slot within its story's run: its index minus the run's start.
    start = np.maximum.accumulate(np.where(first, np.arange(len(ranked)), 0))
    return ranked[np.arange(len(ranked)) - start < k]


def _top(slots: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    if len(slots) <= k:
        return slots
    return slots[np.argpartition(-scores, k - 1)[:k]]


def gather(
    profile: Profile,
    corpus: Corpus,
    follows: FollowSet,
    eligible: np.ndarray,
    *,
    now_ts: float,
    top_stories: Mapping[Hashable, float],
    cfg: ForYouSettings,
) -> Candidates:
    """The union of the four sources among the eligible slots, with where each came from."""
    n = len(eligible)
    index = corpus.index
    ts = index.ts[:n]
    sources = np.zeros(n, dtype=np.uint8)

    followed = follows.followed
    if followed:
        masks = (
            [corpus.publisher_mask([p], n) for p in followed.publishers]
            + [corpus.section_mask([s], n) for s in followed.sections]
            + [corpus.topic_mask([t], n) for t in followed.topics]
            + [corpus.story_mask([s], n) for s in followed.stories]
        )
        share = max(FOLLOWED_PER_TARGET, cfg.followed_candidates // len(masks))
        for mask in masks:
            sources[_newest(np.flatnonzero(mask & eligible), ts, share)] |= np.uint8(
                Source.FOLLOWED
            )

    on_top = [s for s, score in top_stories.items() if score > 0]
    if on_top and cfg.top_story_candidates:
        top = np.flatnonzero(corpus.story_mask(on_top, n) & eligible)
        sources[_newest_per_story(top, corpus.story_codes, ts, cfg.top_story_candidates)] |= (
            np.uint8(Source.TOP)
        )

    if cfg.similar_candidates:
        # The best by an estimate of the final score over the whole window: (the embedding's
        # share of the similarity + boosts) x freshness. Only the TF-IDF share is left out,
        # the part that varies least between articles against a many-article profile;
        # shortlisting by similarity alone would miss what boosts and freshness lift.
        pool = np.flatnonzero(eligible)
        b = boosts(corpus, pool, followed=followed, top_stories=top_stories, cfg=cfg)
        estimate = b.total
        emb = index.embedding_rows()
        if not profile.empty and emb.shape[1] and profile.embedding.size:
            # One matrix-vector product over the whole window (a view, no copy) is cheaper
            # than gathering the eligible rows first.
            semantic = np.clip((emb @ profile.embedding)[pool], 0.0, 1.0)
            estimate = estimate + index.model.fuse(0.0, semantic)
        estimate = estimate * freshness(ts[pool], now_ts, cfg)
        worth = estimate > 0  # nothing read, followed or on top: not a candidate
        best = _top(pool[worth], estimate[worth], cfg.similar_candidates)
        sources[best] |= np.uint8(Source.SIMILAR)

    if not profile.empty and cfg.similar_candidates:
        window_s = cfg.candidate_hours * 3600.0
        k = cfg.similar_candidates
        found, _ = index.query_arrays(
            profile.term_indices,
            profile.term_weights,
            profile.embedding,
            now_ts,
            window_s=window_s,
            k=k,
        )
        sources[found[eligible[found]]] |= np.uint8(Source.SIMILAR)
        for row in profile.seeds(cfg.seed_signals):
            r = profile.rows.getrow(row)
            q_emb = (
                profile.row_embeddings[row]
                if profile.row_embeddings.shape[1]
                else np.zeros(0, np.float32)
            )
            found, _ = index.query_arrays(
                r.indices.astype(np.int32),
                r.data,
                q_emb,
                now_ts,
                window_s=window_s,
                k=cfg.seed_neighbours,
            )
            sources[found[eligible[found]]] |= np.uint8(Source.SEED)

    slots = np.flatnonzero(sources)
    return Candidates(slots=slots, sources=sources[slots])
