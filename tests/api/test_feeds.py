"""Outgoing RSS and Atom feeds: teasers and links back, never a body."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from newsstand.articles.actions import index_article_topics
from tests.gate.factories import LATER_MARKERS, OPENING, READERS, client_for, make_gated_article
from tests.reader.factories import make_publisher

pytestmark = pytest.mark.django_db

FEED_MAX_QUERIES = 10
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def article():
    article = make_gated_article(
        make_publisher("Harbour Times"), summary="", section="World", topics=["Harbour News"]
    )
    index_article_topics(article)
    return article


def _feeds(article) -> list[str]:
    slug = article.publisher.slug
    return [
        reverse("feeds:latest_rss"),
        reverse("feeds:latest_atom"),
        reverse("feeds:publisher_rss", args=[slug]),
        reverse("feeds:publisher_atom", args=[slug]),
        reverse("feeds:section_rss", args=["world"]),
        reverse("feeds:section_atom", args=["World"]),
        reverse("feeds:topic_rss", args=["harbour-news"]),
        reverse("feeds:topic_atom", args=["harbour-news"]),
    ]


@pytest.mark.parametrize("kind", READERS)
def test_feeds_carry_teasers_and_links_back_only(kind, article):
    """Feeds are the same for everyone, members included: readers fetch them signed out."""
    client = client_for(kind)
    for url in _feeds(article):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for marker in LATER_MARKERS:
            assert marker not in text, url
        assert "content:encoded" not in text and "<content" not in text
        root = ET.fromstring(response.content)
        if url.endswith("/rss/"):
            assert response["Content-Type"].startswith("application/rss+xml")
            item = root.find("channel/item")
            link = item.findtext("link")
            description = item.findtext("description")
        else:
            assert response["Content-Type"].startswith("application/atom+xml")
            item = root.find(f"{ATOM}entry")
            link = item.find(f"{ATOM}link").get("href")
            description = item.findtext(f"{ATOM}summary")
        assert link == f"http://testserver{article.get_absolute_url()}"
        assert description.startswith(OPENING[:80])
        assert len(description) <= 210


def test_feed_names_and_404s(article):
    client = Client()
    rss = ET.fromstring(
        client.get(reverse("feeds:publisher_rss", args=[article.publisher.slug])).content
    )
    assert rss.findtext("channel/title") == "Harbour Times on Newsstand"
    assert client.get(reverse("feeds:publisher_rss", args=["nobody"])).status_code == 404
    assert client.get(reverse("feeds:section_atom", args=["No such"])).status_code == 404
    section = ET.fromstring(client.get(reverse("feeds:section_rss", args=["wORLD"])).content)
    assert section.findtext("channel/title") == "World on Newsstand"
    topic = ET.fromstring(client.get(reverse("feeds:topic_rss", args=["harbour-news"])).content)
    assert topic.findtext("channel/title") == "Harbour News on Newsstand"
    assert topic.findtext("channel/item/title") == article.title
    assert client.get(reverse("feeds:topic_rss", args=["no-such"])).status_code == 404


def test_feeds_are_shared_cacheable_and_cheap(article, django_assert_max_num_queries):
    for i in range(40):
        make_gated_article(article.publisher, url=f"https://harbour.example/{i}")
    for url in _feeds(article):
        with django_assert_max_num_queries(FEED_MAX_QUERIES) as ctx:
            response = Client().get(url)
        assert "public" in response["Cache-Control"]
        for query in ctx.captured_queries:
            assert "content_html" not in query["sql"]


def test_pages_point_feed_readers_at_their_feeds(article):
    client = Client()
    home = client.get(reverse("reader:home")).content.decode()
    latest = reverse("feeds:latest_rss")
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Newsstand: latest news (RSS)" '
        f'href="{latest}">'
    ) in home
    publisher = client.get(
        reverse("reader:publisher", args=[article.publisher.slug])
    ).content.decode()
    assert f'href="{reverse("feeds:publisher_atom", args=[article.publisher.slug])}"' in publisher
    section = client.get(reverse("reader:section", args=["World"])).content.decode()
    assert f'href="{reverse("feeds:section_rss", args=["World"])}"' in section
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{reverse("feeds:publisher_rss", args=[article.publisher.slug])}"' in page
    topic = client.get(reverse("reader:topic", args=["harbour-news"])).content.decode()
    assert f'href="{reverse("feeds:topic_atom", args=["harbour-news"])}"' in topic


def _entries(response) -> list[ET.Element]:
    root = ET.fromstring(response.content)
    return root.findall("channel/item") or root.findall(f"{ATOM}entry")


def test_titles_are_escaped_once_and_atom_entries_are_complete(article):
    """A title with quotes, an ampersand and angle brackets reads back as written (it showed as
    `&quot;` in readers), and every Atom entry has <updated> and an author (RFC 4287), the
    publisher's name where the article has no byline."""
    title = 'Harbour chief: "We will reopen" & <soon>'
    quoted = make_gated_article(
        article.publisher, url="https://harbour.example/q", title=title, authors=[]
    )
    client = Client()
    for url in _feeds(article)[:4]:  # latest and the publisher's, RSS and Atom
        response = client.get(url)
        raw = response.content.decode()
        assert "&amp;quot;" not in raw and "&amp;amp;" not in raw, url
        titles = [e.findtext("title") or e.findtext(f"{ATOM}title") for e in _entries(response)]
        assert title in titles, url
    atom = client.get(reverse("feeds:publisher_atom", args=[article.publisher.slug]))
    for entry in _entries(atom):
        assert entry.findtext(f"{ATOM}updated"), ET.tostring(entry)
        assert entry.findtext(f"{ATOM}author/{ATOM}name"), ET.tostring(entry)
    by_title = {e.findtext(f"{ATOM}title"): e for e in _entries(atom)}
    assert by_title[title].findtext(f"{ATOM}author/{ATOM}name") == "Harbour Times"
    assert (
        by_title[title].findtext(f"{ATOM}updated").startswith(quoted.published_at.isoformat()[:19])
    )


def test_conditional_gets_are_answered_304_until_the_feed_changes(article):
    client = Client()
    for url in _feeds(article):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"], url
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"", url
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304, url
    latest = reverse("feeds:latest_rss")
    etag = client.get(latest)["ETag"]
    make_gated_article(article.publisher, url="https://harbour.example/new", title="New pier")
    changed = client.get(latest, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and b"New pier" in changed.content
