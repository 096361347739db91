"""Stories on real coverage: SemEval-2022 English pairs as two publishers' pages, over HTTP.

Run:  .venv/bin/python -m bench.stories_pairs [--seed 7] [--database-url URL]
      (also run by `-m bench.stories`; results in bench/results/stories_pairs.json)

Every pair of similarity/semeval2022-en/pairs.csv becomes a page of publisher A (text1) and
one of publisher B (text2), dated within the last 60 hours (bench/semeval_site.py). A local
publisher web serves them with an RSS feed each; Newsstand ingests both feeds through the
normal pipeline (`refresh_feed`: fetch, extract, store, then the `articles_stored` hook assigns
stories), into a fresh database (SQLite in a temporary data dir unless --database-url).

Then, for every pair: do the two articles share a story, and does either article's page list
the other (its story, or itself) in Related Stories (`coverage.related_for`, what the page
renders)? Goals: pairs annotators scored Overall <= 1.5 (same event) in one story or linked,
>= 95%; pairs scored >= 3.5 (unrelated) sharing a story, <= 1.5%.

The Related floor (`ClusterConfig.related_floor`) is tuned on one half of the pairs (chosen by
a hash of the pair id and --seed): the highest floor (the fewest links, so the least filler)
at which that half still meets the same-event goal. The other half is held out and reported at
that floor, beside the figures at the configured floor.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402 -- after the thread limits above
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench.semeval_site import Page, Pair, feed_xml, load_pairs, page_html, pages_for  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA", REPO.parent / "shared" / "data"))
PAIRS = SHARED / "similarity" / "semeval2022-en" / "pairs.csv"
RESULTS = REPO / "bench" / "results" / "stories_pairs.json"
# Related floors tried when tuning (links are stored from `ClusterConfig.link_floor` up).
FLOORS = tuple(round(0.30 + 0.025 * i, 3) for i in range(13))
GOAL_SAME = 0.95
GOAL_UNRELATED_SHARED = 0.015


@dataclass
class Outcome:
    """What became of one pair."""

    pair_id: str
    overall: float
    half: int
    ingested: bool
    same_story: bool = False
    # Related floors at which either page lists the other.
    linked_at: list[float] = field(default_factory=list)

    def together(self, floor: float) -> bool:
        return self.same_story or floor in self.linked_at


# --- serving and ingesting -------------------------------------------------------------------


def serve(web: Any, pages: Iterable[Page]) -> dict[str, str]:
    """Put the pages and one feed per publisher on `web` (a PublisherWeb); publisher -> feed URL."""
    by_publisher: dict[str, list[Page]] = {}
    for page in pages:
        url = web.url(page.path)
        web.add(
            page.path, page_html(page, url), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        by_publisher.setdefault(page.publisher, []).append(page)
    feeds = {}
    for publisher, items in sorted(by_publisher.items()):
        path = f"/{publisher}/feed.xml"
        name = f"Publisher {publisher.upper()}"
        feeds[publisher] = web.add(
            path,
            feed_xml(items, web.base_url, name),
            headers={"Content-Type": "application/rss+xml"},
        )
    return feeds


def ingest(feeds: dict[str, str]) -> dict[str, int]:
    """Ingest each publisher's feed through `refresh_feed`; publisher -> new articles."""
    from newsstand.ingest.actions import refresh_feed
    from newsstand.sources.models import Feed, Publisher

    new = {}
    for publisher, url in feeds.items():
        pub = Publisher.objects.create(
            name=f"Publisher {publisher.upper()}", slug=f"pub-{publisher}"
        )
        feed = Feed.objects.create(publisher=pub, url=url)
        report = refresh_feed(feed.pk, force=True)
        new[publisher] = report.new_articles
    return new


# --- measuring -----------------------------------------------------------------------------


def outcomes(
    pairs: Sequence[Pair], pages: dict[str, Page], base_url: str, seed: int, floors: Sequence[float]
) -> list[Outcome]:
    """Each pair's story and Related links, reading pages as `related_for` builds them."""
    from django.conf import settings
    from django.test import override_settings

    from newsstand.articles.models import Article
    from newsstand.stories.coverage import related_for

    by_url = {a.url: a for a in Article.objects.select_related("publisher")}
    article_of = {text: by_url.get(base_url + page.path) for text, page in pages.items()}
    # Per floor, per article: the URLs its Related block lists.
    lists: dict[float, dict[int, set[str]]] = {}
    base = dict(getattr(settings, "NEWSSTAND_STORIES", {}) or {})
    for floor in floors:
        with override_settings(NEWSSTAND_STORIES={**base, "related_floor": floor}):
            lists[floor] = {
                a.pk: {item.url for item in related_for(a)[0]}
                for a in article_of.values()
                if a is not None
            }
    out = []
    for pair in pairs:
        a1, a2 = article_of.get(pair.text1), article_of.get(pair.text2)
        result = Outcome(
            pair.pair_id, pair.overall, pair.half(seed), a1 is not None and a2 is not None
        )
        if a1 is not None and a2 is not None:
            result.same_story = a1.story_id is not None and a1.story_id == a2.story_id
            for floor in floors:
                if _lists(lists[floor][a1.pk], a2) or _lists(lists[floor][a2.pk], a1):
                    result.linked_at.append(floor)
        out.append(result)
    return out


