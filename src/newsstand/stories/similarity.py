"""Story similarity: how likely two articles report the same event, 0..1.

Two signals, fused with fixed weights (no weights are learned from the evaluation pairs):

lexical   TF-IDF cosine over words with the headline counted twice and name-like tokens
          (capitalised mid-sentence, numbers) boosted: the same event shares its names, places
          and figures far more reliably than its wording. Terms are hashed with scikit-learn's
          FeatureHasher so the IDF can be kept incrementally (document frequencies per hash
          bucket) over a sliding window of recent articles, with no vocabulary to refit.
semantic  cosine of a small static embedding (WordLlama by default, see `embeddings`) of the
          same headline-weighted text; it catches paraphrase that shares no words.

The lexical cosine is square-rooted before fusing: two write-ups of one event typically share
only a fifth to a third of their weighted terms, unrelated ones a few percent, so the raw cosine
crowds the interesting range near zero; the square root spreads it to the embedding's scale
(0.73 → 0.80 Pearson alone on the SemEval pairs, see bench/stories.py).

`SimilarityModel` is the API clustering uses: `add`/`remove` articles of the recent window (the
IDF follows), `score(a, b)` and `neighbours(v, k)`. `score_texts` scores a batch of pairs with
the IDF fit on the batch itself, which is what the `similarity` command does.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from newsstand.config import load_group
from newsstand.stories.embeddings import EmbeddingBackend, get_backend
from newsstand.stories.text import ArticleText, term_weights

logger = logging.getLogger(__name__)

# 2**20 buckets: hash collisions between the few thousand distinct words of a news window are
# rare enough not to move a cosine, and the DF table stays at 4 MiB.
HASH_FEATURES = 2**20


@dataclass(frozen=True)
class SimilaritySettings:
    """How the two signals are built and fused; settings.NEWSSTAND_SIMILARITY overrides any."""

    # Name-like tokens (capitalised mid-sentence, numbers) count this many times a plain word.
    entity_boost: float = 1.5
    # Equal say for the lexical and the semantic signal: each alone correlates about as well
    # with human judgement (0.80 vs 0.81 on SemEval), so there is no principled reason to
    # favour one.
    embedding_weight: float = 0.5

    @classmethod
    def from_settings(cls) -> SimilaritySettings:
        """The defaults above, overridden key by key by settings.NEWSSTAND_SIMILARITY (now)."""
        return load_group(cls, "NEWSSTAND_SIMILARITY")


@dataclass(frozen=True, slots=True, eq=False)
class ArticleVector:
    """One article, vectorised: sublinear term weights by hash bucket, and its embedding."""

    indices: np.ndarray  # sorted int32 bucket ids
    weights: np.ndarray  # float64 sublinear TF (times the entity boost), IDF not yet applied
    embedding: np.ndarray  # float32, L2-normalised; empty with NullBackend


class SimilarityModel:
    """TF-IDF statistics over a corpus that can grow and shrink, plus an embedding backend.

    `entity_boost` and `embedding_weight` default to the settings (`SimilaritySettings`).
    """

    def __init__(
        self,
        backend: EmbeddingBackend | None = None,
        *,
        entity_boost: float | None = None,
        embedding_weight: float | None = None,
    ) -> None:
        tunables = SimilaritySettings.from_settings()
        self.backend = backend if backend is not None else get_backend()
        self.entity_boost = tunables.entity_boost if entity_boost is None else entity_boost
        if embedding_weight is None:
            embedding_weight = tunables.embedding_weight
        self.embedding_weight = embedding_weight if self.backend.dim else 0.0
        self._hasher = FeatureHasher(
            n_features=HASH_FEATURES, input_type="dict", alternate_sign=False
        )
        self._df = np.zeros(HASH_FEATURES, dtype=np.int32)
        self._n_docs = 0
        self._docs: dict[Hashable, ArticleVector] = {}
        self._matrix: tuple[list[Hashable], sparse.csr_matrix, np.ndarray] | None = None

    # --- corpus ------------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        return self._n_docs

    def vectorize(self, articles: Sequence[ArticleText]) -> list[ArticleVector]:
        """Vectors for `articles` (one embedding batch); the corpus is not changed."""
        if not articles:
            return []
        rows = self._hasher.transform(
            term_weights(a, entity_boost=self.entity_boost) for a in articles
        ).tocsr()
        rows.sum_duplicates()
        rows.sort_indices()
        embeddings = self.backend.embed([a.title_weighted for a in articles])
        out = []
        for i in range(len(articles)):
            lo, hi = rows.indptr[i], rows.indptr[i + 1]
            out.append(
                ArticleVector(
                    indices=rows.indices[lo:hi].astype(np.int32),
                    weights=rows.data[lo:hi].astype(np.float64),
                    embedding=embeddings[i],
                )
            )
        return out

    def add(self, doc_id: Hashable, vector: ArticleVector) -> None:
        """Count `vector` in the document frequencies (replacing an earlier one with this id)."""
        if doc_id in self._docs:
            self.remove(doc_id)
        self._docs[doc_id] = vector
        self._df[vector.indices] += 1
        self._n_docs += 1
        self._matrix = None

    def remove(self, doc_id: Hashable) -> None:
        """Forget an article (it left the window); unknown ids are ignored."""
        vector = self._docs.pop(doc_id, None)
        if vector is None:
            return
        self._df[vector.indices] -= 1
        self._n_docs -= 1
        self._matrix = None

    def fit(self, articles: Sequence[ArticleText]) -> list[ArticleVector]:
        """Add `articles` (ids 0..n-1 after any already held) and return their vectors."""
        vectors = self.vectorize(articles)
        base = len(self._docs)
        for i, vector in enumerate(vectors):
            self.add(("fit", base + i), vector)
        return vectors

    def idf(self, indices: np.ndarray) -> np.ndarray:
        """Smoothed IDF (scikit-learn's: ln((1+n)/(1+df)) + 1) of the given buckets."""
        return np.log((1.0 + self._n_docs) / (1.0 + self._df[indices])) + 1.0

    # --- scoring -----------------------------------------------------------------------------

    def _weighted(self, v: ArticleVector) -> np.ndarray:
        w = v.weights * self.idf(v.indices)
        norm = float(np.sqrt(w @ w))
        return w / norm if norm else w

    def lexical(self, a: ArticleVector, b: ArticleVector) -> float:
        """Cosine of the TF-IDF vectors, 0..1."""
        _, ia, ib = np.intersect1d(a.indices, b.indices, assume_unique=True, return_indices=True)
        if not len(ia):
            return 0.0
        wa, wb = self._weighted(a), self._weighted(b)
        return float(np.clip(wa[ia] @ wb[ib], 0.0, 1.0))

    @staticmethod
    def semantic(a: ArticleVector, b: ArticleVector) -> float:
        """Cosine of the embeddings clipped to 0..1 (0 without an embedding backend)."""
        if not a.embedding.size:
            return 0.0
        return float(np.clip(a.embedding @ b.embedding, 0.0, 1.0))

    def fuse(self, lexical: float | np.ndarray, semantic: float | np.ndarray) -> np.ndarray:
        w = self.embedding_weight
        return np.asarray((1.0 - w) * np.sqrt(lexical) + w * np.asarray(semantic))

    def score(self, a: ArticleVector, b: ArticleVector) -> float:
        """Same-event likelihood of two vectorised articles, 0..1."""
        return float(self.fuse(self.lexical(a, b), self.semantic(a, b)))

    def _window_matrix(self) -> tuple[list[Hashable], sparse.csr_matrix, np.ndarray]:
        if self._matrix is None:
            ids = list(self._docs)
            vectors = [self._docs[i] for i in ids]
            if vectors:
                data = np.concatenate([self._weighted(v) for v in vectors])
                indices = np.concatenate([v.indices for v in vectors])
                indptr = np.cumsum([0, *(len(v.indices) for v in vectors)])
                emb = np.stack([v.embedding for v in vectors])
            else:
                data, indices, indptr = np.zeros(0), np.zeros(0, np.int32), np.zeros(1, np.int64)
                emb = np.zeros((0, self.backend.dim), dtype=np.float32)
            lex = sparse.csr_matrix((data, indices, indptr), shape=(len(ids), HASH_FEATURES))
            self._matrix = (ids, lex, emb)
        return self._matrix

    def neighbours(
        self, vector: ArticleVector, k: int = 10, *, min_score: float = 0.0
    ) -> list[tuple[Hashable, float]]:
        """The `k` articles of the corpus most similar to `vector`, best first.

        The first call after a change rebuilds the IDF-weighted matrix (linear in the window);
        later calls are one sparse matrix-vector product.
        """
        ids, lex, emb = self._window_matrix()
        if not ids:
            return []
        q = sparse.csr_matrix(
            (self._weighted(vector), vector.indices, [0, len(vector.indices)]),
            shape=(1, HASH_FEATURES),
        )
        lexical = np.clip((lex @ q.T).toarray().ravel(), 0.0, 1.0)
        semantic = np.clip(emb @ vector.embedding, 0.0, 1.0) if emb.shape[1] else 0.0
        scores = self.fuse(lexical, semantic)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(ids[i], float(scores[i])) for i in order if scores[i] >= min_score]


def score_texts(
    pairs: Iterable[tuple[str, str]], *, backend: EmbeddingBackend | None = None
) -> list[float]:
    """Similarity of each (text1, text2) pair, the IDF fit on all texts of the batch.

    Each text is "headline + body" as one string (see `ArticleText.from_combined`). A batch of
    one pair still works, but IDF from two documents barely tells common words from rare ones;
    the more pairs in a call, the better the lexical signal.
    """
    pairs = list(pairs)
    model = SimilarityModel(backend)
    articles = [ArticleText.from_combined(t) for pair in pairs for t in pair]
    vectors = model.fit(articles)
    return [model.score(vectors[2 * i], vectors[2 * i + 1]) for i in range(len(pairs))]
