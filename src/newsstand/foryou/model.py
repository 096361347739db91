"""The reader model: a content profile from what the reader did, and how it scores articles.

Pure: signals, follows and a `Corpus` in, numbers and explanations out; no database.

Profile. Every article the reader read, dwelt on or saved counts once, with the weight of its
strongest signal (saved > long dwell > read; see `ForYouSettings`) halved for every
`profile_half_life_days` since the reader last acted on it. The profile is the weighted mean of
those articles' vectors, in the same two spaces story clustering uses (`stories.similarity`):
TF-IDF term weights (IDF of the current window; the `profile_terms` heaviest buckets kept) and
the WordLlama embedding, each normalised. The article rows are kept too, to say which read
article a recommendation is most like.

Score. relevance = the fused story similarity (square-rooted TF-IDF cosine and embedding cosine,
`SimilarityModel.fuse`) of the article to the profile, 0..1. Boosts are added for a followed
publisher, section, topic or story and for a Top story (in proportion to its ranking score), and
the sum is multiplied by freshness, 0.5 ** (hours since publication / half_life_hours):

    score = (relevance + boosts) x freshness

Freshness multiplies the boosts too, so that a followed publisher's three-day-old article does
not outrank this morning's news on the strength of the follow alone.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ReaderSignals, Signal, SignalKind, Targets
from newsstand.stories.similarity import HASH_FEATURES

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0


# --- signals -------------------------------------------------------------------------------


def signal_weight(signal: Signal, now_ts: float, cfg: ForYouSettings) -> float:
    """How much one signal says about the reader: its kind's weight, decayed by its age."""
    if signal.kind is SignalKind.SAVED:
        base = cfg.saved_weight
    elif signal.kind is SignalKind.DWELL:
        share = min(1.0, max(0.0, signal.dwell_s) / cfg.long_dwell_seconds)
        base = cfg.read_weight + (cfg.long_dwell_weight - cfg.read_weight) * share
        base = max(base, cfg.read_weight)
    else:
        base = cfg.read_weight
    age_days = max(0.0, now_ts - signal.at_ts) / SECONDS_PER_DAY
    return base * 0.5 ** (age_days / cfg.profile_half_life_days)


class HistoryItem(NamedTuple):
    """One article in the profile: its strongest signal's kind and the decayed weight.

    A named tuple rather than a frozen dataclass: a profile makes a thousand of them per page.
    """

    article_id: Hashable
    kind: SignalKind
    weight: float
    at_ts: float
    title: str


# --- the profile ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Profile:
    """The reader as vectors: the history's rows and their weighted, normalised mean."""

    items: tuple[HistoryItem, ...] = ()
    # items x HASH_FEATURES, each row the article's L2-normalised TF-IDF weights.
    rows: sparse.csr_matrix = field(
        default_factory=lambda: sparse.csr_matrix((0, HASH_FEATURES), dtype=np.float64)
    )
    row_embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    # The centroid: sorted term buckets, their normalised weights, the normalised embedding.
    term_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    term_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    embedding: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @property
    def empty(self) -> bool:
        return not self.items

    def seeds(self, n: int) -> list[int]:
        """Row numbers of the `n` most recently acted-on items (rows are newest first)."""
        return list(range(min(n, len(self.items))))


