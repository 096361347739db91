"""For You benchmark: page latency at scale, and offline quality on the MIND-format fixture.

Run:  .venv/bin/python -m bench.recommend [--size 100000] [--reads 1000] [--rounds 20]
      (quality only, no latency: --skip-latency; latency only: --skip-quality)

Latency. A synthetic 3-day window of `--size` articles (bench/stories_scale.py's generator:
real sentences of extraction/aeb and naeb-dev recombined into events, 1-40 write-ups each),
vectorised once and indexed in a `WindowIndex` as the stories cache holds it, with metadata:
300 publishers (Zipf-like sizes), 12 sections, 60 topics, the event as the story. Each of
`READERS` readers has `--reads` signals over the last 60 days (70% reads, 20% dwells of 5 s to
5 min, 10% saves): 80% on articles from before the window, whose vectors the signals carry
(precomputed, as a stored profile would keep them), 20% on window articles, looked up in the
index. Readers follow 5 publishers, 2 sections, 3 topics and 2 stories and mute 2 publishers, a
section, 2 topics and a story; the 30 largest events are the Top stories. One thread (BLAS
too), as in a web worker. Measured: `feed.build_feed` end to end, after one warm-up per reader,
`--rounds` rounds over the readers; median and p95, and the phases.

Baseline in the same run: the exact ranker without candidate generation, every eligible article
of the window scored against the profile (`model.score_slots` over all of them), with the same
diversity pass. Reported: its time, and how many of its page's articles the fast page also has
(what candidate generation costs in ranking quality).

Quality. `newsstand bench recommend` on the MIND-format fixture of bench/mind_fixture.py (111
real articles of naeb-dev by topic, 60 synthetic readers, 180 impressions): For You beside the
popularity and random baselines.

Results are printed and written to bench/results/recommend.json. `--window-cache FILE` keeps
the vectorised window between runs (about 430 MB at 100,000 articles).
"""

from __future__ import annotations

import os

# One thread, BLAS included: set before numpy loads it. A page is built in one web worker.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")

import argparse  # noqa: E402 -- after the thread limits above
import json  # noqa: E402
import pickle  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.mind_fixture import write_fixture  # noqa: E402
from bench.stories_scale import HOUR, T0, WINDOW_S, synthesise  # noqa: E402
from newsstand.foryou import candidates as cand  # noqa: E402
from newsstand.foryou.config import ForYouSettings  # noqa: E402
from newsstand.foryou.corpus import Corpus  # noqa: E402
from newsstand.foryou.evaluation import NRMS_REFERENCE_AUC, evaluate  # noqa: E402
from newsstand.foryou.feed import build_feed, diversify  # noqa: E402
from newsstand.foryou.inputs import (  # noqa: E402
    ArticleMeta,
    FollowSet,
    ReaderSignals,
    Signal,
    SignalKind,
    Targets,
)
from newsstand.foryou.model import build_profile, score_slots  # noqa: E402
from newsstand.stories.similarity import ArticleVector, SimilarityModel  # noqa: E402
from newsstand.stories.text import ArticleText  # noqa: E402
from newsstand.stories.window import WindowIndex  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "recommend.json"
READERS = 5
PUBLISHERS = 300
SECTIONS = [f"section {i}" for i in range(12)]
TOPICS = [f"topic {i}" for i in range(60)]
DAY = 24 * HOUR
GOAL_MS = 100.0


def _meta(i: int, event: int, title: str, rng: random.Random) -> ArticleMeta:
    publisher = min(PUBLISHERS - 1, int(rng.paretovariate(1.2)) - 1)
    return ArticleMeta(
        id=i,
        publisher_id=publisher,
        publisher_name=f"Publisher {publisher}",
        title=title,
        section=rng.choice(SECTIONS),
        topics=frozenset(rng.sample(TOPICS, rng.randint(1, 2))),
        story_id=event,
    )


def build_window(size: int, reads: int, seed: int) -> tuple[Corpus, list[ArticleVector], float]:
    """The window corpus, the vectors of `reads` older articles, and `now`."""
    rng = random.Random(seed)
    texts, times, events = synthesise(size + reads, seed)
    order = list(range(len(texts)))
    rng.shuffle(order)
    old, window = order[:reads], sorted(order[reads:])
    model = SimilarityModel()
    index = WindowIndex(model)
    corpus = Corpus(index)
    articles = [ArticleText.from_combined(t) for t in texts]
    corpus.set_meta(_meta(i, events[i], articles[i].title, rng) for i in window)
    bar = tqdm(total=len(texts), desc="vectorise", unit="article")
    for lo in range(0, len(window), 500):
        batch = window[lo : lo + 500]
        vectors = model.vectorize([articles[i] for i in batch])
        index.add_many(batch, vectors, [times[i] for i in batch])
        bar.update(len(batch))
    old_vectors = model.vectorize([articles[i] for i in old])
    bar.update(len(old))
    bar.close()
    corpus.sync()
    return corpus, old_vectors, T0 + WINDOW_S


