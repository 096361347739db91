"""The anonymous page cache: who gets a cached page, what is stored, variants, reads, busting."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from newsstand.config import cache_from_url
from newsstand.reader.prefs import TEXT_SIZE_COOKIE, THEME_COOKIE
from newsstand.reader.reads import read_buffer
from newsstand.stories.models import ReadTally
from newsstand.web.pagecache import bust_pages
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
MAX_QUERIES = 10


@pytest.fixture
def pages() -> dict[str, str]:
    """One URL of every cached page type, over a story covered by three publishers."""
    story = make_story("Harbour bridge reopens", publishers=3, score=5.0)
    article = story.representative
    make_article(article.publisher, title="Standalone", section="World")
    return {
        "home": reverse("reader:home"),
        "article": reverse("reader:article", args=[article.pk]),
        "story": reverse("reader:story", args=[story.pk]),
        "publishers": reverse("reader:publishers"),
        "publisher": reverse("reader:publisher", args=[article.publisher.slug]),
        "section": reverse("reader:section", args=["World"]),
    }


def _reads() -> int:
    return sum(ReadTally.objects.values_list("count", flat=True))


def test_first_render_stays_within_the_query_budget_then_repeats_cost_none(
    client, pages, django_assert_max_num_queries, django_assert_num_queries
):
    for name, url in pages.items():
        with django_assert_max_num_queries(MAX_QUERIES):
            first = client.get(url)
        assert first.status_code == 200, name
        # No User-Agent: not counted as a read, so a cached article costs no query either.
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200, name
        assert again.content == first.content, name
        assert again["Content-Type"] == first["Content-Type"]
        assert "Cookie" in again["Vary"]
        assert not again.cookies


def test_cached_article_views_still_count_reads(client, pages, settings, django_assert_num_queries):
    settings.NEWSSTAND_READS_FLUSH_S = 3600  # buffered, as in production; flushed below
    url = pages["article"]
    client.get(url, HTTP_USER_AGENT=BROWSER)
    with django_assert_num_queries(0):  # the read waits in the buffer
        client.get(url, HTTP_USER_AGENT=BROWSER)
    # The view's rules hold for cached copies: robots, prefetches and HEAD are not reads.
    client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch")
    client.head(url, HTTP_USER_AGENT=BROWSER)
    assert read_buffer.flush() == 2
    assert _reads() == 2


def test_cached_article_views_count_at_once_when_unbuffered(client, pages):
    client.get(pages["article"], HTTP_USER_AGENT=BROWSER)
    client.get(pages["article"], HTTP_USER_AGENT=BROWSER)
    assert _reads() == 2


def test_a_robot_filling_the_cache_does_not_stop_readers_counting(client, pages):
    client.get(pages["article"], HTTP_USER_AGENT="SomeCrawler/1.0")
    client.get(pages["article"], HTTP_USER_AGENT=BROWSER)
    assert _reads() == 1


def test_signed_in_readers_never_get_or_fill_the_cache(pages, django_assert_max_num_queries):
    staff = get_user_model().objects.create_user("ed", password="pw-not-used", is_staff=True)
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(staff)
    staff_link = f'href="{reverse("reader:staff:feeds")}"'
    for name, url in pages.items():
        # Signed in first: a store here would hand the Staff link to the anonymous reader.
        assert staff_link in signed_in.get(url).content.decode(), name
        assert staff_link not in anonymous.get(url).content.decode(), name
        # Now the anonymous page is stored; the signed-in reader still gets a fresh render.
        with django_assert_max_num_queries(MAX_QUERIES) as ctx:
            html = signed_in.get(url).content.decode()
        assert staff_link in html, name
        assert len(ctx.captured_queries) > 0, name


def test_signed_in_reads_count_once_per_hour_as_before(pages):
    reader = Client()
    reader.force_login(get_user_model().objects.create_user("r", password="pw-not-used"))
    Client().get(pages["article"], HTTP_USER_AGENT=BROWSER)  # cached for anonymous readers
    reader.get(pages["article"], HTTP_USER_AGENT=BROWSER)
    reader.get(pages["article"], HTTP_USER_AGENT=BROWSER)
    assert _reads() == 2


def test_theme_and_text_size_cookies_get_their_own_copies(client, pages, django_assert_num_queries):
    url = pages["home"]

    def html_tag(theme: str | None, size: str | None) -> str:
        for name, value in ((THEME_COOKIE, theme), (TEXT_SIZE_COOKIE, size)):
            if value is None:
                client.cookies.pop(name, None)
            else:
                client.cookies[name] = value
        html = client.get(url).content.decode()
        return re.search(r"<html[^>]*>", html).group(0)

    assert 'data-theme="system" data-text-size="m"' in html_tag(None, None)
    assert 'data-theme="dark" data-text-size="m"' in html_tag("dark", None)
    assert 'data-theme="light" data-text-size="xl"' in html_tag("light", "xl")
    with django_assert_num_queries(0):
        assert 'data-theme="dark" data-text-size="m"' in html_tag("dark", None)
        assert 'data-theme="system" data-text-size="m"' in html_tag(None, None)
        # A tampered cookie reads as the default, so it shares the default's copy.
        assert 'data-theme="system" data-text-size="m"' in html_tag("<neon>", "huge")


def test_the_header_toggle_switches_a_cached_page(pages):
    """The toggle posts without a CSRF token and the page it returns to has the new theme."""
    client = Client(enforce_csrf_checks=True)
    url = pages["article"]
    html = client.get(url).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert f'<input type="hidden" name="next" value="{url}">' in html
    response = client.post(reverse("reader:settings"), {"theme": "dark", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert 'data-theme="dark"' in client.get(url).content.decode()
    client.post(reverse("reader:settings"), {"theme": "light", "next": url})
    assert 'data-theme="light"' in client.get(url).content.decode()


def test_messages_cookie_and_unknown_parameters_bypass_the_cache(
    client, pages, django_assert_max_num_queries
):
    url = pages["home"]
    client.get(url)
    with django_assert_max_num_queries(MAX_QUERIES) as ctx:
        client.get(url + "?utm_source=newsletter")
    assert ctx.captured_queries
    client.cookies["messages"] = "anything"
    with django_assert_max_num_queries(MAX_QUERIES) as ctx:
        client.get(url)
    assert ctx.captured_queries


def test_pages_of_a_list_are_cached_apart(client, django_assert_num_queries):
    pub = make_publisher("Daily")
    for i in range(35):
        make_article(pub, title=f"Item {i:02d}")
    first, second = client.get("/"), client.get("/?page=2")
    assert "Item 34" in first.content.decode() and "Item 34" not in second.content.decode()
    with django_assert_num_queries(0):
        assert client.get("/?page=2").content == second.content


def test_staff_changing_picks_busts_the_cache(client, pages, django_capture_on_commit_callbacks):
    story = make_story("A pick for the home page", publishers=1)
    assert "A pick for the home page" not in _picks_html(client.get("/").content.decode())
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("ed", password="x", is_staff=True))
    # The pick actions bust the cache once their change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("reader:staff:picks"), {"story": story.pk, "blurb": "Read it"}
        )
    assert response.status_code == 302
    assert "A pick for the home page" in _picks_html(client.get("/").content.decode())
    pick = story.picks.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("reader:staff:pick_remove", args=[pick.pk]))
    assert "A pick for the home page" not in _picks_html(client.get("/").content.decode())


def _picks_html(html: str) -> str:
    start = html.find('aria-labelledby="our-picks')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def test_new_content_shows_after_the_ttl_or_a_bust(client, settings):
    pub = make_publisher("Daily")
    make_article(pub, title="First item")
    assert "First item" in client.get("/").content.decode()
    make_article(pub, title="Second item")
    assert "Second item" not in client.get("/").content.decode()  # cached
    bust_pages()
    assert "Second item" in client.get("/").content.decode()
    settings.NEWSSTAND_PAGE_CACHE_S = 0
    make_article(pub, title="Third item")
    assert "Third item" in client.get("/").content.decode()


class _UnreachableCache:
    def __getattr__(self, name: str):
        def broken(*args, **kwargs):
            raise ConnectionError("cache server gone")

        return broken


def test_a_broken_cache_never_breaks_a_page(client, pages, monkeypatch, caplog):
    monkeypatch.setattr("newsstand.reader.pagecache.cache", _UnreachableCache())
    monkeypatch.setattr("newsstand.web.pagecache.cache", _UnreachableCache())
    assert client.get(pages["story"]).status_code == 200
    assert "page cache: lookup failed" in caplog.text
    assert "page cache: store failed" in caplog.text
    bust_pages()
    assert "page cache: bust failed" in caplog.text


def test_file_cache_shared_between_workers(client, pages, settings, tmp_path):
    """The default backend: files in the data dir, so both gunicorn workers share one copy."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    first = client.get(pages["story"])
    assert list((tmp_path / "cache").glob("*.djcache"))
    assert client.get(pages["story"]).content == first.content


