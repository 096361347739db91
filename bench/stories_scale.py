"""Stories benchmark, scale section: clustering a synthetic window of 10k-300k articles.

Run:  .venv/bin/python -m bench.stories --scale [--sizes 10000,30000,100000] [--jobs 2]
      (one size in this process: .venv/bin/python -m bench.stories_scale --size 100000)

Each size runs in its own process so its peak RSS (ru_maxrss) is its own. The pure path only:
no database, the same `StoryClusterer` / `recluster` code the actions use.

Corpus. The real article texts of extraction/aeb and naeb-dev (about 380, ~5,000 paragraphs)
are recombined into synthetic events, and each event is written up 1..40 times:
  event        paragraphs drawn from three different real articles (a headline from the first),
               then a third of its word types replaced, everywhere in the event, by invented
               words (names, places, figures no other event shares) - without this, events built
               from the same real paragraphs would be the same event to any text similarity;
  size         half of the events are singletons, the rest Zipf-like (1 + geometric, capped 40);
  write-up     paragraphs dropped (30%) and reordered, 10% of words swapped for words of other
               articles, the headline shuffled and cut, a publisher's boilerplate added; 10% of
               write-ups are near-verbatim wire copies (boilerplate only);
  time         events start uniformly over the 3-day window, write-ups follow within hours
               (exponential, mean 6 h).
Quality is reported as pairwise precision/recall of "same story" against the events.

Measured, one process pinned to one thread for the incremental part:
  vectorise    `SimilarityModel.vectorize` in batches of 500 (setup, reported for scale);
  recluster    `clustering_engine.recluster` over the whole window with --jobs forked processes
               (neighbour lists) and the replay in publication order; goal <= 120 s at 100k;
  incremental  2,000 further articles after the window is full, one at a time: vectorise one
               + decide + record (the `assign_stories` path minus the database), median / p95;
               goal <= 5 ms at 100k. The wire-copy sketch (`WireCopyIndex.add`) is measured on
               the same articles against an index of the newest 20,000 and reported separately.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HOUR = 3600.0
WINDOW_S = 3 * 24 * HOUR
T0 = 1_750_000_000.0
INCREMENTAL = 2_000
COPY_INDEX_SIZE = 20_000
_SYLLABLES = [
    "ka", "lo", "mir", "ven", "dra", "sul", "tek", "ori", "bas", "quen", "zor", "lin", "hav",
    "pet", "rus", "gal", "dim", "sor", "vek", "nal", "tiv", "ber", "cha", "mon", "fel", "jun",
]  # fmt: skip
BOILERPLATE = [
    "Sign up for our daily newsletter.",
    "Follow us on social media for the latest updates.",
    "This article was updated with additional reporting.",
    "Advertisement",
    "Reporting by our correspondents; editing by the news desk.",
]


# Each event mixes a few sentences from this many different real articles: with ~11,000 real
# sentences, two events then share a sentence now and then, never most of their text.
EVENT_SOURCES = 5
SWAP_FRACTION = 0.3


def _sentences(paras: list[str]) -> list[str]:
    out = [s.strip() + "." for p in paras for s in p.split(". ") if len(s.split()) >= 5]
    return out or paras


def _pseudo_word(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    return word.capitalize() if rng.random() < 0.5 else word


def synthesise(n: int, seed: int) -> tuple[list[str], list[float], list[int]]:
    """`n` article texts (headline line + body), their times, and their true event ids."""
    from bench.stories import load_articles, paragraphs

    rng = random.Random(seed)
    sources = [(h, _sentences(paragraphs(b))) for h, b in load_articles() if b]
    all_words = [w for _, ss in sources for s in ss for w in s.split()]
    texts: list[str] = []
    times: list[float] = []
    events: list[int] = []
    event = 0
    while len(texts) < n:
        picks = rng.sample(sources, EVENT_SOURCES)
        parts = []
        for _, sents in picks:
            start = rng.randrange(len(sents))
            parts.extend(sents[start : start + rng.randint(1, 3)])
        headline = " ".join(parts[0].split()[:12])
        paras = [" ".join(parts[i : i + 3]) for i in range(0, len(parts), 3)]
        vocab = {w for p in [headline, *paras] for w in p.split()}
        swap = {w: _pseudo_word(rng) for w in vocab if rng.random() < SWAP_FRACTION}
        headline = " ".join(swap.get(w, w) for w in headline.split())
        paras = [" ".join(swap.get(w, w) for w in p.split()) for p in paras]
        size = 1 if rng.random() < 0.5 else min(40, 1 + int(rng.expovariate(1 / 4)) + 1)
        start_ts = T0 + rng.uniform(0, WINDOW_S)
        for _ in range(min(size, n - len(texts))):
            texts.append(_write_up(headline, paras, rng, all_words))
            times.append(start_ts + rng.expovariate(1 / (6 * HOUR)))
            events.append(event)
        event += 1
    order = sorted(range(n), key=times.__getitem__)
    return [texts[i] for i in order], [times[i] for i in order], [events[i] for i in order]


def _write_up(headline: str, paras: list[str], rng: random.Random, words: list[str]) -> str:
    if rng.random() < 0.1:  # a wire copy
        return headline + "\n" + "\n".join([*paras, rng.choice(BOILERPLATE)])
    kept = [p for p in paras if rng.random() > 0.3] or paras[:1]
    if len(kept) > 2 and rng.random() < 0.5:
        head, rest = kept[0], kept[1:]
        rng.shuffle(rest)
        kept = [head, *rest]
    kept = [
        " ".join(rng.choice(words) if rng.random() < 0.1 else w for w in p.split()) for p in kept
    ]
    h = headline.split()
    rng.shuffle(h)
    h = h[: max(4, len(h) - rng.randint(0, 3))]
    return " ".join(h) + "\n" + "\n".join([rng.choice(BOILERPLATE), *kept])


def pairwise(truth: list[int], pred: list[Any]) -> dict[str, float]:
    from collections import Counter

    def pairs(labels: list[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in Counter(labels).values())

    both = pairs(list(zip(truth, pred, strict=True)))
    t, p = pairs(truth), pairs(pred)
    return {"precision": both / p if p else 1.0, "recall": both / t if t else 1.0}


def run_one(size: int, jobs: int, seed: int) -> dict[str, Any]:
    """Everything for one window size, in this process."""
    from newsstand.stories.clustering_engine import (
        ArticleInfo,
        ClusterConfig,
        StoryClusterer,
        recluster,
    )
    from newsstand.stories.text import ArticleText
    from newsstand.stories.wirecopy import WireCopyIndex

    t0 = time.perf_counter()
    texts, times, events = synthesise(size + INCREMENTAL, seed)
    t_synth = time.perf_counter() - t0
    clusterer = StoryClusterer(
        cfg=ClusterConfig(window_days=WINDOW_S / (24 * HOUR)), detect_copies=False
    )
    articles = [ArticleText.from_combined(t) for t in texts]
    t0 = time.perf_counter()
    vectors = []
    for i in range(0, size, 500):
        vectors.extend(clusterer.vectorize(articles[i : min(size, i + 500)]))
    t_vec = time.perf_counter() - t0
    items = [(ArticleInfo(i, times[i]), vectors[i], None) for i in range(size)]

    t0 = time.perf_counter()
    phases: dict[str, float] = {}
    labels = recluster(clusterer, items, jobs=jobs, timings=phases)
    t_cluster = time.perf_counter() - t0
    quality = pairwise(events[:size], [labels[i] for i in range(size)])

    costs, story_of = [], dict(labels)
    for i in range(size, size + INCREMENTAL):
        t1 = time.perf_counter()
        vector = clusterer.vectorize([articles[i]])[0]
        _, story = clusterer.assign(
            ArticleInfo(i, times[i]), vector, lambda d: ("new", d.article_id)
        )
        costs.append(time.perf_counter() - t1)
        story_of[i] = story
    tail = list(range(size, size + INCREMENTAL))
    inc_quality = pairwise([events[i] for i in tail], [story_of[i] for i in tail])

    copies = WireCopyIndex(window_s=WINDOW_S)
    for i in range(max(0, size - COPY_INDEX_SIZE), size):
        copies.add(i, texts[i], None)
    copy_costs = []
    for i in tail:
        t1 = time.perf_counter()
        copies.add(i, texts[i], None)
        copy_costs.append(time.perf_counter() - t1)

    ms = sorted(1000 * c for c in costs)
    cms = sorted(1000 * c for c in copy_costs)
    return {
        "size": size,
        "events": len(set(events[:size])),
        "stories": len(set(labels.values())),
        "synthesise_s": t_synth,
        "vectorise_s": t_vec,
        "vectorise_ms_per_article": 1000 * t_vec / size,
        "recluster_s": t_cluster,
        "recluster_jobs": jobs,
        "recluster_phases_s": phases,
        "recluster_pairwise": quality,
        "incremental_ms_median": statistics.median(ms),
        "incremental_ms_p95": ms[int(0.95 * (len(ms) - 1))],
        "incremental_pairwise": inc_quality,
        "wirecopy_add_ms_median": statistics.median(cms),
        "wirecopy_add_ms_p95": cms[int(0.95 * (len(cms) - 1))],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_scale(sizes: list[int], jobs: int, seed: int) -> dict[str, Any]:
    """Each size in a fresh process (clean peak memory); results as a dict by size."""
    rows = []
    for size in sizes:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.stories_scale",
                "--size",
                str(size),
                "--jobs",
                str(jobs),
                "--seed",
                str(seed),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print_row(row)
        rows.append(row)
    return {"rows": rows, "goals": {"incremental_ms_at_100k": 5.0, "recluster_s_at_100k": 120.0}}


def print_header() -> None:
    print(
        f"  {'window':>7} {'stories':>7} {'vec ms/a':>8} {'recluster':>10} {'P / R':>11}"
        f" {'assign med/p95 ms':>18} {'copy med/p95 ms':>16} {'peak MiB':>9}"
    )


def print_row(r: dict[str, Any]) -> None:
    q = r["recluster_pairwise"]
    print(
        f"  {r['size']:>7} {r['stories']:>7} {r['vectorise_ms_per_article']:>8.2f}"
        f" {r['recluster_s']:>9.1f}s {q['precision']:>5.3f}/{q['recall']:.3f}"
        f" {r['incremental_ms_median']:>8.2f} / {r['incremental_ms_p95']:<7.2f}"
        f" {r['wirecopy_add_ms_median']:>6.2f} / {r['wirecopy_add_ms_p95']:<6.2f}"
        f" {r['peak_rss_mib']:>9.0f}",
        flush=True,
    )


def main() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description="One window size of the stories scale bench.")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    np.random.seed(args.seed)
    print(json.dumps(run_one(args.size, args.jobs, args.seed)))


if __name__ == "__main__":
    main()