def make_reader(
    corpus: Corpus, old_vectors: list[ArticleVector], reads: int, now: float, seed: int
) -> tuple[ReaderSignals, FollowSet]:
    rng = random.Random(seed)
    window_ids = list(corpus.index.ids)
    signals = []
    for k in range(reads):
        roll = rng.random()
        kind = (
            SignalKind.READ if roll < 0.7 else SignalKind.DWELL if roll < 0.9 else SignalKind.SAVED
        )
        dwell = rng.uniform(5, 300) if kind is SignalKind.DWELL else 0.0
        if rng.random() < 0.8:
            vector = old_vectors[rng.randrange(len(old_vectors))]
            at = now - rng.uniform(3 * DAY, 60 * DAY)
            signals.append(Signal(("old", seed, k), kind, at, dwell, f"Old article {k}", vector))
        else:
            signals.append(
                Signal(rng.choice(window_ids), kind, now - rng.uniform(0, 3 * DAY), dwell)
            )
    stories = Counter(m.story_id for m in corpus.meta.values())
    big = [s for s, _ in stories.most_common(200)]
    follows = FollowSet(
        followed=Targets.of(
            publishers=rng.sample(range(PUBLISHERS), 5),
            sections=rng.sample(SECTIONS, 2),
            topics=rng.sample(TOPICS, 3),
            stories=rng.sample(big, 2),
        ),
        muted=Targets.of(
            publishers=rng.sample(range(PUBLISHERS), 2),
            sections=rng.sample(SECTIONS, 1),
            topics=rng.sample(TOPICS, 2),
            stories=rng.sample(big, 1),
        ),
    )
    return ReaderSignals(tuple(signals)), follows


def brute_force_page(
    reader: ReaderSignals,
    follows: FollowSet,
    corpus: Corpus,
    now: float,
    top: dict[Any, float],
    cfg: ForYouSettings,
) -> list[Any]:
    """The same ranking over every eligible article (no candidate generation)."""
    profile = build_profile(reader, corpus, now, cfg)
    eligible = cand.eligible_mask(corpus, follows, now_ts=now, exclude=reader.article_ids, cfg=cfg)
    slots = np.flatnonzero(eligible)
    scores = score_slots(
        profile, corpus, slots, now_ts=now, followed=follows.followed, top_stories=top, cfg=cfg
    )
    order = np.lexsort((-corpus.index.ts[slots], -scores.score))
    kept = diversify(
        order,
        corpus.publisher_codes[slots],
        corpus.story_codes[slots],
        max_per_publisher=cfg.max_per_publisher,
        limit=cfg.page_size,
    )
    return [corpus.index.ids[int(slots[p])] for p in kept]


def cached_window(
    size: int, reads: int, seed: int, cache: Path | None
) -> tuple[Corpus, list[ArticleVector], float]:
    """`build_window`, or its pickle from an earlier run with the same arguments (vectorising
    100,000 articles takes minutes). The pickle is of our own objects, written by this script."""
    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            key, corpus, old_vectors, now = pickle.load(fh)
        if key == (size, reads, seed):
            corpus.index.model = SimilarityModel()  # the backend is not pickled
            return corpus, old_vectors, now
    corpus, old_vectors, now = build_window(size, reads, seed)
    if cache is not None:
        model, corpus.index.model = corpus.index.model, None
        with cache.open("wb") as fh:
            pickle.dump(((size, reads, seed), corpus, old_vectors, now), fh, protocol=5)
        corpus.index.model = model
    return corpus, old_vectors, now