def _lists(urls: set[str], article: Any) -> bool:
    story = f"/stories/{article.story_id}/" if article.story_id else None
    return article.get_absolute_url() in urls or (story is not None and story in urls)


def rates(results: Sequence[Outcome], floor: float) -> dict[str, Any]:
    same = [r for r in results if r.ingested and r.overall <= 1.5]
    unrelated = [r for r in results if r.ingested and r.overall >= 3.5]
    return {
        "floor": floor,
        "same_event_pairs": len(same),
        "same_event_together": _share(r.together(floor) for r in same),
        "same_event_one_story": _share(r.same_story for r in same),
        "unrelated_pairs": len(unrelated),
        "unrelated_shared_story": _share(r.same_story for r in unrelated),
        "unrelated_linked": _share(floor in r.linked_at for r in unrelated),
    }


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def tune(results: Sequence[Outcome], floors: Sequence[float]) -> float:
    """The highest floor at which the same-event goal holds (the lowest floor if none does)."""
    meeting = [f for f in floors if rates(results, f)["same_event_together"] >= GOAL_SAME]
    return max(meeting) if meeting else min(floors)


# --- the run ---------------------------------------------------------------------------------


def run(seed: int, database_url: str) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="newsstand-pairs-")
    os.environ["NEWSSTAND_DATA_DIR"] = data_dir
    os.environ["NEWSSTAND_DATABASE_URL"] = database_url or f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["NEWSSTAND_ALLOW_PRIVATE_URLS"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from tests.httpserver import PublisherWeb

    from newsstand.stories.clustering_engine import ClusterConfig
    from newsstand.stories.models import Story

    call_command("migrate", "--no-input", verbosity=0)
    if database_url:
        call_command("flush", "--no-input", verbosity=0)
    pairs = load_pairs(PAIRS)
    pages = pages_for(pairs, timezone.now(), seed)
    web = PublisherWeb().start()
    try:
        feeds = serve(web, pages.values())
        started = time.perf_counter()
        new = ingest(feeds)
        ingest_s = time.perf_counter() - started
        results = outcomes(pairs, pages, web.base_url, seed, FLOORS)
    finally:
        web.stop()
    configured = ClusterConfig.from_settings().related_floor
    train = [r for r in results if r.half == 0]
    held_out = [r for r in results if r.half == 1]
    tuned = tune(train, FLOORS)
    return {
        "pairs": len(pairs),
        "pages": len(pages),
        "new_articles": new,
        "ingest_s": round(ingest_s, 1),
        "stories": Story.objects.count(),
        "configured_floor": configured,
        "all_at_configured": rates(results, configured),
        "tuned_on_half_0": tuned,
        "train_at_tuned": rates(train, tuned),
        "held_out_at_tuned": rates(held_out, tuned),
        "held_out_at_configured": rates(held_out, configured),
        "by_floor": [rates(results, f) for f in FLOORS],
        "train_by_floor": [rates(train, f) for f in FLOORS],
        "misses": [
            asdict(r)
            for r in results
            if r.ingested and r.overall <= 1.5 and not r.together(configured)
        ],
        "unrelated_together": [
            asdict(r) for r in results if r.ingested and r.overall >= 3.5 and r.same_story
        ],
    }


def print_report(report: dict[str, Any]) -> None:
    print(
        f"SemEval-2022 en pairs as pages: {report['pairs']} pairs, {report['pages']} pages, "
        f"new articles {report['new_articles']}, ingest {report['ingest_s']} s, "
        f"{report['stories']} stories"
    )
    print(
        f"  {'floor':>6} {'same: together':>15} {'same: 1 story':>14} "
        f"{'unrel: story':>13} {'unrel: linked':>14}"
    )
    for row in report["by_floor"]:
        print(
            f"  {row['floor']:>6.3f} {row['same_event_together']:>15.3f} "
            f"{row['same_event_one_story']:>14.3f} {row['unrelated_shared_story']:>13.3f} "
            f"{row['unrelated_linked']:>14.3f}"
        )
    for key in (
        "all_at_configured",
        "train_at_tuned",
        "held_out_at_tuned",
        "held_out_at_configured",
    ):
        row = report[key]
        print(
            f"  {key:<24} floor {row['floor']:.3f}: same-event together "
            f"{row['same_event_together']:.3f} of {row['same_event_pairs']} (goal >= {GOAL_SAME}); "
            f"unrelated sharing a story {row['unrelated_shared_story']:.3f} of "
            f"{row['unrelated_pairs']} (goal <= {GOAL_UNRELATED_SHARED}); unrelated linked "
            f"{row['unrelated_linked']:.3f}"
        )
    print(
        f"  floor tuned on half 0: {report['tuned_on_half_0']}; "
        f"configured: {report['configured_floor']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="Default: SQLite in a temp dir.")
    args = parser.parse_args()
    report = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
            "when": datetime.now().isoformat(timespec="seconds"),
        },
        **run(args.seed, args.database_url),
    }
    print_report(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
