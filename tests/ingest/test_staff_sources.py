"""Adding a source from the staff pages, end to end against a local publisher web."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from newsstand.sources.models import Feed
from tests.ingest.test_discovery import ATOM, HTML_HEADERS, RSS, RSS_HEADERS
from tests.reader.factories import make_feed, make_publisher

pytestmark = pytest.mark.django_db

ADD = "reader:staff:add_source"


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("editor", password="pw-not-used", is_staff=True)
    client.force_login(user)
    return client


def _errors(html: str) -> list[str]:
    block = re.search(r'<ul class="staff-errors"[^>]*>(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S) if block else []


def _homepage(publisher_web) -> str:
    publisher_web.add(
        "/",
        b"""<!doctype html><html><head><title>Local Gazette</title>
        <link rel="alternate" type="application/rss+xml"
              title="Local Gazette: top stories" href="/rss.xml">
        <link rel="alternate" type="application/atom+xml"
              title="Local Gazette: sport" href="sport/atom.xml">
        </head><body><h1>Local Gazette</h1></body></html>""",
        headers=HTML_HEADERS,
    )
    publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    publisher_web.add("/sport/atom.xml", ATOM, headers={"Content-Type": "application/atom+xml"})
    return publisher_web.url("/")


def test_form_renders(staff_client):
    html = staff_client.get(reverse(ADD)).content.decode()
    assert 'name="url"' in html and "Find feeds" in html


@pytest.mark.usefixtures("allow_private_urls")
def test_homepage_discovery_then_pick_and_add(staff_client, publisher_web):
    home = _homepage(publisher_web)
    response = staff_client.post(reverse(ADD), {"url": home})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Local Gazette: top stories" in html and "Local Gazette: sport" in html
    assert html.count('type="checkbox" name="feeds"') == 2
    assert Feed.objects.count() == 0  # nothing is added before staff pick

    token = re.search(r'name="candidates" value="([^"]+)"', html).group(1)
    response = staff_client.post(
        reverse(ADD),
        {
            "candidates": token,
            "url": home,
            "feeds": [publisher_web.url("/rss.xml"), publisher_web.url("/sport/atom.xml")],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("reader:staff:feeds")
    feeds = Feed.objects.order_by("url")
    assert [f.url for f in feeds] == [
        publisher_web.url("/rss.xml"),
        publisher_web.url("/sport/atom.xml"),
    ]
    assert feeds[0].title == "Local Gazette: top stories"
    assert feeds[0].publisher_id == feeds[1].publisher_id
    assert "it will be checked within a minute" in response.content.decode()


@pytest.mark.usefixtures("allow_private_urls")
def test_pick_step_refuses_feeds_that_were_not_offered(staff_client, publisher_web):
    home = _homepage(publisher_web)
    html = staff_client.post(reverse(ADD), {"url": home}).content.decode()
    token = re.search(r'name="candidates" value="([^"]+)"', html).group(1)
    response = staff_client.post(
        reverse(ADD), {"candidates": token, "feeds": ["https://elsewhere.example/feed"]}
    )
    assert "Select a valid choice" in response.content.decode()
    response = staff_client.post(
        reverse(ADD), {"candidates": "tampered", "feeds": [publisher_web.url("/rss.xml")]}
    )
    assert "has expired" in response.content.decode()
    response = staff_client.post(reverse(ADD), {"candidates": token})
    assert "Tick at least one feed" in response.content.decode()
    assert Feed.objects.count() == 0


@pytest.mark.usefixtures("allow_private_urls")
def test_feed_url_is_added_directly(staff_client, publisher_web):
    url = publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    response = staff_client.post(reverse(ADD), {"url": url})
    feed = Feed.objects.get(url=url)
    assert response.status_code == 302
    assert response["Location"] == reverse("reader:staff:feed", args=[feed.pk])
    assert feed.title == "Example News"
    # Adding it again says so instead of failing.
    response = staff_client.post(reverse(ADD), {"url": url}, follow=True)
    assert "was already a source" in response.content.decode()
    assert Feed.objects.count() == 1


@pytest.mark.usefixtures("allow_private_urls")
def test_errors_are_shown_in_the_form(staff_client, publisher_web):
    publisher_web.add("/plain", b"<html><head><title>x</title></head></html>", headers=HTML_HEADERS)
    cases = {
        publisher_web.url("/plain"): "No feed found on that page",
        publisher_web.url("/missing"): "404",
        "not a url at all": "not a web address Newsstand can fetch",
        "ftp://example.com/feed.xml": "not a web address Newsstand can fetch",
        "": "Paste a web address",
    }
    for url, expected in cases.items():
        response = staff_client.post(reverse(ADD), {"url": url})
        assert response.status_code == 200
        errors = _errors(response.content.decode())
        assert len(errors) == 1 and expected in errors[0], (url, errors)
        assert 'aria-invalid="true"' in response.content.decode()
    assert Feed.objects.count() == 0


def test_private_address_is_refused_with_the_fetchers_message(
    staff_client, publisher_web, settings
):
    settings.ALLOW_PRIVATE_URLS = False
    url = publisher_web.add("/rss.xml", RSS, headers=RSS_HEADERS)
    html = staff_client.post(reverse(ADD), {"url": url}).content.decode()
    errors = _errors(html)
    assert len(errors) == 1
    assert "127.0.0.1" in errors[0] and "loopback" in errors[0].lower()
    assert publisher_web.hits("/rss.xml") == 0
    assert Feed.objects.count() == 0


def test_publisher_page_links_to_find_more_feeds(staff_client):
    feed = make_feed(make_publisher("Linky", homepage="https://linky.example/"))
    html = staff_client.get(
        reverse("reader:staff:publisher", args=[feed.publisher.slug])
    ).content.decode()
    assert reverse(ADD) + "?url=https%3A//linky.example/" in html
    form = staff_client.get(reverse(ADD), {"url": "https://linky.example/"}).content.decode()
    assert 'value="https://linky.example/"' in form


@pytest.mark.usefixtures("allow_private_urls")
def test_a_source_added_from_its_homepage_is_named_after_the_site(staff_client, publisher_web):
    """Issue 15: the publisher kept its host ("127.0.0.1") as its name."""
    home = _homepage(publisher_web)
    html = staff_client.post(reverse(ADD), {"url": home}).content.decode()
    token = re.search(r'name="candidates" value="([^"]+)"', html).group(1)
    staff_client.post(
        reverse(ADD), {"candidates": token, "url": home, "feeds": [publisher_web.url("/rss.xml")]}
    )
    feed = Feed.objects.select_related("publisher").get()
    assert feed.publisher.name == "Local Gazette"
    assert feed.publisher.name_source == "site"
    assert feed.publisher.homepage == home