def bench_latency(
    size: int, reads: int, rounds: int, seed: int, cache: Path | None = None
) -> dict[str, Any]:
    cfg = ForYouSettings.from_settings()
    t0 = time.perf_counter()
    corpus, old_vectors, now = cached_window(size, reads, seed, cache)
    setup_s = time.perf_counter() - t0
    stories = Counter(m.story_id for m in corpus.meta.values())
    top = {s: float(n) for s, n in stories.most_common(30)}
    readers = [make_reader(corpus, old_vectors, reads, now, seed + r) for r in range(READERS)]
    for reader, follows in readers:  # warm-up: first-touch page faults, lazy imports
        build_feed(reader, follows, corpus, now_ts=now, top_stories=top, cfg=cfg)
    costs: list[float] = []
    cpu: list[float] = []
    cached: list[float] = []
    phases: dict[str, float] = {}
    candidates: list[int] = []
    reasons: Counter[str] = Counter()
    for _ in range(rounds):
        for reader, follows in readers:
            t1, c1 = time.perf_counter(), time.process_time()
            feed = build_feed(
                reader, follows, corpus, now_ts=now, top_stories=top, cfg=cfg, timings=phases
            )
            costs.append(time.perf_counter() - t1)
            cpu.append(time.process_time() - c1)
            candidates.append(feed.candidates)
    # With the reader's profile kept between pages (it changes only when they do something).
    profiles = [build_profile(reader, corpus, now, cfg) for reader, _ in readers]
    for _ in range(rounds):
        for (reader, follows), profile in zip(readers, profiles, strict=True):
            t1 = time.perf_counter()
            build_feed(
                reader, follows, corpus, now_ts=now, top_stories=top, cfg=cfg, profile=profile
            )
            cached.append(time.perf_counter() - t1)
    for item in feed.items:
        if item.reason is not None:
            reasons[item.reason.kind.value] += 1
    brute_costs, overlaps = [], []
    for reader, follows in readers:
        t1 = time.perf_counter()
        page = brute_force_page(reader, follows, corpus, now, top, cfg)
        brute_costs.append(time.perf_counter() - t1)
        fast = build_feed(reader, follows, corpus, now_ts=now, top_stories=top, cfg=cfg)
        overlaps.append(len(set(page) & {i.article_id for i in fast.items}) / max(len(page), 1))
    ms = sorted(1000 * c for c in costs)
    n = len(costs)
    cached_ms = sorted(1000 * c for c in cached)
    return {
        "window": len(corpus.index),
        "reads": reads,
        "readers": READERS,
        "page_builds": n,
        "setup_s": setup_s,
        "page_ms_median": statistics.median(ms),
        "page_ms_p95": ms[int(0.95 * (n - 1))],
        "page_cpu_ms_median": statistics.median(1000 * c for c in cpu),
        "cached_profile_page_ms_median": statistics.median(cached_ms),
        "cached_profile_page_ms_p95": cached_ms[int(0.95 * (len(cached_ms) - 1))],
        "phases_ms_mean": {k: 1000 * v / n for k, v in phases.items()},
        "candidates_mean": statistics.mean(candidates),
        "last_page_reasons": dict(reasons),
        "brute_force_ms_median": statistics.median(1000 * c for c in brute_costs),
        "page_overlap_with_brute_force": statistics.mean(overlaps),
        "goal_ms": GOAL_MS,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_quality(seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mind"
        counts = write_fixture(folder, seed=seed)
        report = evaluate(folder, seed=seed)
    return {"fixture": counts, **report.as_dict(), "nrms_reference_auc": NRMS_REFERENCE_AUC}


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--window-cache",
        type=Path,
        default=None,
        help="Pickle the vectorised window here, and reuse it on the next run with the same "
        "--size, --reads and --seed.",
    )
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": machine()}
    if not args.skip_quality:
        q = report["quality"] = bench_quality(args.seed)
        print(f"MIND-format fixture: {q['news']} news, {q['impressions']} impressions")
        print(f"  {'method':<22} {'AUC':>7} {'MRR':>7} {'nDCG@5':>7} {'nDCG@10':>8}")
        for name, m in q["results"].items():
            print(
                f"  {name:<22} {m['auc']:7.4f} {m['mrr']:7.4f} {m['ndcg5']:7.4f} {m['ndcg10']:8.4f}"
            )
    if not args.skip_latency:
        r = report["latency"] = bench_latency(
            args.size, args.reads, args.rounds, args.seed, args.window_cache
        )
        print(
            f"Page for a reader with {r['reads']} reads over {r['window']:,} articles: "
            f"median {r['page_ms_median']:.1f} ms, p95 {r['page_ms_p95']:.1f} ms "
            f"(goal <= {GOAL_MS:.0f} ms; {r['page_builds']} builds, "
            f"{r['candidates_mean']:.0f} candidates scored on average)"
        )
        print(
            f"  CPU time median {r['page_cpu_ms_median']:.1f} ms; with the profile kept: median "
            f"{r['cached_profile_page_ms_median']:.1f} ms, "
            f"p95 {r['cached_profile_page_ms_p95']:.1f} ms"
        )
        print("  phases (mean ms): " + ", ".join(
            f"{k} {v:.1f}" for k, v in r["phases_ms_mean"].items()
        ))  # fmt: skip
        print(
            "  baseline, every eligible article scored: "
            f"median {r['brute_force_ms_median']:.1f} ms; the fast page has "
            f"{100 * r['page_overlap_with_brute_force']:.0f}% of its articles"
        )
        print(
            f"  peak RSS {r['peak_rss_mib']:.0f} MiB; "
            f"setup (synthesise + vectorise) {r['setup_s']:.0f} s"
        )
    report["machine"]["load_average_at_end"] = os.getloadavg()
    print(
        f"Load average at start {report['machine']['load_average_at_start']}, at end "
        f"{report['machine']['load_average_at_end']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
