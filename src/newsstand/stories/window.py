"""The recent window as an incremental inverted index: story candidates in bounded time.

`SimilarityModel.neighbours` multiplies the query by the whole window's matrix, which it
rebuilds after every `add`: fine for a few thousand articles, about 50 ms an article at 100,000.
Clustering needs one neighbour query per new article, so this index keeps, per hash bucket, a
growable posting list of (slot, weight) and answers in two steps:

1. candidates: only the query's `QUERY_TERMS` most distinctive terms (largest TF-IDF weight) are
   looked up, and buckets held by more than `MAX_POSTINGS` articles are skipped (their IDF is
   too low to tell events apart); the accumulated partial dot products rank the window and the
   best `CANDIDATES` articles inside the time window go on;
2. exact scores: those candidates get the fused score of `SimilarityModel` (square-rooted
   TF-IDF cosine with the current IDF on both sides, plus the embedding cosine).

Posting weights are the document's term weights divided by its TF-IDF norm at insertion; the
IDF itself is applied at query time, so only the norm ages as the window's IDF drifts, and it
only decides who is a candidate, not the score. Document frequencies are kept here (the same
smoothed IDF formula as the model) so the model does not also have to hold every vector.
Removal marks the slot dead; the postings are compacted when half of the slots are dead.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import numpy as np

from newsstand.stories.similarity import HASH_FEATURES, ArticleVector, SimilarityModel

# Distinctive terms of the query looked up; names and numbers rank first (entity boost, IDF).
QUERY_TERMS = 32
# Buckets in more articles than this are skipped for candidate generation (IDF < ~4 at 100k).
MAX_POSTINGS = 5_000
CANDIDATES = 64
_INITIAL_SLOTS = 1024
_INITIAL_POSTING = 4


@dataclass(frozen=True, slots=True)
class Neighbour:
    doc_id: Hashable
    slot: int
    score: float  # fused text similarity, 0..1


class _Posting:
    __slots__ = ("n", "slots", "weights")

    def __init__(self) -> None:
        self.slots = np.empty(_INITIAL_POSTING, dtype=np.int32)
        self.weights = np.empty(_INITIAL_POSTING, dtype=np.float32)
        self.n = 0

    def append(self, slot: int, weight: float) -> None:
        if self.n == len(self.slots):
            self.slots = np.resize(self.slots, 2 * self.n)
            self.weights = np.resize(self.weights, 2 * self.n)
        self.slots[self.n] = slot
        self.weights[self.n] = weight
        self.n += 1


class WindowIndex:
    """Articles of the recent window by slot: vectors, times, postings, embeddings."""

    def __init__(self, model: SimilarityModel) -> None:
        self.model = model
        self._df = np.zeros(HASH_FEATURES, dtype=np.int32)
        self._n_alive = 0
        self._postings: dict[int, _Posting] = {}
        self.ids: list[Hashable] = []
        self._slot_of: dict[Hashable, int] = {}
        self._indices: list[np.ndarray] = []
        self._weights: list[np.ndarray] = []
        dim = model.backend.dim
        self.ts = np.zeros(_INITIAL_SLOTS, dtype=np.float64)
        self.alive = np.zeros(_INITIAL_SLOTS, dtype=bool)
        self._emb = np.zeros((_INITIAL_SLOTS, dim), dtype=np.float32)

    # --- membership ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n_alive

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def slot(self, doc_id: Hashable) -> int | None:
        return self._slot_of.get(doc_id)

    def alive_ids(self) -> Iterator[Hashable]:
        return iter(self._slot_of)

    def idf(self, indices: np.ndarray) -> np.ndarray:
        """The model's smoothed IDF, over the articles now in the window."""
        return np.log((1.0 + self._n_alive) / (1.0 + self._df[indices])) + 1.0

    def add(self, doc_id: Hashable, vector: ArticleVector, published_ts: float) -> int:
        """Index one article; returns its slot. Re-adding an id replaces the old entry."""
        if doc_id in self._slot_of:
            self.remove(doc_id)
        slot = len(self.ids)
        self._grow(slot + 1)
        self.ids.append(doc_id)
        self._slot_of[doc_id] = slot
        indices = vector.indices
        weights = vector.weights.astype(np.float32)
        self._indices.append(indices)
        self._weights.append(weights)
        self._df[indices] += 1
        self._n_alive += 1
        self.ts[slot] = published_ts
        self.alive[slot] = True
        if vector.embedding.size:
            self._emb[slot] = vector.embedding
        self._post(slot, indices, weights)
        return slot

    def remove(self, doc_id: Hashable) -> None:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return
        self.alive[slot] = False
        self._df[self._indices[slot]] -= 1
        self._n_alive -= 1
        if len(self.ids) > _INITIAL_SLOTS and self._n_alive < len(self.ids) // 2:
            self._compact()

    def evict_before(self, ts: float) -> list[Hashable]:
        """Remove every article published before `ts`; returns their ids."""
        n = len(self.ids)
        old = np.flatnonzero(self.alive[:n] & (self.ts[:n] < ts))
        gone = [self.ids[int(s)] for s in old]
        for doc_id in gone:
            self.remove(doc_id)
        return gone

    def _grow(self, need: int) -> None:
        cap = len(self.ts)
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        self.ts = np.resize(self.ts, cap)
        alive = np.zeros(cap, dtype=bool)
        alive[: len(self.alive)] = self.alive
        self.alive = alive
        emb = np.zeros((cap, self._emb.shape[1]), dtype=np.float32)
        emb[: len(self._emb)] = self._emb
        self._emb = emb

    def _post(self, slot: int, indices: np.ndarray, weights: np.ndarray) -> None:
        idf = self.idf(indices)
        norm = float(np.linalg.norm(weights * idf)) or 1.0
        scaled = weights / norm
        postings = self._postings
        for term, w in zip(indices.tolist(), scaled.tolist(), strict=True):
            p = postings.get(term)
            if p is None:
                p = postings[term] = _Posting()
            p.append(slot, w)

    def _compact(self) -> None:
        """Renumber the live slots and rebuild the postings (dead slots are dropped)."""
        live = [s for s in range(len(self.ids)) if self.alive[s]]
        ids = [self.ids[s] for s in live]
        indices = [self._indices[s] for s in live]
        weights = [self._weights[s] for s in live]
        ts = self.ts[live].copy()
        emb = self._emb[live].copy()
        self.ids, self._indices, self._weights = ids, indices, weights
        self._slot_of = {doc_id: i for i, doc_id in enumerate(ids)}
        self._postings = {}
        cap = max(_INITIAL_SLOTS, 2 * len(ids))
        self.ts = np.zeros(cap, dtype=np.float64)
        self.ts[: len(ids)] = ts
        self.alive = np.zeros(cap, dtype=bool)
        self.alive[: len(ids)] = True
        self._emb = np.zeros((cap, emb.shape[1]), dtype=np.float32)
        self._emb[: len(ids)] = emb
        for slot in range(len(ids)):
            self._post(slot, indices[slot], weights[slot])

    # --- vectors -------------------------------------------------------------------------

    def weighted(self, indices: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """L2-normalised TF-IDF weights with the window's current IDF."""
        w = weights * self.idf(indices)
        norm = float(np.sqrt(w @ w))
        return w / norm if norm else w

    def slot_vector(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices, raw weights, embedding) of a slot."""
        return self._indices[slot], self._weights[slot], self._emb[slot]

    def embeddings(self, slots: np.ndarray) -> np.ndarray:
        return self._emb[slots]

    # --- queries -------------------------------------------------------------------------

    def neighbours(
        self,
        vector: ArticleVector,
        published_ts: float,
        *,
        window_s: float,
        k: int = CANDIDATES,
        exclude: Hashable | None = None,
    ) -> list[Neighbour]:
        """Up to `k` live articles within `window_s` of `published_ts`, best fused score first."""
        return self.query(
            vector.indices,
            self.weighted(vector.indices, vector.weights),
            vector.embedding,
            published_ts,
            window_s=window_s,
            k=k,
            exclude_slot=self._slot_of.get(exclude) if exclude is not None else None,
        )

    def query(
        self,
        q_idx: np.ndarray,
        q_w: np.ndarray,
        q_emb: np.ndarray,
        published_ts: float,
        *,
        window_s: float,
        k: int = CANDIDATES,
        exclude_slot: int | None = None,
    ) -> list[Neighbour]:
        """Neighbours of an already weighted, normalised query (an article or a centroid)."""
        n = len(self.ids)
        if not n or not len(q_idx):
            return []
        top = np.argsort(-q_w, kind="stable")[:QUERY_TERMS]
        idf = self.idf(q_idx[top])
        slot_parts, weight_parts = [], []
        for term, qw, term_idf in zip(q_idx[top].tolist(), q_w[top].tolist(), idf, strict=True):
            p = self._postings.get(term)
            if p is None or p.n > MAX_POSTINGS:
                continue
            slot_parts.append(p.slots[: p.n])
            weight_parts.append(p.weights[: p.n] * np.float32(qw * term_idf))
        if not slot_parts:
            return []
        slots = np.concatenate(slot_parts)
        approx = np.bincount(slots, weights=np.concatenate(weight_parts), minlength=n)
        ok = self.alive[:n] & (np.abs(self.ts[:n] - published_ts) <= window_s) & (approx > 0)
        if exclude_slot is not None:
            ok[exclude_slot] = False
        cand = np.flatnonzero(ok)
        if len(cand) > k:
            cand = cand[np.argpartition(-approx[cand], k - 1)[:k]]
        if not len(cand):
            return []
        scores = self.exact(q_idx, q_w, q_emb, cand)
        order = np.argsort(-scores, kind="stable")
        return [Neighbour(self.ids[int(cand[i])], int(cand[i]), float(scores[i])) for i in order]

    def exact(
        self, q_idx: np.ndarray, q_w: np.ndarray, q_emb: np.ndarray, slots: np.ndarray
    ) -> np.ndarray:
        """The model's fused score of the query against each slot, vectorised over slots."""
        lens = [len(self._indices[s]) for s in slots.tolist()]
        all_idx = np.concatenate([self._indices[s] for s in slots.tolist()])
        raw = np.concatenate([self._weights[s] for s in slots.tolist()]).astype(np.float64)
        row = np.repeat(np.arange(len(slots)), lens)
        w = raw * self.idf(all_idx)
        norms = np.sqrt(np.bincount(row, weights=w * w, minlength=len(slots)))
        order = np.argsort(q_idx, kind="stable")
        sorted_q = q_idx[order]
        pos = np.clip(np.searchsorted(sorted_q, all_idx), 0, max(len(sorted_q) - 1, 0))
        hit = sorted_q[pos] == all_idx if len(sorted_q) else np.zeros(len(all_idx), bool)
        dots = np.bincount(row[hit], weights=w[hit] * q_w[order][pos[hit]], minlength=len(slots))
        lexical = np.clip(np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0), 0, 1)
        if q_emb.size and self._emb.shape[1]:
            semantic = np.clip(self._emb[slots] @ q_emb, 0.0, 1.0)
        else:
            semantic = np.zeros(len(slots))
        return np.asarray(self.model.fuse(lexical, semantic), dtype=np.float64)

    def pairwise(self, slots: np.ndarray) -> np.ndarray:
        """Fused score matrix among `slots` (a story's members), current IDF."""
        from scipy import sparse

        rows = [self.weighted(self._indices[s], self._weights[s].astype(np.float64)) for s in slots]
        lens = [len(r) for r in rows]
        mat = sparse.csr_matrix(
            (
                np.concatenate(rows) if rows else np.zeros(0),
                np.concatenate([self._indices[s] for s in slots]) if rows else np.zeros(0, int),
                np.concatenate([[0], np.cumsum(lens)]),
            ),
            shape=(len(slots), HASH_FEATURES),
        )
        lexical = np.clip((mat @ mat.T).toarray(), 0.0, 1.0)
        emb = self._emb[slots]
        semantic = np.clip(emb @ emb.T, 0.0, 1.0) if emb.shape[1] else np.zeros_like(lexical)
        return np.asarray(self.model.fuse(lexical, semantic), dtype=np.float64)

    def centroid(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices, normalised weights, normalised embedding) of the members' mean vector."""
        idx = np.concatenate([self._indices[s] for s in slots])
        w = np.concatenate(
            [self.weighted(self._indices[s], self._weights[s].astype(np.float64)) for s in slots]
        )
        uniq, inv = np.unique(idx, return_inverse=True)
        summed = np.bincount(inv, weights=w)
        norm = float(np.linalg.norm(summed)) or 1.0
        emb = self._emb[slots].mean(axis=0) if self._emb.shape[1] else np.zeros(0, np.float32)
        enorm = float(np.linalg.norm(emb)) if emb.size else 0.0
        return uniq.astype(np.int32), summed / norm, (emb / enorm if enorm else emb)
