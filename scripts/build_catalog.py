"""Build src/newsstand/sources/data/default_catalog.json from the awesome-rss-feeds OPML lists.

    python scripts/build_catalog.py [--source DIR] [--output FILE]

The source is CC0 (github.com/plenaryapp/awesome-rss-feeds). Countries come from
countries/with_category/<Country>.opml, topics from recommended/with_category/<Topic>.opml.
Feeds are deduplicated by URL and grouped into publishers by site (see sources.catalog).
Podcasts, video channels and forums are left out (`sources.catalog.is_news_feed`), and so are
link aggregators (`sources.catalog.is_aggregator`: Google News, Hacker News, ...); names follow
the rules of `sources.naming`, then `sources.catalog.NAME_OVERRIDES` where the rules fall short;
entries left with one name in one country are one publisher (`sources.catalog.merge_namesakes`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")

from newsstand.sources.catalog import (  # noqa: E402
    NAME_OVERRIDES,
    CatalogFeed,
    CatalogPublisher,
    is_aggregator,
    is_news_feed,
    merge_namesakes,
    publisher_name,
    site_key,
    slug_for_site,
)
from newsstand.sources.opml import parse_opml  # noqa: E402

DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "catalog" / "awesome-rss-feeds"
DEFAULT_OUTPUT = REPO / "src" / "newsstand" / "sources" / "data" / "default_catalog.json"

# Only where one language clearly dominates a country's news; multilingual ones stay blank.
COUNTRY_LANGUAGE = {
    "Australia": "en",
    "Brazil": "pt",
    "France": "fr",
    "Germany": "de",
    "Indonesia": "id",
    "Ireland": "en",
    "Italy": "it",
    "Japan": "ja",
    "Mexico": "es",
    "Nigeria": "en",
    "Philippines": "en",
    "Poland": "pl",
    "Russia": "ru",
    "South Africa": "en",
    "Spain": "es",
    "United Kingdom": "en",
    "United States": "en",
}


def build(source: Path) -> dict[str, object]:
    titles: dict[str, str] = {}
    dropped: set[str] = set()
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    topics: dict[str, set[str]] = defaultdict(set)
    for kind in ("countries", "recommended"):
        for path in sorted((source / kind / "with_category").glob("*.opml")):
            for outline in parse_opml(path.read_bytes()):
                url = outline.xml_url.strip()
                if (
                    url in dropped
                    or is_aggregator(url)
                    or not is_news_feed(url, outline.title, outline.description)
                ):
                    dropped.add(url)
                    titles.pop(url, None)
                    continue
                titles.setdefault(url, outline.title)
                if kind == "countries":
                    countries[url][path.stem] += 1
                else:
                    topics[url].add(path.stem)
    by_site: dict[str, list[str]] = defaultdict(list)
    for url in titles:
        by_site[site_key(url)].append(url)
    entries = []
    for key, urls in sorted(by_site.items()):
        country_votes: Counter[str] = Counter()
        for url in urls:
            country_votes.update(countries[url])
        country = country_votes.most_common(1)[0][0] if country_votes else ""
        slug = slug_for_site(key)
        entries.append(
            CatalogPublisher(
                slug=slug,
                name=NAME_OVERRIDES.get(slug) or publisher_name([titles[u] for u in urls], key),
                country=country,
                language=COUNTRY_LANGUAGE.get(country, ""),
                topics=tuple(sorted({t for u in urls for t in topics[u]})),
                feeds=tuple(CatalogFeed(url=u, title=titles[u]) for u in sorted(urls)),
            )
        )
    publishers = [
        {
            "slug": p.slug,
            "name": p.name,
            "homepage": p.homepage,
            "country": p.country,
            "language": p.language,
            "topics": list(p.topics),
            "feeds": [{"url": f.url, "title": f.title} for f in p.feeds],
        }
        for p in merge_namesakes(entries)
    ]
    return {
        "source": "https://github.com/plenaryapp/awesome-rss-feeds (CC0-1.0)",
        "generated_by": "scripts/build_catalog.py",
        "publisher_count": len(publishers),
        "feed_count": len(titles),
        "feeds_left_out": len(dropped),
        "publishers": publishers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    if not args.source.is_dir():
        parser.error(f"source folder not found: {args.source}")
    catalog = build(args.source)
    args.output.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n")
    print(
        f"wrote {args.output}: {catalog['publisher_count']} publishers, "
        f"{catalog['feed_count']} feeds"
    )


if __name__ == "__main__":
    main()
