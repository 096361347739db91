"""A publisher's name and icon from its own site, end to end over a local publisher web:
discovery and feed refreshes name it, the weekly lookup fetches its icon through the fetcher's
SSRF guard and size caps, and hostile icons are refused."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from newsstand.ingest import actions, netguard
from newsstand.ingest.discovery import find_feeds
from newsstand.ingest.identity import read_site_identity
from newsstand.ingest.staff_actions import add_discovered_feed
from newsstand.sources.actions import add_feed
from newsstand.sources.models import Publisher, PublisherIcon
from newsstand.sources.naming import NameSource
from tests.httpserver import PublisherWeb
from tests.ingest import images

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}
PNG = {"Content-Type": "image/png"}


def _rss(web: PublisherWeb, title: str = "Global Dispatch - Top stories") -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>
    <link>{web.url("/")}</link><description>x</description>
    <item><title>One</title><link>{web.url("/a/1")}</link><guid>1</guid></item>
    </channel></rss>""".encode()


def _homepage(head: str = "") -> bytes:
    return f"""<!doctype html><html><head><title>Latest news | Global Dispatch</title>
    <meta property="og:site_name" content="Global Dispatch">
    <link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss.xml">
    {head}</head><body><h1>Global Dispatch</h1></body></html>""".encode()


@pytest.fixture
def site(publisher_web: PublisherWeb, settings: Settings) -> Iterator[PublisherWeb]:
    """A site on the local publisher web with a feed and an article page (no icons yet)."""
    settings.ALLOW_PRIVATE_URLS = True
    publisher_web.add("/rss.xml", _rss(publisher_web), headers={"Content-Type": "text/xml"})
    publisher_web.add("/a/1", b"<html><body><p>Body.</p></body></html>", headers=HTML)
    publisher_web.add("/robots.txt", b"", headers={"Content-Type": "text/plain"})
    yield publisher_web


def test_read_site_identity_names_in_order_and_title_only_at_the_root() -> None:
    html = b"""<html><head><title>Home | The Daily</title>
    <meta name="application-name" content="Daily App">
    <meta property="og:site_name" content="The Daily">
    <script type="application/ld+json">{"@type": "NewsMediaOrganization", "name": "Daily Ltd"}
    </script><link rel="apple-touch-icon" href="/touch.png"></head></html>"""
    home = read_site_identity(html, "https://daily.example/")
    assert home.names == ("The Daily", "Daily App", "Daily Ltd", "Home | The Daily")
    assert [i.url for i in home.icons] == ["https://daily.example/touch.png"]
    article = read_site_identity(html, "https://daily.example/2024/05/a-story")
    assert "Home | The Daily" not in article.names
    assert read_site_identity(b"", "https://daily.example/").names == ()


def test_discovery_names_the_publisher_after_its_site(site: PublisherWeb) -> None:
    """The issue's case: a source added from its homepage kept its host as its name."""
    site.add("/", _homepage(), headers=HTML)
    search = find_feeds(site.url("/"))
    [found] = search.feeds
    assert (found.site_name, found.homepage) == ("Global Dispatch", site.url("/"))
    feed, created = add_discovered_feed(found)
    publisher = Publisher.objects.get(pk=feed.publisher_id)
    assert created
    assert (publisher.name, publisher.name_source) == ("Global Dispatch", NameSource.SITE)
    assert publisher.homepage == site.url("/")


def test_a_feed_added_by_address_is_named_after_its_cleaned_title(site: PublisherWeb) -> None:
    search = find_feeds(site.url("/rss.xml"))
    assert search.is_feed
    feed, _ = add_discovered_feed(search.feeds[0])
    publisher = Publisher.objects.get(pk=feed.publisher_id)
    assert (publisher.name, publisher.name_source) == ("Global Dispatch", NameSource.FEED)


def test_refresh_names_a_host_named_publisher_even_when_the_feed_has_a_title(
    site: PublisherWeb,
) -> None:
    feed = add_feed(site.url("/rss.xml"))
    assert (feed.publisher.name, feed.publisher.name_source) == ("127.0.0.1", NameSource.HOST)
    feed.title = "Set by discovery"  # the title no longer gates the naming
    feed.save()
    assert actions.claim_feed(feed.pk)
    report = actions.refresh_feed(feed.pk)
    publisher = Publisher.objects.get(pk=feed.publisher_id)
    assert (publisher.name, publisher.name_source) == ("Global Dispatch", NameSource.FEED)
    assert publisher.homepage == site.url("/")
    # The site is due a look once a week, claimed by the first refresh only.
    assert report.identity_due_for == publisher.pk
    assert actions.claim_feed(feed.pk)
    assert actions.refresh_feed(feed.pk).identity_due_for is None