def build_profile(
    reader: ReaderSignals, corpus: Corpus, now_ts: float, cfg: ForYouSettings
) -> Profile:
    """The reader's profile from their newest `max_signals` signals.

    An article's vector comes from the signal (`Signal.vector`) or else from the corpus; a
    signal on an article that is in neither is left out (it cannot say what the reader likes).
    Rows are in order of the reader's latest signal on each article, newest first.
    """
    signals = sorted(reader.signals, key=lambda s: s.at_ts, reverse=True)[: cfg.max_signals]
    # article -> [weight, kind, latest time, title, vector]; newest signals come first, so the
    # first one seen per article carries its latest time.
    merged: dict[Hashable, list[Any]] = {}
    for s in signals:
        w = signal_weight(s, now_ts, cfg)
        entry = merged.get(s.article_id)
        if entry is None:
            merged[s.article_id] = [w, s.kind, s.at_ts, s.title, s.vector]
            continue
        if w > entry[0]:
            entry[0], entry[1] = w, s.kind
        if not entry[3]:
            entry[3] = s.title
        if entry[4] is None:
            entry[4] = s.vector

    index = corpus.index
    dim = index.model.backend.dim
    no_embedding = np.zeros(dim, np.float32)
    kept: list[HistoryItem] = []
    idx_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    emb_rows: list[np.ndarray] = []
    for article_id, (weight, kind, at_ts, title, vector) in merged.items():
        if vector is not None:
            indices, raw, emb = vector.indices, vector.weights, vector.embedding
        else:
            slot = index.slot(article_id)
            if slot is None:
                continue
            indices, raw, emb = index.slot_vector(slot)
        if not title and (meta := corpus.meta.get(article_id)) is not None:
            title = meta.title
        kept.append(HistoryItem(article_id, kind, weight, at_ts, title))
        idx_parts.append(indices)
        w_parts.append(raw)
        emb_rows.append(emb if emb.shape == (dim,) else no_embedding)
    if not kept:
        return Profile()

    lens = np.array([len(p) for p in idx_parts], dtype=np.int64)
    all_idx = np.concatenate(idx_parts).astype(np.int32, copy=False)
    w = np.concatenate(w_parts).astype(np.float64, copy=False) * index.idf(all_idx)
    row_of = np.repeat(np.arange(len(kept)), lens)
    norms = np.sqrt(np.bincount(row_of, weights=w * w, minlength=len(kept)))
    norms[norms == 0] = 1.0
    w /= norms[row_of]
    rows = sparse.csr_matrix(
        (w, all_idx, np.concatenate([[0], np.cumsum(lens)])), shape=(len(kept), HASH_FEATURES)
    )
    weights = np.array([i.weight for i in kept])
    # The weighted sum of the rows by bucket, then only its `profile_terms` heaviest buckets:
    # the long tail (words of one old article) moves no ranking but costs every query.
    terms, where = np.unique(all_idx, return_inverse=True)
    summed = np.bincount(where, weights=w * weights[row_of], minlength=len(terms))
    if len(terms) > cfg.profile_terms:
        keep = np.sort(np.argpartition(-summed, cfg.profile_terms - 1)[: cfg.profile_terms])
        terms, summed = terms[keep], summed[keep]
    data = summed
    norm = float(np.sqrt(data @ data)) or 1.0

    if dim:
        embeddings = np.stack(emb_rows).astype(np.float32, copy=False)
        mean = weights.astype(np.float32) @ embeddings
        enorm = float(np.linalg.norm(mean))
        centre = mean / enorm if enorm else mean
    else:
        embeddings = np.zeros((len(kept), 0), np.float32)
        centre = np.zeros(0, np.float32)
    return Profile(
        items=tuple(kept),
        rows=rows,
        row_embeddings=embeddings,
        term_indices=terms.astype(np.int32),
        term_weights=data / norm,
        embedding=centre.astype(np.float32, copy=False),
    )


# --- scoring -------------------------------------------------------------------------------


def relevance(profile: Profile, corpus: Corpus, slots: np.ndarray) -> np.ndarray:
    """Fused similarity of each slot's article to the profile, 0..1 (0 for an empty profile)."""
    if profile.empty or not len(slots):
        return np.zeros(len(slots))
    return corpus.index.exact(profile.term_indices, profile.term_weights, profile.embedding, slots)


def item_similarity(profile: Profile, corpus: Corpus, slots: np.ndarray) -> np.ndarray:
    """Fused similarity of each slot (rows) to each history item (columns), 0..1."""
    if profile.empty or not len(slots):
        return np.zeros((len(slots), len(profile.items)))
    index = corpus.index
    parts = [index.slot_vector(int(s)) for s in slots]
    # Only the buckets of these few articles matter: the history's rows are projected onto
    # them (a small dense product) instead of transposing 2**20-column sparse matrices.
    vocab = np.unique(np.concatenate([p[0] for p in parts]))
    page = np.zeros((len(slots), len(vocab)))
    for i, (idx, raw, _) in enumerate(parts):
        page[i, np.searchsorted(vocab, idx)] = index.weighted(idx, raw.astype(np.float64))
    rows = profile.rows
    pos = np.clip(np.searchsorted(vocab, rows.indices), 0, len(vocab) - 1)
    hit = vocab[pos] == rows.indices
    # The rows stay in order (and sorted within each row), so the projected matrix is built
    # directly in CSR form: its row pointers are the running count of hits per row.
    hits_per_row = np.add.reduceat(hit, rows.indptr[:-1]) if rows.nnz else np.zeros(0, int)
    hits_per_row[np.diff(rows.indptr) == 0] = 0  # reduceat repeats the next value for empty rows
    history = sparse.csr_matrix(
        (rows.data[hit], pos[hit], np.concatenate([[0], np.cumsum(hits_per_row)])),
        shape=(rows.shape[0], len(vocab)),
    )
    lexical = np.clip((history @ page.T).T, 0.0, 1.0)
    if profile.row_embeddings.shape[1]:
        emb = np.stack([p[2] for p in parts])
        semantic = np.clip(emb @ profile.row_embeddings.T, 0.0, 1.0)
    else:
        semantic = np.zeros_like(lexical)
    return np.asarray(index.model.fuse(lexical, semantic), dtype=np.float64)


def freshness(published_ts: np.ndarray, now_ts: float, cfg: ForYouSettings) -> np.ndarray:
    """0.5 ** (hours since publication / half_life_hours); 1 for anything not yet older."""
    age_h = np.maximum(0.0, now_ts - np.asarray(published_ts, dtype=np.float64)) / 3600.0
    return np.asarray(0.5 ** (age_h / cfg.half_life_hours))