# The store guard, on views that each do one thing that makes a page someone's own.


@pytest.mark.urls("tests.reader.pagecache_urls")
@pytest.mark.parametrize(
    ("path", "cached"),
    [
        ("/plain/", True),
        ("/shows-user/", True),  # the anonymous user, without reading the session
        ("/reads-session/", False),  # Vary: Cookie
        ("/csrf-form/", False),  # sets the CSRF cookie, varies on Cookie
        ("/sets-cookie/", False),
        ("/private/", False),
        ("/not-found/", False),
        ("/streamed/", False),
        ("/unmarked/", False),
    ],
)
def test_only_the_same_page_for_everyone_is_stored(client, path, cached):
    first = client.get(path)
    client.cookies.clear()  # a cookie the first response set must not decide the second
    second = client.get(path)
    body = second.getvalue() if second.streaming else second.content
    first_body = first.getvalue() if first.streaming else first.content
    assert (body == first_body) is cached


@pytest.mark.urls("tests.reader.pagecache_urls")
def test_session_cookie_and_authorization_are_never_served_a_copy(client):
    first = client.get("/plain/")
    client.cookies["sessionid"] = "whatever"
    assert client.get("/plain/").content != first.content
    client.cookies.clear()
    assert client.get("/plain/").content == first.content
    assert client.get("/plain/", HTTP_AUTHORIZATION="Bearer x").content != first.content


def test_redis_cache_serves_pages_and_busts(client, pages, settings):
    """NEWSSTAND_CACHE_URL=redis://…: Django's RedisCache, shared between machines."""
    url = os.environ.get("NEWSSTAND_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    server = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {url} under CI")
        pytest.skip(f"no Redis at {url} (NEWSSTAND_TEST_REDIS_URL)")
    # A prefix of its own: the server may be shared, and the test never flushes it.
    prefix = f"newsstand-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**cache_from_url(url), "KEY_PREFIX": prefix}}
    try:
        first = client.get(pages["home"])
        assert client.get(pages["home"]).content == first.content
        make_article(make_publisher("Late"), title="Arrived after the first render")
        assert b"Arrived after the first render" not in client.get(pages["home"]).content
        bust_pages()
        assert b"Arrived after the first render" in client.get(pages["home"]).content
    finally:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