def test_identity_lookup_names_from_the_site_and_stores_the_best_icon(site: PublisherWeb) -> None:
    site.add(
        "/",
        _homepage(
            '<link rel="icon" href="/favicon-32.png" sizes="32x32">'
            '<link rel="apple-touch-icon" href="/apple-touch-icon.png">'
            '<link rel="manifest" href="/site.webmanifest">'
        ),
        headers=HTML,
    )
    site.add("/favicon-32.png", images.png(32, 32), headers=PNG)
    site.add("/apple-touch-icon.png", images.png(180, 180), headers=PNG)
    manifest = {"icons": [{"src": "/m-512.png", "sizes": "512x512"}]}
    site.add(
        "/site.webmanifest", json.dumps(manifest), headers={"Content-Type": "application/json"}
    )
    feed = add_feed(site.url("/rss.xml"))
    publisher = feed.publisher

    report = actions.refresh_publisher_identity(publisher.pk)

    publisher.refresh_from_db()
    assert report.renamed and report.icon_changed
    assert (publisher.name, publisher.name_source) == ("Global Dispatch", NameSource.SITE)
    icon = PublisherIcon.objects.get(publisher=publisher)
    assert (icon.content_type, icon.width, icon.height) == ("image/png", 180, 180)
    assert bytes(icon.data) == images.png(180, 180)
    assert icon.source_url == site.url("/apple-touch-icon.png")
    assert len(publisher.icon_version) == 12 and publisher.identity_checked_at is not None
    assert site.hits("/m-512.png") == 0, "the first good icon ends the search"
    # The same icon next week changes nothing; a name staff typed is never replaced.
    Publisher.objects.filter(pk=publisher.pk).update(name="GD", name_source=NameSource.STAFF)
    again = actions.refresh_publisher_identity(publisher.pk)
    assert not again.renamed and not again.icon_changed
    assert Publisher.objects.get(pk=publisher.pk).name == "GD"


def test_a_small_icon_is_kept_when_there_is_no_larger_one(site: PublisherWeb) -> None:
    site.add("/", _homepage(), headers=HTML)
    site.add("/favicon.ico", images.ico(16, 32), headers={"Content-Type": "image/x-icon"})
    publisher = add_feed(site.url("/rss.xml")).publisher
    actions.refresh_publisher_identity(publisher.pk)
    icon = PublisherIcon.objects.get(publisher=publisher)
    assert (icon.content_type, icon.width) == ("image/x-icon", 32)


def test_hostile_icons_are_refused_and_nothing_is_stored(
    site: PublisherWeb, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard on, with the local publisher web standing in for a public host: every other
    # private address is refused as in production.
    settings.ALLOW_PRIVATE_URLS = False
    real_category = netguard._category
    local = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(
        netguard, "_category", lambda ip: None if ip == local else real_category(ip)
    )
    site.add(
        "/",
        _homepage(
            '<link rel="apple-touch-icon" href="/huge.png">'
            '<link rel="icon" href="/wrong.png" sizes="96x96">'
            '<link rel="manifest" href="/site.webmanifest">'
        ),
        headers=HTML,
    )
    site.stream("/huge.png", lambda: (b"\x89PNG\r\n\x1a\n" + b"\x00" * 65536 for _ in range(16)))
    site.add("/wrong.png", b"<!doctype html><html><body>Not found</body></html>", headers=PNG)
    manifest = {"icons": [{"src": "/script.png", "sizes": "192x192"}]}
    site.add(
        "/site.webmanifest", json.dumps(manifest), headers={"Content-Type": "application/json"}
    )
    site.add("/script.png", images.SVG_WITH_SCRIPT, headers=PNG)
    site.redirect("/favicon.ico", "http://169.254.169.254/latest/meta-data/", status=302)
    publisher = add_feed(site.url("/rss.xml")).publisher

    report = actions.refresh_publisher_identity(publisher.pk)

    notes = "\n".join(report.notes)
    assert "huge.png: The response is larger than the limit of 262,144 bytes" in notes
    assert "wrong.png: not an image" in notes
    assert "script.png: SVG" in notes
    assert "favicon.ico: Address 169.254.169.254 is a link-local address" in notes
    assert not report.has_icon and not PublisherIcon.objects.exists()
    assert Publisher.objects.get(pk=publisher.pk).icon_version == ""
    # The name still came from the site.
    assert Publisher.objects.get(pk=publisher.pk).name == "Global Dispatch"


def test_a_hosting_platform_is_not_read_for_a_name(site: PublisherWeb) -> None:
    publisher = Publisher.objects.create(
        name="feedburner.com/dispatch", slug="fb-dispatch", name_source=NameSource.HOST
    )
    publisher.feeds.create(url="http://feeds.feedburner.com/dispatch")
    report = actions.refresh_publisher_identity(publisher.pk)
    assert not report.renamed and report.notes == ()


def test_a_feed_refresh_task_enqueues_the_identity_lookup(site: PublisherWeb) -> None:
    from huey.contrib.djhuey import HUEY

    from newsstand.ingest.tasks import enqueue_due_feeds

    site.add("/", _homepage('<link rel="apple-touch-icon" href="/t.png">'), headers=HTML)
    site.add("/t.png", images.png(180, 180), headers=PNG)
    publisher = add_feed(site.url("/rss.xml")).publisher
    was = HUEY.immediate
    HUEY.immediate = True  # run enqueued tasks in-process, through the real django.tasks backend
    try:
        assert enqueue_due_feeds() == 1
    finally:
        HUEY.immediate = was
    publisher.refresh_from_db()
    assert (publisher.name, publisher.name_source) == ("Global Dispatch", NameSource.SITE)
    assert publisher.icon_version and site.hits("/t.png") == 1
