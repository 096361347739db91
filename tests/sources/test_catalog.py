"""Grouping feeds into publishers, and the shipped catalogue file."""

from __future__ import annotations

import pytest

from newsstand.sources.catalog import (
    CatalogFeed,
    CatalogPublisher,
    is_aggregator,
    load_catalog,
    merge_namesakes,
    publisher_name,
    site_key,
    slug_for_site,
)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://feeds.bbci.co.uk/news/rss.xml", "bbci.co.uk"),
        ("https://www.theguardian.com/uk/rss", "theguardian.com"),
        ("http://feeds.feedburner.com/IndependentAustralia", "feedburner.com/independentaustralia"),
        ("https://www.youtube.com/feeds/videos.xml?user=CNETTV", "youtube.com/cnettv"),
        ("https://www.reddit.com/r/formula1/.rss", "reddit.com/formula1"),
        ("https://someone.blogspot.com/feeds/posts/default", "someone.blogspot.com"),
        ("http://127.0.0.1:8000/feed.xml", "127.0.0.1"),
    ],
)
def test_site_key(url: str, key: str) -> None:
    assert site_key(url) == key


def test_slug_for_site() -> None:
    assert slug_for_site("bbci.co.uk") == "bbci-co-uk"
    assert slug_for_site("youtube.com/cnettv") == "youtube-com-cnettv"


@pytest.mark.parametrize(
    ("titles", "key", "name"),
    [
        (
            ["Latest News and News Headlines | Daily Telegraph"],
            "dailytelegraph.com.au",
            "Daily Telegraph",
        ),
        (["Sydney Morning Herald - Latest News"], "smh.com.au", "Sydney Morning Herald"),
        (["BBC News - World", "BBC News - Business"], "bbci.co.uk", "BBC News"),
        (["ABC News"], "abc.net.au", "ABC News"),
        ([], "example.com", "example.com"),
    ],
)
def test_publisher_name(titles: list[str], key: str, name: str) -> None:
    assert publisher_name(titles, key) == name


def test_shipped_catalogue() -> None:
    publishers = load_catalog()
    feeds = [f.url for p in publishers for f in p.feeds]
    assert len(feeds) >= 600
    assert len(set(feeds)) == len(feeds), "feed URLs must be unique"
    assert len(publishers) >= 300
    slugs = [p.slug for p in publishers]
    assert len(set(slugs)) == len(slugs)
    bbc = next(p for p in publishers if p.slug == "bbci-co-uk")
    assert len(bbc.feeds) > 1
    tagesschau = next(p for p in publishers if p.slug == "tagesschau-de")
    assert (tagesschau.country, tagesschau.language) == ("Germany", "de")
    assert any(p.topics for p in publishers)


def test_shipped_catalogue_is_written_news_with_clean_names() -> None:
    by_slug = {p.slug: p for p in load_catalog()}
    # Podcasts, video channels and forums are left out.
    for slug in ("atp-fm", "acast-com", "youtube-com-cnettv", "twit-tv", "relay-fm"):
        assert slug not in by_slug
    assert not [p.slug for p in by_slug.values() if "podcast" in p.name.lower()]
    # The names the issue found, cleaned by the rules or the override list.
    assert by_slug["amarujala-com"].name == "Amar Ujala"
    assert by_slug["9news-com"].name == "9News"
    assert by_slug["dailymail-co-uk"].name == "Daily Mail"
    assert by_slug["autocar-co-uk"].name == "Autocar"
    # Feed titles the rules read wrongly (doubled, a sentence, a tagline, a section).
    assert by_slug["jansatta-com"].name == "Jansatta"
    assert by_slug["japantimes-co-jp"].name == "The Japan Times"
    assert by_slug["img-com-ua"].name == "Korrespondent.net"
    assert by_slug["yesstyle-com"].name == "The YesStylist"
    assert by_slug["ign-com"].name == "IGN"
    names = [p.name for p in by_slug.values()]
    assert not [n for n in names if n.casefold() in {"news", "home", "rss", "world", "blog"}]
    assert not [n for n in names if n[0] in "-|:" or n.lower().startswith("http")]


def test_shipped_catalogue_has_one_entry_per_publisher_and_no_aggregators() -> None:
    """A reader adding publishers once found "NDTV News" and "Hacker News" twice, and Google
    News and Hacker News, which only point to other publishers' articles."""
    publishers = load_catalog()
    names = [p.name.casefold() for p in publishers]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    aggregated = [(p.slug, f.url) for p in publishers for f in p.feeds if is_aggregator(f.url)]
    assert aggregated == []
    ndtv = next(p for p in publishers if p.name == "NDTV News")
    assert len(ndtv.feeds) == 2
    assert {"The Nation (Nigeria)", "The Nation (Pakistan)"} <= {p.name for p in publishers}


@pytest.mark.parametrize(
    ("url", "aggregator"),
    [
        ("https://news.google.com/rss", True),
        ("https://news.ycombinator.com/rss", True),
        ("https://hnrss.org/frontpage", True),
        ("http://rss.slashdot.org/Slashdot/slashdotMain", True),
        ("https://www.reddit.com/r/formula1/.rss", True),
        ("https://developers.google.com/web/updates/rss.xml", False),
        ("https://feeds.feedburner.com/ndtvnews-top-stories", False),
        ("https://www.theguardian.com/world/rss", False),
    ],
)
def test_is_aggregator(url: str, aggregator: bool) -> None:
    assert is_aggregator(url) is aggregator


def _entry(slug: str, name: str, country: str = "", *urls: str) -> CatalogPublisher:
    return CatalogPublisher(
        slug=slug,
        name=name,
        country=country,
        topics=(slug,),
        feeds=tuple(CatalogFeed(url=u, title=name) for u in urls or (f"https://{slug}/",)),
    )


def test_merge_namesakes() -> None:
    merged = merge_namesakes(
        [
            _entry("fb-ndtv-world", "NDTV News"),
            _entry("fb-ndtv-top", "NDTV News", "India"),
            _entry("nation-pk", "The Nation", "Pakistan"),
            _entry("nation-ng", "The Nation", "Nigeria"),
            _entry("nation-unknown", "the nation"),
            _entry("bbc", "BBC News", "United Kingdom", "https://a.bbc/1", "https://a.bbc/2"),
            _entry("bbc-mirror", "BBC News"),
        ]
    )
    by_slug = {p.slug: p for p in merged}
    # Same name, one country: one publisher with every feed and topic, under the first slug.
    ndtv = by_slug["fb-ndtv-top"]
    assert "fb-ndtv-world" not in by_slug
    assert (ndtv.name, ndtv.country) == ("NDTV News", "India")
    assert [f.url for f in ndtv.feeds] == ["https://fb-ndtv-top/", "https://fb-ndtv-world/"]
    assert ndtv.topics == ("fb-ndtv-top", "fb-ndtv-world")
    # The entry with the most feeds keeps its slug.
    assert len(by_slug["bbc"].feeds) == 3 and "bbc-mirror" not in by_slug
    # Namesakes in different countries are different publishers; one without a country
    # cannot be placed and stays as it is.
    assert by_slug["nation-pk"].name == "The Nation (Pakistan)"
    assert by_slug["nation-ng"].name == "The Nation (Nigeria)"
    assert by_slug["nation-unknown"].name == "the nation"
    assert len(merged) == 5