@dataclass(frozen=True, eq=False)
class Scores:
    """Per-slot parts of the score, aligned with `slots`."""

    slots: np.ndarray
    relevance: np.ndarray
    freshness: np.ndarray
    followed_publisher: np.ndarray  # bool
    followed_section: np.ndarray
    followed_topic: np.ndarray
    followed_story: np.ndarray
    top_story: np.ndarray  # the story's Top-stories score relative to the best, 0..1
    boost: np.ndarray
    score: np.ndarray


def top_story_strength(corpus: Corpus, top_stories: Mapping[Hashable, float]) -> np.ndarray:
    """Per story code: its Top-stories score over the best one's (0 for stories not on top)."""
    strength = np.zeros(len(corpus.stories.code_of) + 1)
    best = max((s for s in top_stories.values() if s > 0), default=0.0)
    if best <= 0:
        return strength
    for story, score in top_stories.items():
        code = corpus.stories.code_of.get(story)
        if code is not None and score > 0:
            strength[code] = score / best
    return strength


@dataclass(frozen=True, eq=False)
class Boosts:
    """Follow and Top-story parts of the score, aligned with the slots they were asked for."""

    followed_publisher: np.ndarray  # bool
    followed_section: np.ndarray
    followed_topic: np.ndarray
    followed_story: np.ndarray
    top_story: np.ndarray  # the story's Top-stories score relative to the best, 0..1
    total: np.ndarray


def boosts(
    corpus: Corpus,
    slots: np.ndarray,
    *,
    followed: Targets,
    top_stories: Mapping[Hashable, float],
    cfg: ForYouSettings,
) -> Boosts:
    follows = corpus.followed_at(followed, slots)
    # Story code NO_CODE (-1) reads the strength table's last entry, which is 0.
    top_story = top_story_strength(corpus, top_stories)[corpus.story_codes[slots]]
    total = (
        cfg.publisher_boost * follows["publisher"]
        + cfg.section_boost * follows["section"]
        + cfg.topic_boost * follows["topic"]
        + cfg.story_boost * follows["story"]
        + cfg.top_story_boost * top_story
    )
    return Boosts(
        followed_publisher=follows["publisher"],
        followed_section=follows["section"],
        followed_topic=follows["topic"],
        followed_story=follows["story"],
        top_story=top_story,
        total=total,
    )


def score_slots(
    profile: Profile,
    corpus: Corpus,
    slots: np.ndarray,
    *,
    now_ts: float,
    followed: Targets,
    top_stories: Mapping[Hashable, float],
    cfg: ForYouSettings,
) -> Scores:
    """Every part of the score of each slot's article for this reader."""
    corpus.sync()
    slots = np.asarray(slots, dtype=np.int64)
    rel = relevance(profile, corpus, slots)
    fresh = freshness(corpus.index.ts[slots], now_ts, cfg)
    b = boosts(corpus, slots, followed=followed, top_stories=top_stories, cfg=cfg)
    return Scores(
        slots=slots,
        relevance=rel,
        freshness=fresh,
        followed_publisher=b.followed_publisher,
        followed_section=b.followed_section,
        followed_topic=b.followed_topic,
        followed_story=b.followed_story,
        top_story=b.top_story,
        boost=b.total,
        score=(rel + b.total) * fresh,
    )


# --- explanations --------------------------------------------------------------------------


class ExplanationKind(StrEnum):
    FOLLOWED_STORY = "followed_story"
    BECAUSE_YOU_READ = "because_you_read"
    BECAUSE_YOU_SAVED = "because_you_saved"
    FOLLOWED_PUBLISHER = "followed_publisher"
    FOLLOWED_TOPIC = "followed_topic"
    FOLLOWED_SECTION = "followed_section"
    TOP_STORY = "top_story"
    YOUR_READING = "your_reading"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an item is in the feed, as data; `text` is the plain English a page can show."""

    kind: ExplanationKind
    # The read article, publisher, story, or the section or topic label itself.
    target: Hashable | None = None
    label: str = ""
    similarity: float = math.nan

    @property
    def text(self) -> str:
        kind = self.kind
        if kind is ExplanationKind.BECAUSE_YOU_READ:
            return f"Because you read \u201c{self.label}\u201d"
        if kind is ExplanationKind.BECAUSE_YOU_SAVED:
            return f"Because you saved \u201c{self.label}\u201d"
        if kind is ExplanationKind.FOLLOWED_STORY:
            return "You follow this story"
        if kind in (
            ExplanationKind.FOLLOWED_PUBLISHER,
            ExplanationKind.FOLLOWED_TOPIC,
            ExplanationKind.FOLLOWED_SECTION,
        ):
            return f"You follow {self.label}"
        if kind is ExplanationKind.TOP_STORY:
            return "Top story right now"
        return "Based on your reading"
