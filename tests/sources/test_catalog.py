"""Grouping feeds into publishers, and the shipped catalogue file."""

from __future__ import annotations

import pytest

from newsstand.sources.catalog import load_catalog, publisher_name, site_key, slug_for_site


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
