"""MIND's per-impression ranking metrics: AUC, MRR, nDCG@k, averaged over impressions.

The definitions are those of the MIND evaluation script (msnews.github.io, `evaluate.py`):

AUC      ROC AUC of the scores against the click labels;
MRR      the mean, over the clicked candidates, of 1 / their rank (1 = first);
nDCG@k   DCG of the top k, gains 2**label - 1 and discounts log2(rank + 1), over the ideal
         DCG (scikit-learn's `ndcg_score`; with 0/1 labels its linear gains are the same).

AUC is the Mann-Whitney U statistic over (clicked x not clicked) pairs from scipy's
`rankdata`, which is exactly `roc_auc_score` (the tests hold them equal): roc_auc_score spends
~5-10 ms validating its input per call, which over MIND-small dev (73,000 impressions, four
methods) is most of an hour. nDCG goes through `ndcg_score` a batch of impressions at a time
(rows padded with unclicked candidates scored below all others, which changes no DCG) for the
same reason. MRR has no library function.

Ties. The script breaks tied scores by argsort order, which a constant baseline could then
win or lose by accident. Here a tie counts as every order of the tied items being equally
likely: AUC counts a tied pair as half (as roc_auc_score does), nDCG averages the tied gains
(ndcg_score's default), and MRR takes each clicked item's expected 1/rank over its tie group.
Without ties all three are exactly the script's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import ndcg_score

# Impressions per ndcg_score call.
NDCG_BATCH = 512

ArrayLike = np.ndarray | Sequence[float] | Sequence[int]


def _arrays(labels: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"labels and scores must be 1-D of one length, not {y.shape}/{s.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite numbers")
    return y, s


def evaluable(labels: ArrayLike) -> bool:
    """AUC needs at least one clicked and one not clicked candidate."""
    y = np.asarray(labels)
    return bool(len(y) and 0 < int(y.sum()) < len(y))


def auc(labels: ArrayLike, scores: ArrayLike) -> float:
    y, s = _arrays(labels, scores)
    clicked = int(y.sum())
    if not 0 < clicked < len(y):
        raise ValueError("AUC needs at least one clicked and one not clicked candidate")
    ranks = rankdata(s)  # ties get their average rank: a tied pair counts half
    u = float(ranks[y == 1].sum()) - clicked * (clicked + 1) / 2
    return u / (clicked * (len(y) - clicked))


def mrr(labels: ArrayLike, scores: ArrayLike) -> float:
    y, s = _arrays(labels, scores)
    if not y.sum():
        raise ValueError("MRR needs at least one clicked candidate")
    order = np.argsort(-s, kind="stable")
    inverse_rank = 1.0 / np.arange(1, len(s) + 1)
    # Tie groups are runs of equal scores in the sorted order; each member's expected 1/rank
    # is the mean of 1/rank over the group's positions.
    _, starts, counts = np.unique(-s[order], return_index=True, return_counts=True)
    expected = np.repeat(np.add.reduceat(inverse_rank, starts) / counts, counts)
    return float((y[order] * expected).sum() / y.sum())


def ndcg_sum(rows: Sequence[tuple[np.ndarray, np.ndarray]], k: int) -> float:
    """The sum over (labels, scores) rows of their nDCG@k, in one `ndcg_score` call."""
    if not rows:
        return 0.0
    width = max(2, max(len(y) for y, _ in rows))  # ndcg_score refuses a single column
    labels = np.zeros((len(rows), width))
    scores = np.zeros((len(rows), width))
    for i, (y, s) in enumerate(rows):
        if not y.sum():
            raise ValueError("nDCG needs at least one clicked candidate")
        labels[i, : len(y)] = y
        # Padding: unclicked and scored below every real candidate, so it adds no gain and
        # moves no real candidate's rank.
        scores[i, :] = float(s.min()) - 1.0
        scores[i, : len(s)] = s
    return float(ndcg_score(labels, scores, k=k)) * len(rows)


def ndcg(labels: ArrayLike, scores: ArrayLike, k: int) -> float:
    y, s = _arrays(labels, scores)
    return ndcg_sum([(y, s)], k)


@dataclass(frozen=True, slots=True)
class RankingMetrics:
    auc: float
    mrr: float
    ndcg5: float
    ndcg10: float

    @classmethod
    def of(cls, labels: ArrayLike, scores: ArrayLike) -> RankingMetrics:
        return cls(
            auc=auc(labels, scores),
            mrr=mrr(labels, scores),
            ndcg5=ndcg(labels, scores, 5),
            ndcg10=ndcg(labels, scores, 10),
        )


@dataclass
class MetricsMean:
    """The four metrics averaged over impressions, added one impression at a time."""

    n: int = 0
    auc: float = 0.0
    mrr: float = 0.0
    ndcg5: float = 0.0
    ndcg10: float = 0.0
    _pending: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, labels: ArrayLike, scores: ArrayLike) -> None:
        y, s = _arrays(labels, scores)
        self.n += 1
        self.auc += auc(y, s)
        self.mrr += mrr(y, s)
        self._pending.append((y, s))
        if len(self._pending) >= NDCG_BATCH:
            self._flush()

    def _flush(self) -> None:
        self.ndcg5 += ndcg_sum(self._pending, 5)
        self.ndcg10 += ndcg_sum(self._pending, 10)
        self._pending.clear()

    def mean(self) -> RankingMetrics:
        self._flush()
        d = max(self.n, 1)
        return RankingMetrics(self.auc / d, self.mrr / d, self.ndcg5 / d, self.ndcg10 / d)
