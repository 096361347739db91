"""sources.actions against the database."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from newsstand.sources import actions
from newsstand.sources.actions import InvalidFeedURL
from newsstand.sources.models import Feed, Publisher
from newsstand.sources.opml import parse_opml

pytestmark = pytest.mark.django_db

OPML = b"""<?xml version="1.0"?><opml version="1.0"><body>
  <outline text="News">
    <outline text="BBC News - World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline text="BBC News - Business" xmlUrl="https://feeds.bbci.co.uk/news/business/rss.xml"/>
    <outline text="Crikey" xmlUrl="https://feeds.feedburner.com/com/rCTl"/>
    <outline text="Dup" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline text="Bad & wrong" xmlUrl="ftp://files.example.com/feed"/>
  </outline></body></opml>"""


def test_import_opml_creates_publishers_and_feeds_once() -> None:
    calls: list[tuple[int, int]] = []
    report = actions.import_opml(OPML, progress=lambda d, t: calls.append((d, t)))
    assert (report.publishers_created, report.feeds_created, report.feeds_existing) == (2, 3, 0)
    assert len(report.skipped) == 1 and "ftp://" in report.skipped[0]
    assert calls and calls[-1] == (3, 3)
    bbc = Publisher.objects.get(slug="bbci-co-uk")
    assert bbc.name == "BBC News"
    assert bbc.topics == ["News"]
    assert bbc.feeds.count() == 2

    again = actions.import_opml(OPML)
    assert (again.publishers_created, again.feeds_created, again.feeds_existing) == (0, 0, 3)
    assert Feed.objects.count() == 3
    assert Publisher.objects.count() == 2


def test_import_adds_new_feed_to_existing_publisher() -> None:
    actions.import_opml(OPML)
    more = b"""<opml><body><outline text="BBC News - Tech"
        xmlUrl="https://feeds.bbci.co.uk/news/technology/rss.xml"/></body></opml>"""
    report = actions.import_opml(more)
    assert (report.publishers_created, report.feeds_created) == (0, 1)
    assert Publisher.objects.get(slug="bbci-co-uk").feeds.count() == 3


def test_load_default_catalog_is_fast_and_idempotent(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # Fast because it works in bulk: a few queries per QUERY_CHUNK rows, never one per feed.
    with django_assert_max_num_queries(20):
        first = actions.load_default_catalog()
    assert first.feeds_created >= 600
    assert first.publishers_created >= 300
    second = actions.load_default_catalog()
    assert (second.publishers_created, second.feeds_created) == (0, 0)
    assert second.feeds_existing == first.feeds_created
    assert Feed.objects.count() == first.feeds_created


def test_add_feed_derives_publisher_and_is_idempotent() -> None:
    feed = actions.add_feed("  https://www.theguardian.com/world/rss ")
    assert feed.url == "https://www.theguardian.com/world/rss"
    assert feed.publisher.slug == "theguardian-com"
    assert actions.add_feed("https://www.theguardian.com/world/rss").pk == feed.pk
    other = actions.add_feed("https://www.theguardian.com/uk/rss")
    assert other.publisher_id == feed.publisher_id


def test_add_feed_with_given_publisher() -> None:
    pub = Publisher.objects.create(name="Local", slug="local")
    feed = actions.add_feed("http://127.0.0.1:8000/feed.xml", publisher=pub)
    assert feed.publisher == pub


@pytest.mark.parametrize("url", ["feed.xml", "ftp://x.example/feed", "https://"])
def test_add_feed_rejects_bad_urls(url: str) -> None:
    with pytest.raises(InvalidFeedURL):
        actions.add_feed(url)


def test_retire_publisher() -> None:
    actions.import_opml(OPML)
    bbc = Publisher.objects.get(slug="bbci-co-uk")
    assert actions.retire_publisher(bbc) == 2
    bbc.refresh_from_db()
    assert not bbc.is_active
    assert not Feed.objects.filter(publisher=bbc, is_active=True).exists()
    assert Feed.objects.filter(is_active=True).count() == 1


def test_export_round_trips_through_import() -> None:
    actions.import_opml(OPML)
    exported = actions.export_feeds_opml()
    urls = {o.xml_url for o in parse_opml(exported)}
    assert urls == set(Feed.objects.values_list("url", flat=True))
    Feed.objects.all().delete()
    Publisher.objects.all().delete()
    report = actions.import_opml(exported)
    assert report.feeds_created == 3


def test_load_default_catalog_renames_only_publishers_it_named() -> None:
    from newsstand.sources.naming import NameSource

    Publisher.objects.create(
        slug="amarujala-com", name="- Amar Ujala", name_source=NameSource.CATALOGUE
    )
    Publisher.objects.create(slug="dailymail-co-uk", name="My Mail", name_source=NameSource.STAFF)
    Publisher.objects.create(slug="9news-com", name="Nine", name_source=NameSource.SITE)
    report = actions.load_default_catalog()
    assert report.publishers_renamed == 1 and "1 renamed" in report.summary()
    names = dict(Publisher.objects.values_list("slug", "name"))
    assert names["amarujala-com"] == "Amar Ujala"
    assert names["dailymail-co-uk"] == "My Mail" and names["9news-com"] == "Nine"
    assert Publisher.objects.get(slug="bbci-co-uk").name_source == NameSource.CATALOGUE


def test_rename_publisher_keeps_to_the_order_of_origins() -> None:
    from newsstand.sources.naming import NameSource

    publisher = Publisher.objects.create(slug="x", name="x.example", name_source=NameSource.HOST)
    assert actions.rename_publisher(publisher, "X Daily", NameSource.FEED)
    assert not actions.rename_publisher(publisher, "X Weekly", NameSource.FEED)
    assert actions.rename_publisher(publisher, "The X", NameSource.SITE)
    # Staff rename it meanwhile: the copy in memory is stale, the update must not win.
    Publisher.objects.filter(pk=publisher.pk).update(name="Ours", name_source=NameSource.STAFF)
    assert not actions.rename_publisher(publisher, "The X Times", NameSource.SITE)
    assert Publisher.objects.get(pk=publisher.pk).name == "Ours"
