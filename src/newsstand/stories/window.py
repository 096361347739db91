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

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from newsstand.stories.similarity import HASH_FEATURES, ArticleVector, SimilarityModel

# Distinctive terms of the query looked up; names and numbers rank first (entity boost, IDF).
QUERY_TERMS = 24
# Buckets in more articles than this are skipped for candidate generation (IDF < ~5 at 100k).
MAX_POSTINGS = 2_000
# Candidates scored exactly. At 30k synthetic articles, 32 instead of 64 (and the two caps
# above) changed neither recall nor precision of re-clustering, and cut its time by a third.
CANDIDATES = 32
# Postings read per query at most (the most distinctive terms come first): bounds the work
# per article however large the window grows.
MAX_GATHERED = 15_000
# See `idf`.
IDF_STALE_FRACTION = 0.01
IDF_EXACT_BELOW = 2_000
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

    def extend(self, slots: np.ndarray, weights: np.ndarray) -> None:
        need = self.n + len(slots)
        if need > len(self.slots):
            size = max(need, 2 * len(self.slots))
            self.slots = np.resize(self.slots, size)
            self.weights = np.resize(self.weights, size)
        self.slots[self.n : need] = slots
        self.weights[self.n : need] = weights
        self.n = need


class WindowIndex:
    """Articles of the recent window by slot: vectors, times, postings, embeddings."""

    def __init__(self, model: SimilarityModel) -> None:
        self.model = model
        self._df = np.zeros(HASH_FEATURES, dtype=np.int32)
        self._idf_table: np.ndarray | None = None
        self._changes = 0
        self._n_alive = 0
        self._postings: dict[int, _Posting] = {}
        self.ids: list[Hashable] = []
        self._slot_of: dict[Hashable, int] = {}
        # Every slot's (bucket, raw weight) pairs, back to back: slot s is
        # _flat_idx[_start[s] : _start[s] + _len[s]]. Flat arrays let `exact` gather many
        # candidates' vectors with one fancy index instead of a Python loop.
        self._flat_idx = np.zeros(_INITIAL_SLOTS * 64, dtype=np.int32)
        self._flat_w = np.zeros(_INITIAL_SLOTS * 64, dtype=np.float32)
        self._flat_n = 0
        self._start = np.zeros(_INITIAL_SLOTS, dtype=np.int64)
        self._len = np.zeros(_INITIAL_SLOTS, dtype=np.int64)
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
        """The model's smoothed IDF, over the articles in the window.

        Read from a table recomputed once changes since the last one exceed `IDF_STALE_FRACTION`
        of the window (always, in windows under `IDF_EXACT_BELOW`): a 1% drift in document
        counts moves an IDF by well under 1%, and the table costs a pass over every bucket.
        """
        if self._n_alive < IDF_EXACT_BELOW:
            return np.log((1.0 + self._n_alive) / (1.0 + self._df[indices])) + 1.0
        if self._idf_table is None or self._changes > self._n_alive * IDF_STALE_FRACTION:
            self._idf_table = np.log((1.0 + self._n_alive) / (1.0 + self._df)) + 1.0
            self._changes = 0
        return self._idf_table[indices]

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
        self._store(slot, indices, weights)
        self._df[indices] += 1
        self._n_alive += 1
        self._changes += 1
        self.ts[slot] = published_ts
        self.alive[slot] = True
        if vector.embedding.size:
            self._emb[slot] = vector.embedding
        self._post(slot, indices, weights)
        return slot

    def add_many(
        self, doc_ids: Sequence[Hashable], vectors: Sequence[ArticleVector], ts: Sequence[float]
    ) -> None:
        """Index many new articles at once (a window being loaded): postings built by sorting.

        Same result as `add` one by one, except that every posting weight is normalised with
        the IDF of the whole batch rather than of the window as it grew.
        """
        fresh = [i for i, d in enumerate(doc_ids) if d not in self._slot_of]
        if len(fresh) != len(doc_ids):
            for i in set(range(len(doc_ids))) - set(fresh):
                self.add(doc_ids[i], vectors[i], ts[i])
        if not fresh:
            return
        base = len(self.ids)
        self._grow(base + len(fresh))
        lens = np.array([len(vectors[i].indices) for i in fresh], dtype=np.int64)
        indices = np.concatenate([vectors[i].indices for i in fresh]).astype(np.int32)
        weights = np.concatenate([vectors[i].weights for i in fresh]).astype(np.float32)
        slots = np.repeat(np.arange(base, base + len(fresh), dtype=np.int32), lens)
        for k, i in enumerate(fresh):
            slot = base + k
            self.ids.append(doc_ids[i])
            self._slot_of[doc_ids[i]] = slot
            self._store(slot, vectors[i].indices, vectors[i].weights.astype(np.float32))
            self.ts[slot] = ts[i]
            self.alive[slot] = True
            if vectors[i].embedding.size:
                self._emb[slot] = vectors[i].embedding
        np.add.at(self._df, indices, 1)
        self._n_alive += len(fresh)
        self._idf_table = None
        tfidf = weights * self.idf(indices)
        norms = np.sqrt(np.bincount(slots - base, weights=tfidf * tfidf, minlength=len(fresh)))
        norms[norms == 0] = 1.0
        scaled = (weights / norms[slots - base]).astype(np.float32)
        order = np.argsort(indices, kind="stable")
        terms, starts = np.unique(indices[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        sorted_slots, sorted_w = slots[order], scaled[order]
        for term, lo, hi in zip(terms.tolist(), starts.tolist(), ends.tolist(), strict=True):
            p = self._postings.get(term)
            if p is None:
                p = self._postings[term] = _Posting()
            p.extend(sorted_slots[lo:hi], sorted_w[lo:hi])

    def remove(self, doc_id: Hashable) -> None:
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return
        self.alive[slot] = False
        self._df[self._slot_indices(slot)] -= 1
        self._n_alive -= 1
        self._changes += 1
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

    def _store(self, slot: int, indices: np.ndarray, weights: np.ndarray) -> None:
        need = self._flat_n + len(indices)
        if need > len(self._flat_idx):
            size = max(need, 2 * len(self._flat_idx))
            self._flat_idx = np.resize(self._flat_idx, size)
            self._flat_w = np.resize(self._flat_w, size)
        if slot >= len(self._start):
            size = max(slot + 1, 2 * len(self._start))
            self._start = np.resize(self._start, size)
            self._len = np.resize(self._len, size)
        self._flat_idx[self._flat_n : need] = indices
        self._flat_w[self._flat_n : need] = weights
        self._start[slot] = self._flat_n
        self._len[slot] = len(indices)
        self._flat_n = need

    def _slot_indices(self, slot: int) -> np.ndarray:
        lo = int(self._start[slot])
        return self._flat_idx[lo : lo + int(self._len[slot])]

    def _slot_weights(self, slot: int) -> np.ndarray:
        lo = int(self._start[slot])
        return self._flat_w[lo : lo + int(self._len[slot])]

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
        indices = [self._slot_indices(s).copy() for s in live]
        weights = [self._slot_weights(s).copy() for s in live]
        ts = self.ts[live].copy()
        emb = self._emb[live].copy()
        self.ids = ids
        self._flat_n = 0
        self._start = np.zeros(max(_INITIAL_SLOTS, 2 * len(ids)), dtype=np.int64)
        self._len = np.zeros(len(self._start), dtype=np.int64)
        for slot in range(len(ids)):
            self._store(slot, indices[slot], weights[slot])
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
        return self._slot_indices(slot), self._slot_weights(slot), self._emb[slot]

    def embeddings(self, slots: np.ndarray) -> np.ndarray:
        return self._emb[slots]

    def embedding_rows(self) -> np.ndarray:
        """Every slot's embedding, dead slots included, as a view (no copy): row s is slot s.

        For You scores the whole window against a reader's profile with one product; a fancy
        index over 100,000 slots would first copy 100 MB.
        """
        return self._emb[: len(self.ids)]

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
        cand, scores = self.query_arrays(
            q_idx, q_w, q_emb, published_ts, window_s=window_s, k=k, exclude_slot=exclude_slot
        )
        return [
            Neighbour(self.ids[s], s, sc)
            for s, sc in zip(cand.tolist(), scores.tolist(), strict=True)
        ]

    def query_arrays(
        self,
        q_idx: np.ndarray,
        q_w: np.ndarray,
        q_emb: np.ndarray,
        published_ts: float,
        *,
        window_s: float,
        k: int = CANDIDATES,
        exclude_slot: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """`query` as (slots, fused scores) arrays, best first."""
        none = (np.zeros(0, dtype=np.int64), np.zeros(0))
        n = len(self.ids)
        if not n or not len(q_idx):
            return none
        top = np.argsort(-q_w, kind="stable")[:QUERY_TERMS]
        idf = self.idf(q_idx[top])
        slot_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        gathered = 0
        for term, qw, term_idf in zip(q_idx[top].tolist(), q_w[top].tolist(), idf, strict=True):
            p = self._postings.get(term)
            if p is None or p.n > MAX_POSTINGS:
                continue
            gathered += p.n
            if gathered > MAX_GATHERED and slot_parts:
                break
            slot_parts.append(p.slots[: p.n])
            weight_parts.append(p.weights[: p.n] * np.float32(qw * term_idf))
        if not slot_parts:
            return none
        slots = np.concatenate(slot_parts)
        approx = np.bincount(slots, weights=np.concatenate(weight_parts), minlength=n)
        if exclude_slot is not None:
            approx[exclude_slot] = 0.0
        cand = np.flatnonzero(approx)
        cand = cand[self.alive[cand] & (np.abs(self.ts[cand] - published_ts) <= window_s)]
        if len(cand) > k:
            cand = cand[np.argpartition(-approx[cand], k - 1)[:k]]
        if not len(cand):
            return none
        scores = self.exact(q_idx, q_w, q_emb, cand)
        order = np.argsort(-scores, kind="stable")
        return cand[order], scores[order]

    def exact(
        self, q_idx: np.ndarray, q_w: np.ndarray, q_emb: np.ndarray, slots: np.ndarray
    ) -> np.ndarray:
        """The model's fused score of the query against each slot, vectorised over slots."""
        lens = self._len[slots]
        row = np.repeat(np.arange(len(slots)), lens)
        # Position of each gathered pair: its slot's start plus its offset inside the slot.
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        gather = np.repeat(self._start[slots], lens) + offsets
        all_idx = self._flat_idx[gather]
        raw = self._flat_w[gather].astype(np.float64)
        w = raw * self.idf(all_idx)
        norms = np.sqrt(np.bincount(row, weights=w * w, minlength=len(slots)))
        order = np.argsort(q_idx, kind="stable")
        sorted_q = q_idx[order]
        pos = np.clip(np.searchsorted(sorted_q, all_idx), 0, max(len(sorted_q) - 1, 0))
        hit = sorted_q[pos] == all_idx if len(sorted_q) else np.zeros(len(all_idx), bool)
        dots = np.bincount(row[hit], weights=w[hit] * q_w[order][pos[hit]], minlength=len(slots))
        # With no term in common at all, bincount returns integers whatever the weights.
        dots = dots.astype(np.float64, copy=False)
        lexical = np.clip(np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0), 0, 1)
        if q_emb.size and self._emb.shape[1]:
            semantic = np.clip(self._emb[slots] @ q_emb, 0.0, 1.0)
        else:
            semantic = np.zeros(len(slots))
        return np.asarray(self.model.fuse(lexical, semantic), dtype=np.float64)

    def pairwise(self, slots: np.ndarray) -> np.ndarray:
        """Fused score matrix among `slots` (a story's members), current IDF."""
        from scipy import sparse

        rows = [
            self.weighted(self._slot_indices(s), self._slot_weights(s).astype(np.float64))
            for s in slots
        ]
        lens = [len(r) for r in rows]
        mat = sparse.csr_matrix(
            (
                np.concatenate(rows) if rows else np.zeros(0),
                np.concatenate([self._slot_indices(s) for s in slots])
                if rows
                else np.zeros(0, int),
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
        idx = np.concatenate([self._slot_indices(s) for s in slots])
        w = np.concatenate(
            [
                self.weighted(self._slot_indices(s), self._slot_weights(s).astype(np.float64))
                for s in slots
            ]
        )
        uniq, inv = np.unique(idx, return_inverse=True)
        summed = np.bincount(inv, weights=w)
        norm = float(np.linalg.norm(summed)) or 1.0
        emb = self._emb[slots].mean(axis=0) if self._emb.shape[1] else np.zeros(0, np.float32)
        enorm = float(np.linalg.norm(emb)) if emb.size else 0.0
        return uniq.astype(np.int32), summed / norm, (emb / enorm if enorm else emb)
