"""Feed autodiscovery: the pure <link rel="alternate"> reader and the fetching wrapper."""

from __future__ import annotations

import pytest

from newsstand.ingest.discovery import DiscoveredFeed, DiscoveryError, discover_feeds, find_feeds

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example News</title><link>https://example.com/</link>
<item><title>One</title><link>https://example.com/1</link><guid>1</guid></item>
<item><title>Two</title><link>https://example.com/2</link><guid>2</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Atom</title><id>urn:x</id>
<updated>2024-01-01T00:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><link href="https://example.com/a"/>
<updated>2024-01-01T00:00:00Z</updated></entry></feed>"""

HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
RSS_HEADERS = {"Content-Type": "application/rss+xml"}


def test_relative_and_absolute_hrefs_of_several_types() -> None:
    html = b"""<!doctype html><html><head><title>Home</title>
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/rss+xml" title="  Top   stories " href="/rss.xml">
    <link rel="alternate" type="application/atom+xml" href="feeds/atom">
    <link rel="Alternate" type="application/feed+json; charset=utf-8" href="https://cdn.example.org/feed.json">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" href="/rss.xml#dupe">
    </head><body></body></html>"""
    assert discover_feeds(html, "https://example.com/news/today") == [
        DiscoveredFeed("https://example.com/rss.xml", "Top stories", "RSS"),
        DiscoveredFeed("https://example.com/news/feeds/atom", "", "Atom"),
        DiscoveredFeed("https://cdn.example.org/feed.json", "", "JSON Feed"),
    ]


def test_base_href_is_honoured_and_bad_schemes_dropped() -> None:
    html = b"""<html><head><base href="https://static.example.com/site/">
    <link rel="alternate feed" type="application/atom+xml" href="atom.xml">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="">
    </head></html>"""
    assert discover_feeds(html, "https://example.com/") == [
        DiscoveredFeed("https://static.example.com/site/atom.xml", "", "Atom"),
    ]


@pytest.mark.parametrize(
    "html",
    [b"", b"   ", b"<html><head><title>No feeds here</title></head></html>", b"\x00\xff junk"],
)
def test_no_feeds(html: bytes) -> None:
    assert discover_feeds(html, "https://example.com/") == []


@pytest.mark.usefixtures("allow_private_urls")
def test_find_feeds_from_homepage_verifies_candidates(publisher_web) -> None:
    publisher_web.add(
        "/",
        b"""<html><head>
        <link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">
        <link rel="alternate" type="application/atom+xml" title="Blog" href="/atom.xml">
        <link rel="alternate" type="application/rss+xml" title="Broken" href="/missing.xml">
        <link rel="alternate" type="application/rss+xml" title="Not a feed" href="/page">
        </head></html>""",
        headers=HTML_HEADERS,
    )
    publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    publisher_web.add("/atom.xml", ATOM, headers={"Content-Type": "application/atom+xml"})
    publisher_web.add("/page", b"<html><body>hello</body></html>", headers=HTML_HEADERS)
    search = find_feeds(publisher_web.url("/"))
    assert not search.is_feed
    assert [(f.url, f.title, f.type, f.entries) for f in search.feeds] == [
        (publisher_web.url("/rss.xml"), "News", "RSS", 2),
        (publisher_web.url("/atom.xml"), "Blog", "Atom", 1),
    ]


@pytest.mark.usefixtures("allow_private_urls")
def test_find_feeds_on_a_feed_returns_it(publisher_web) -> None:
    url = publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    search = find_feeds(url)
    assert search.is_feed
    assert [(f.url, f.title, f.entries) for f in search.feeds] == [(url, "Example News", 2)]


@pytest.mark.usefixtures("allow_private_urls")
def test_find_feeds_falls_back_to_common_paths(publisher_web) -> None:
    publisher_web.add("/", b"<html><head><title>Plain</title></head></html>", headers=HTML_HEADERS)
    publisher_web.add("/feed", RSS, headers=RSS_HEADERS)
    publisher_web.redirect("/rss", "/feed")  # same feed twice: offered once
    search = find_feeds(publisher_web.url("/"))
    assert search.from_fallback
    assert [f.url for f in search.feeds] == [publisher_web.url("/feed")]
    assert search.feeds[0].title == "Example News"


@pytest.mark.usefixtures("allow_private_urls")
def test_find_feeds_explains_what_went_wrong(publisher_web) -> None:
    publisher_web.add("/", b"<html><head><title>Plain</title></head></html>", headers=HTML_HEADERS)
    with pytest.raises(DiscoveryError, match="No feed found on that page"):
        find_feeds(publisher_web.url("/"))
    with pytest.raises(DiscoveryError, match="404"):
        find_feeds(publisher_web.url("/nothing-here"))
    publisher_web.add(
        "/dead-links",
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/gone.xml">'
        b"</head></html>",
        headers=HTML_HEADERS,
    )
    with pytest.raises(DiscoveryError, match="links to 1 feed"):
        find_feeds(publisher_web.url("/dead-links"), try_common_paths=False)
    with pytest.raises(DiscoveryError, match="http:// or https://"):
        find_feeds("ftp://example.com/feed")


def test_find_feeds_refuses_private_addresses(publisher_web, settings) -> None:
    settings.ALLOW_PRIVATE_URLS = False
    publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    with pytest.raises(DiscoveryError) as excinfo:
        find_feeds(publisher_web.url("/rss.xml"))
    assert "private" in excinfo.value.message.lower() or "local" in excinfo.value.message.lower()
    assert publisher_web.hits("/rss.xml") == 0
