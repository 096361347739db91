"""A small MIND-format folder built from the shared real articles, with synthetic readers.

Used by tests/foryou (the For You ranker must beat random clearly) and by bench/recommend.py
(the fixture's metrics beside the baselines, in docs/benchmarks.md).

News. The hand-cleaned articles of extraction/naeb-dev (title, body, site) whose site is clearly
about one subject, grouped by that subject (`TOPIC_SITES`; general news sites are left out):
sports, technology, science, games, entertainment, politics, cars, style, business. news.tsv
gets the topic as category, the site as subcategory, the title, and the body's first
`ABSTRACT_WORDS` words as the abstract.

Readers. Each synthetic user has one or two topics of interest. Their history is
`HISTORY_ITEMS` articles, mostly (1 - `HISTORY_NOISE`) from their topics; each impression shows
`CANDIDATES` articles not in their history, at least two from their topics, and the user clicks
an on-topic candidate with probability `CLICK_ON_TOPIC` and any other with `CLICK_OFF_TOPIC`
(every impression has at least one click and one non-click). Nothing is tuned to the ranker:
a content model can only win by finding the topic in the text.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

SHARED = Path(
    os.environ.get("NEWSSTAND_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
ABSTRACT_WORDS = 60
HISTORY_ITEMS = (4, 12)
HISTORY_NOISE = 0.15
CANDIDATES = (8, 16)
CLICK_ON_TOPIC = 0.5
CLICK_OFF_TOPIC = 0.04
MIN_TOPIC_ARTICLES = 8
START = datetime(2019, 11, 15, 6, 0, tzinfo=UTC)

TOPIC_SITES: dict[str, tuple[str, ...]] = {
    "sports": (
        "foxsports.com", "sportingnews.com", "cbssports.com", "espn.co.uk", "nascar.com",
        "nba.com", "nfl.com", "rivals.com", "sbnation.com", "tennis.com",
    ),
    "technology": (
        "arstechnica.com", "cnet.com", "computerworld.com", "digitaltrends.com",
        "engadget.com", "extremetech.com", "infoworld.com", "macworld.com", "maximumpc.com",
        "pcmag.com", "pcworld.com", "techcrunch.com", "theverge.com", "venturebeat.com",
        "zdnet.com", "washingtontechnology.com",
    ),
    "science": (
        "discovermagazine.com", "phys.org", "sciencemag.org", "nasa.gov", "sci-news.com",
        "sciencedaily.com", "scientificamerican.com", "space.com", "technologyreview.com",
    ),
    "games": (
        "kotaku.com", "animenewsnetwork.com", "escapistmagazine.com", "eurogamer.net",
        "gamespot.com", "ign.com", "pcgamer.com", "gamesradar.com",
    ),
    "entertainment": (
        "celebuzz.com", "egotastic.com", "perezhilton.com", "billboard.com", "ew.com",
        "people.com", "rollingstone.com", "theboot.com", "tmz.com", "usmagazine.com",
        "variety.com", "intouchweekly.com",
    ),
    "politics": (
        "heritage.org", "hotair.com", "politicker.com", "thehill.com", "townhall.com",
        "washingtonindependent.com", "washingtontimes.com", "newrepublic.com", "politico.eu",
        "politifact.com", "realclearpolitics.com",
    ),
    "cars": ("autoblog.com", "theautochannel.com", "topgear.com", "topspeed.com"),
    "style": (
        "cosmopolitan.com", "elle.com", "glam.com", "glamour.com", "gq.com", "purseblog.com",
        "teenvogue.com", "vogue.co.uk",
    ),
    "business": (
        "marketwatch.com", "morningstar.com", "thestreet.com", "foxbusiness.com",
        "forbes.com", "forbesindia.com", "fastcompany.com", "economist.com",
    ),
}  # fmt: skip
_TOPIC_OF = {site: topic for topic, sites in TOPIC_SITES.items() for site in sites}


def _site(url: str) -> str:
    host = urlparse(url if "//" in url else f"http://{url}").netloc.lower()
    return host.removeprefix("www.")


def _clean(text: str) -> str:
    return " ".join(text.split())  # no tabs or newlines inside a TSV field


def topical_articles(shared: Path = SHARED) -> list[dict[str, str]]:
    """naeb-dev articles of the topical sites: id, topic, site, title, abstract."""
    data = json.loads((shared / "extraction" / "naeb-dev" / "articles.json").read_text())
    out = []
    for key in sorted(data):
        item = data[key]
        topic = _TOPIC_OF.get(_site(item.get("site") or ""))
        title = _clean(item.get("title") or "")
        body = _clean(item.get("articleBody") or "")
        if topic and title and body:
            abstract = " ".join(body.split()[:ABSTRACT_WORDS])
            out.append(
                {"topic": topic, "site": _site(item["site"]), "title": title, "abstract": abstract}
            )
    for i, a in enumerate(out, 1):
        a["id"] = f"N{i}"
    return out


def write_fixture(
    folder: Path,
    *,
    users: int = 60,
    impressions_per_user: int = 3,
    seed: int = 7,
    shared: Path = SHARED,
) -> dict[str, int]:
    """Write news.tsv and behaviors.tsv into `folder`; returns counts."""
    rng = random.Random(seed)
    articles = topical_articles(shared)
    by_topic: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        by_topic[a["topic"]].append(a["id"])
    topic_of = {a["id"]: a["topic"] for a in articles}
    all_ids = [a["id"] for a in articles]
    # A reader's topic must keep unseen articles for their impressions after their history.
    topics = sorted(t for t, ids in by_topic.items() if len(ids) >= MIN_TOPIC_ARTICLES)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "news.tsv").open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(
                "\t".join(
                    [a["id"], a["topic"], a["site"], a["title"], a["abstract"],
                     f"https://{a['site']}/", "[]", "[]"]
                ) + "\n"
            )  # fmt: skip
    rows = []
    impression_id = 0
    for u in range(1, users + 1):
        interests = set(rng.sample(topics, rng.choice((1, 1, 2))))
        liked = [i for t in sorted(interests) for i in by_topic[t]]
        n_hist = rng.randint(*HISTORY_ITEMS)
        history: list[str] = []
        on_topic = 0
        while len(history) < n_hist:
            noise = rng.random() < HISTORY_NOISE or on_topic >= len(liked) // 2
            pick = rng.choice(all_ids if noise else liked)
            if pick not in history:
                history.append(pick)
                on_topic += topic_of[pick] in interests
        unseen = [i for i in all_ids if i not in history]
        unseen_liked = [i for i in unseen if topic_of[i] in interests]
        for _ in range(impressions_per_user):
            n = rng.randint(*CANDIDATES)
            shown = set(rng.sample(unseen_liked, min(len(unseen_liked), rng.randint(2, 4))))
            shown.update(rng.sample(unseen, n))
            # Sorted before the shuffle: a set's order changes with every process's hash seed.
            cands = sorted(shown, key=lambda c: int(c[1:]))
            rng.shuffle(cands)
            labels = [
                int(
                    rng.random() < (CLICK_ON_TOPIC if topic_of[c] in interests else CLICK_OFF_TOPIC)
                )
                for c in cands
            ]
            if not any(labels):
                on = [k for k, c in enumerate(cands) if topic_of[c] in interests]
                labels[rng.choice(on)] = 1
            if all(labels):
                labels[rng.randrange(len(labels))] = 0
            impression_id += 1
            when = START + timedelta(seconds=rng.randrange(18 * 3600))
            rows.append((
                str(impression_id), f"U{u}",
                when.strftime("%m/%d/%Y %I:%M:%S %p").lstrip("0").replace("/0", "/"),
                " ".join(history),
                " ".join(f"{c}-{y}" for c, y in zip(cands, labels, strict=True)),
            ))  # fmt: skip
    with (folder / "behaviors.tsv").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write("\t".join(row) + "\n")
    return {"news": len(articles), "impressions": len(rows), "users": users}


if __name__ == "__main__":
    import sys

    print(write_fixture(Path(sys.argv[1])))
