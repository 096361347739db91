"""Wire copies: one text republished by several outlets, grouped into one copy set.

A copy differs from its source by boilerplate around it, a rewritten headline, a cut ending,
ads or related-links inside, a changed first paragraph. What survives is long runs of the same
words, so articles are compared as sets of word 5-gram shingles (case and punctuation folded):

1. MinHash (datasketch) sketches each shingle set in fixed space (`NUM_PERM` 32-bit values);
2. MinHash-LSH finds candidates with estimated Jaccard above a low bar (`LSH_THRESHOLD`), low
   because a copy cut to a third of its source has a Jaccard of only about a third;
3. verification keeps a candidate when the estimated containment of the smaller shingle set in
   the larger is at least `MIN_CONTAINMENT`: truncation and added material change the larger
   set, not how much of the smaller one it holds.

The index is incremental and bounded: `add` sketches one text, queries the LSH and verifies at
most `MAX_CANDIDATES` candidates; entries older than the window (its owner's, the stories
window) before the newest publication time seen, or beyond `max_entries`, are evicted.
Sketching costs milliseconds an article, so a sketch (`Sketch`) can be made once, stored
(`Sketch.to_bytes`) and added again later (`add_sketch`) by any process.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from django.utils import timezone

from newsstand.config import load_group
from newsstand.stories.text import shingle_tokens

logger = logging.getLogger(__name__)

SHINGLE_WORDS = 5
# 128 permutations: the estimated Jaccard's standard error is at most 0.045.
NUM_PERM = 128
LSH_THRESHOLD = 0.15
# Below this many distinct shingles (about 25 words) a text is too short to call a copy: a
# shared boilerplate sentence would be enough to match.
MIN_SHINGLES = 20
MAX_CANDIDATES = 50


@dataclass(frozen=True)
class WireCopySettings:
    """The copy index's tunables; settings.NEWSSTAND_WIRECOPY overrides any (`from_settings`)."""

    # ~1.5 KiB an entry (sketch, LSH keys, bookkeeping): 50,000 entries stay under 100 MiB.
    max_entries: int = 50_000
    # The share of the shorter text's shingles the longer one must hold to call it a copy.
    min_containment: float = 0.6

    @classmethod
    def from_settings(cls) -> WireCopySettings:
        """The defaults above, overridden key by key by settings.NEWSSTAND_WIRECOPY (read now)."""
        return load_group(cls, "NEWSSTAND_WIRECOPY", positive={"max_entries"})


@dataclass(frozen=True, slots=True)
class Sketch:
    """A text's MinHash and its number of distinct shingles."""

    minhash: MinHash | LeanMinHash
    size: int

    def to_bytes(self) -> bytes:
        return np.asarray(self.minhash.hashvalues, dtype="<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, size: int) -> Sketch:
        values = np.frombuffer(bytes(data), dtype="<u4").astype(np.uint64)
        return cls(LeanMinHash(seed=1, hashvalues=values, scheme=_SCHEME), size)


@dataclass(slots=True)
class _Entry:
    minhash: MinHash | LeanMinHash
    size: int
    published_ts: float
    copy_set: Hashable | None


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """Distinct word k-grams of the folded text, as UTF-8 bytes for hashing."""
    toks = shingle_tokens(text)
    if len(toks) < k:
        return {" ".join(toks).encode()} if toks else set()
    return {" ".join(toks[i : i + k]).encode() for i in range(len(toks) - k + 1)}


def sketch(shingle_set: set[bytes]) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM)
    mh.update_batch(list(shingle_set))
    return mh


# How datasketch hashed the values it gives back (needed to rebuild a stored sketch).
_SCHEME = MinHash(num_perm=1).scheme


def make_sketch(text: str) -> Sketch | None:
    """The text's sketch, or None when it is too short to call anything a copy of it."""
    shingle_set = shingles(text)
    if len(shingle_set) < MIN_SHINGLES:
        return None
    return Sketch(sketch(shingle_set), len(shingle_set))


def estimated_containment(
    a: MinHash | LeanMinHash, size_a: int, b: MinHash | LeanMinHash, size_b: int
) -> float:
    """|A ∩ B| / min(|A|, |B|) from the MinHash Jaccard and the exact set sizes."""
    if not size_a or not size_b:
        return 0.0
    j = a.jaccard(b)
    inter = j / (1.0 + j) * (size_a + size_b)
    return min(1.0, inter / min(size_a, size_b))


