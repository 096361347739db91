"""Offline evaluation of the For You ranker on MIND impressions, beside baselines.

For each impression (in time order) every method scores the impression's candidates and the
MIND metrics are taken against the clicks; the means over impressions are reported:

For You              the reader model of `model`: a profile from the impression's history (each
                     clicked news a read, all at one time: MIND gives no click times), scored
                     with `score_slots` exactly as a page would (no follows; MIND news have no
                     publication time, so freshness is 1 throughout);
For You + popularity the same, with each candidate's popularity (below) as its Top-stories
                     score, as the feed's Top-story boost would use it;
popularity           clicks the candidate received in impressions strictly earlier in the log;
random               uniform random scores (seeded).

Impressions whose candidates are all clicked or none are skipped (AUC is undefined); candidates
missing from news.tsv are an error. Titles and abstracts are vectorised with the stories
vectoriser (`stories.similarity`), the IDF taken over all news of the folder.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ArticleMeta, ReaderSignals, Signal, SignalKind, Targets
from newsstand.foryou.metrics import MetricsMean, RankingMetrics, evaluable
from newsstand.foryou.mind import Impression, MindFormatError, MindNews, read_behaviors, read_news
from newsstand.foryou.model import build_profile, score_slots
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText

logger = logging.getLogger(__name__)

# The published NRMS AUC on MIND (Wu et al. 2020, the MIND paper, MIND-large test set): the
# usual reference for a neural news recommender trained on the click logs. For reference only:
# it is another split, and a model trained on MIND's own clicks.
NRMS_REFERENCE_AUC = 0.6776
METHODS = ("For You", "For You + popularity", "popularity", "random")
# Progress callback: (stage, done, total).
Progress = Callable[[str, int, int], None]


@dataclass
class EvaluationReport:
    folder: str
    news: int
    impressions: int  # evaluated
    skipped: int  # all clicked or none clicked
    cold: int  # evaluated with an empty history (For You scores them all alike)
    vectorise_s: float
    rank_s: float
    results: dict[str, RankingMetrics] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "folder": self.folder,
            "news": self.news,
            "impressions": self.impressions,
            "skipped": self.skipped,
            "cold": self.cold,
            "vectorise_s": round(self.vectorise_s, 2),
            "rank_ms_per_impression": round(1000 * self.rank_s / max(self.impressions, 1), 3),
            "results": {
                k: {"auc": v.auc, "mrr": v.mrr, "ndcg5": v.ndcg5, "ndcg10": v.ndcg10}
                for k, v in self.results.items()
            },
        }


def news_corpus(
    news: dict[str, MindNews],
    *,
    model: SimilarityModel | None = None,
    progress: Progress | None = None,
) -> Corpus:
    """Every news item vectorised into one window index; category is the section, subcategory
    the topic, and each news item its own story (for the Top-story boost)."""
    items = [
        (
            ArticleMeta(
                id=n.id,
                publisher_id="mind",
                title=n.title,
                section=n.category,
                topics=frozenset({n.subcategory} if n.subcategory else ()),
                story_id=n.id,
            ),
            ArticleText(title=n.title, body=n.abstract or n.title),
            0.0,
        )
        for n in news.values()
    ]
    done = 0

    def step(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress("vectorise", done, len(items))

    return Corpus.from_texts(items, model=model, progress=step)


def _in_time_order(impressions: Sequence[Impression]) -> list[Impression]:
    return sorted(impressions, key=lambda i: i.time)  # stable: file order within a second


def evaluate(
    folder: Path,
    *,
    limit: int | None = None,
    seed: int = 0,
    cfg: ForYouSettings | None = None,
    model: SimilarityModel | None = None,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Read a MIND folder and evaluate every method on its first `limit` impressions in time
    order (all of them without a limit)."""
    cfg = cfg or ForYouSettings.from_settings()
    news = read_news(folder)
    impressions = _in_time_order(read_behaviors(folder))
    for imp in impressions:
        missing = [c for c in imp.candidates if c not in news]
        if missing:
            raise MindFormatError(
                f"{folder / 'behaviors.tsv'}: impression {imp.impression_id} shows "
                f"{missing[0]!r}, which is not in news.tsv"
            )
    started = time.perf_counter()
    corpus = news_corpus(news, model=model, progress=progress)
    vectorise_s = time.perf_counter() - started
    rng = random.Random(seed)  # noqa: S311 - a reproducible random baseline, not a secret
    means = {m: MetricsMean() for m in METHODS}
    clicks: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    pending_time = None
    skipped = cold = 0
    chosen = impressions[:limit] if limit is not None else impressions
    started = time.perf_counter()
    for done, imp in enumerate(chosen, 1):
        if imp.time != pending_time:
            # Clicks count for popularity only from impressions strictly earlier in time.
            clicks.update(pending)
            pending.clear()
            pending_time = imp.time
        pending.update(c for c, y in zip(imp.candidates, imp.labels, strict=True) if y)
        if progress is not None:
            progress("rank", done, len(chosen))
        if not evaluable(imp.labels):
            skipped += 1
            continue
        reader = ReaderSignals(tuple(Signal(h, SignalKind.READ, 0.0) for h in imp.history))
        profile = build_profile(reader, corpus, 0.0, cfg)
        cold += profile.empty
        slots = corpus.slots_of(imp.candidates)
        popularity = np.array([clicks[c] for c in imp.candidates], dtype=np.float64)
        # Each news item is its own story; its clicks so far stand for its Top-stories score.
        top: dict[Hashable, float] = dict(zip(imp.candidates, popularity.tolist(), strict=True))
        for name, top_stories in (("For You", {}), ("For You + popularity", top)):
            scores = score_slots(
                profile,
                corpus,
                slots,
                now_ts=0.0,
                followed=Targets(),
                top_stories=top_stories,
                cfg=cfg,
            )
            means[name].add(imp.labels, scores.score)
        means["popularity"].add(imp.labels, popularity)
        means["random"].add(imp.labels, [rng.random() for _ in imp.candidates])
    rank_s = time.perf_counter() - started
    evaluated = means["random"].n
    logger.info(
        "mind evaluation done folder=%s impressions=%d skipped=%d cold=%d seconds=%.1f",
        folder,
        evaluated,
        skipped,
        cold,
        rank_s,
    )
    return EvaluationReport(
        folder=str(folder),
        news=len(news),
        impressions=evaluated,
        skipped=skipped,
        cold=cold,
        vectorise_s=vectorise_s,
        rank_s=rank_s,
        results={m: means[m].mean() for m in METHODS},
    )
