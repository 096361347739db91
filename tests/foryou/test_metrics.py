from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import ndcg_score, roc_auc_score

from newsstand.foryou.metrics import (
    MetricsMean,
    RankingMetrics,
    auc,
    evaluable,
    mrr,
    ndcg,
    ndcg_sum,
)

# Clicked at ranks 1 and 3 of 4 (scores 0.9, 0.8, 0.3, 0.1 -> labels 1, 0, 1, 0).
LABELS = [1, 0, 0, 1]
SCORES = [0.9, 0.8, 0.1, 0.3]


def test_hand_computed_case() -> None:
    # Pairs (clicked, not clicked): 0.9>0.8, 0.9>0.1, 0.3<0.8, 0.3>0.1 -> 3 of 4.
    assert auc(LABELS, SCORES) == pytest.approx(0.75)
    # Clicked at ranks 1 and 3: (1/1 + 1/3) / 2.
    assert mrr(LABELS, SCORES) == pytest.approx(2 / 3)
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3).
    ideal = 1 + 1 / math.log2(3)
    assert ndcg(LABELS, SCORES, 5) == pytest.approx(1.5 / ideal)
    assert ndcg(LABELS, SCORES, 10) == pytest.approx(1.5 / ideal)
    # Only the top two count at k=2: DCG 1, ideal 1 + 1/log2(3).
    assert ndcg(LABELS, SCORES, 2) == pytest.approx(1 / ideal)
    assert ndcg(LABELS, SCORES, 1) == pytest.approx(1.0)


def test_perfect_and_reversed_rankings() -> None:
    y = [0, 1, 0, 0, 1]
    perfect = [0.1, 0.9, 0.2, 0.3, 0.8]
    # MIND's MRR averages 1/rank over every click, so two clicks on top give (1 + 1/2) / 2.
    assert RankingMetrics.of(y, perfect) == RankingMetrics(1.0, 0.75, 1.0, 1.0)
    reversed_ = [-s for s in perfect]
    m = RankingMetrics.of(y, reversed_)
    assert m.auc == 0.0
    # Clicked at ranks 4 and 5.
    assert m.mrr == pytest.approx((1 / 4 + 1 / 5) / 2)
    dcg = 1 / math.log2(5) + 1 / math.log2(6)
    assert m.ndcg5 == pytest.approx(dcg / (1 + 1 / math.log2(3)))


def test_ties_count_as_every_order_equally_likely() -> None:
    # All tied: the clicked item is first or second with equal chance.
    assert auc([1, 0], [0.5, 0.5]) == 0.5
    assert mrr([1, 0], [0.5, 0.5]) == pytest.approx((1 + 1 / 2) / 2)
    assert ndcg([1, 0], [0.5, 0.5], 10) == pytest.approx((1 + 1 / math.log2(3)) / 2)
    # A tie group at ranks 2-3 behind a clicked leader: the second click averages 1/2 and 1/3.
    assert mrr([1, 1, 0], [0.9, 0.5, 0.5]) == pytest.approx((1 + (1 / 2 + 1 / 3) / 2) / 2)


def test_agrees_with_scikit_learn_on_random_impressions_with_ties() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(300):
        n = int(rng.integers(2, 40))
        y = (rng.random(n) < 0.2).astype(int)
        y[rng.integers(n)] = 1
        if y.all():
            y[0] = 0
        s = np.round(rng.random(n), 1)  # rounding makes ties common
        rows.append((y.astype(float), s))
        assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert ndcg(y, s, 5) == pytest.approx(ndcg_score([y], [s], k=5), abs=1e-12)
    # The batched nDCG (padded rows) is the sum of the per-row values.
    expected = sum(ndcg_score([y], [s], k=10) for y, s in rows)
    assert ndcg_sum(rows, 10) == pytest.approx(expected, abs=1e-9)


def test_mrr_without_ties_is_the_mind_script() -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        n = int(rng.integers(2, 30))
        y = (rng.random(n) < 0.3).astype(float)
        y[0] = 1
        s = rng.random(n)
        order = np.argsort(s)[::-1]
        script = float(np.sum(np.take(y, order) / (np.arange(n) + 1)) / np.sum(y))
        assert mrr(y, s) == pytest.approx(script)


def test_running_mean_over_impressions() -> None:
    mean = MetricsMean()
    cases = [(LABELS, SCORES), ([0, 1], [0.2, 0.1]), ([1, 0, 0], [0.3, 0.2, 0.1])]
    for y, s in cases:
        mean.add(y, s)
    got = mean.mean()
    each = [RankingMetrics.of(y, s) for y, s in cases]
    assert got.auc == pytest.approx(sum(m.auc for m in each) / 3)
    assert got.mrr == pytest.approx(sum(m.mrr for m in each) / 3)
    assert got.ndcg5 == pytest.approx(sum(m.ndcg5 for m in each) / 3)
    assert got.ndcg10 == pytest.approx(sum(m.ndcg10 for m in each) / 3)
    assert mean.n == 3


def test_bad_input_is_refused_with_a_reason() -> None:
    assert not evaluable([1, 1])
    assert not evaluable([0, 0])
    assert evaluable([0, 1])
    with pytest.raises(ValueError, match="clicked and one not clicked"):
        auc([1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="at least one clicked"):
        mrr([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="0 or 1"):
        auc([2, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="one length"):
        auc([1, 0], [0.1])
    with pytest.raises(ValueError, match="finite"):
        auc([1, 0], [float("nan"), 0.1])