@functools.cache
def _lsh_bands() -> tuple[int, int]:
    """The (bands, rows) datasketch picks for LSH_THRESHOLD and NUM_PERM. It finds them by
    numerical integration over every split each time an index is made (a story assignment
    makes one); they depend on the two constants only."""
    probe = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return probe.b, probe.r


class WireCopyIndex:
    """Incremental copy-set assignment over a sliding publication-time window of `window_s`.

    `max_entries` and `min_containment` default to the settings (`WireCopySettings`).
    """

    def __init__(
        self,
        *,
        window_s: float,
        max_entries: int | None = None,
        min_containment: float | None = None,
    ) -> None:
        tunables = WireCopySettings.from_settings()
        self.window_s = window_s
        self.max_entries = tunables.max_entries if max_entries is None else max_entries
        self.min_containment = (
            tunables.min_containment if min_containment is None else min_containment
        )
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, params=_lsh_bands())
        self._entries: dict[Hashable, _Entry] = {}
        self._by_time: list[tuple[float, int, Hashable]] = []
        self._seq = itertools.count()
        self._newest_ts = float("-inf")

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def copy_set(self, article_id: Hashable) -> Hashable | None:
        """The copy set of an article still in the window (None: no copy of it seen)."""
        entry = self._entries.get(article_id)
        return entry.copy_set if entry else None

    def add(
        self, article_id: Hashable, text: str, published_at: datetime | None = None
    ) -> Hashable | None:
        """Index one article; return its copy set's id, or None when it copies nothing seen.

        A copy set is named by its first member's article id, so the first article of a set
        gets None back and its copies get that article's id (`copy_set(first)` then says so).
        Re-adding a known id replaces its entry.
        """
        ts = (published_at or timezone.now()).timestamp()
        found = make_sketch(text)
        if found is None:
            logger.debug("wirecopy: too short to index article_id=%s", article_id)
            if article_id in self._entries:
                self._drop(article_id)
            return None
        return self.add_sketch(article_id, found, ts)

    def add_sketch(
        self,
        article_id: Hashable,
        found: Sketch,
        ts: float,
        *,
        copy_set: Hashable | None = None,
        match: bool = True,
    ) -> Hashable | None:
        """`add` for an article already sketched, published at POSIX time `ts`.

        `match=False` indexes an article whose copy set is already known (`copy_set`, loaded
        from the database) without looking for its original again.
        """
        if article_id in self._entries:
            self._drop(article_id)
        self._newest_ts = max(self._newest_ts, ts)
        self._evict()
        best: tuple[float, Hashable] | None = None
        if match:
            for key in self._lsh.query(found.minhash)[:MAX_CANDIDATES]:
                other = self._entries[key]
                if abs(other.published_ts - ts) > self.window_s:
                    continue
                score = estimated_containment(found.minhash, found.size, other.minhash, other.size)
                if score >= self.min_containment and (best is None or score > best[0]):
                    best = (score, key)

        if best is not None:
            source = self._entries[best[1]]
            if source.copy_set is None:
                source.copy_set = best[1]
            copy_set = source.copy_set
            logger.debug(
                "wirecopy: copy article_id=%s of=%s containment=%.2f",
                article_id,
                best[1],
                best[0],
            )
        if copy_set is not None and copy_set in self._entries:
            # The original of a loaded copy: name its set, as `add` did when the copy arrived.
            root = self._entries[copy_set]
            if root.copy_set is None:
                root.copy_set = copy_set
        if ts >= self._newest_ts - self.window_s:
            self._entries[article_id] = _Entry(found.minhash, found.size, ts, copy_set)
            self._lsh.insert(article_id, found.minhash)
            heapq.heappush(self._by_time, (ts, next(self._seq), article_id))
            self._evict()
        return copy_set

    def discard(self, article_id: Hashable) -> None:
        """Forget an article (one decided but not kept)."""
        self._drop(article_id)

    def _drop(self, article_id: Hashable) -> None:
        if self._entries.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def _evict(self) -> None:
        horizon = self._newest_ts - self.window_s
        while self._by_time and (
            self._by_time[0][0] < horizon or len(self._entries) > self.max_entries
        ):
            ts, _, article_id = heapq.heappop(self._by_time)
            entry = self._entries.get(article_id)
            # A re-added id leaves a stale heap item behind; only its live timestamp counts.
            if entry is not None and entry.published_ts == ts:
                self._drop(article_id)
