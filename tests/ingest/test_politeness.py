"""Politeness: robots.txt for article pages, 429/503 back-off, per-host concurrency, and one
slow feed not holding up the others. Over real HTTP against the local publisher web."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import formatdate
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ingest import actions, fetcher, politeness
from newsstand.ingest.fetcher import FetchError
from newsstand.ingest.models import FeedCheck
from newsstand.sources.models import Feed, Publisher
from tests.httpserver import PublisherWeb
from tests.ingest.corpus import HTML, RSS, article_page, rss, serve_articles

pytestmark = [pytest.mark.usefixtures("allow_private_urls")]
ROBOTS = {"Content-Type": "text/plain"}


@pytest.fixture
def publisher(db: None) -> Publisher:
    return Publisher.objects.create(name="Local Daily", slug="local-daily")


def _feed(publisher: Publisher, url: str) -> Feed:
    return Feed.objects.create(publisher=publisher, url=url)


# robots.txt, pure parts


@pytest.mark.parametrize(
    ("kind", "status", "allowed", "temporary"),
    [
        ("http_status", 404, True, False),
        ("http_status", 410, True, False),
        ("http_status", 401, True, False),  # RFC 9309: every 4xx is "unavailable"
        ("http_status", 429, False, True),  # ...but 429 asks us to slow down
        ("http_status", 500, False, True),
        ("http_status", 503, False, True),
        ("timeout", None, False, True),
        ("connect", None, False, True),
        ("too_many_redirects", None, True, False),
    ],
)
def test_a_failed_robots_fetch_follows_rfc_9309(
    kind: fetcher.FetchErrorKind, status: int | None, allowed: bool, temporary: bool
) -> None:
    rules = politeness.rules_from_error(FetchError(kind, "x", status=status), time.monotonic())
    decision = politeness.decide(rules, "http://example.org/a", "Newsstand")
    assert (decision.allowed, decision.temporary) == (allowed, temporary)


def test_groups_match_on_our_product_token(settings: object) -> None:
    assert politeness.product_token() == "Newsstand"
    rules = politeness.rules_from_response(
        b"User-agent: newsstand\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n", 0.0
    )
    assert politeness.decide(rules, "http://x.org/news/a", "Newsstand").allowed
    no = politeness.decide(rules, "http://x.org/private/a", "Newsstand")
    assert not no.allowed and not no.temporary
    assert no.reason == politeness.ROBOTS_DISALLOWED
    assert not politeness.decide(rules, "http://x.org/news/a", "OtherBot").allowed


def test_binary_junk_as_robots_txt_allows_everything() -> None:
    rules = politeness.rules_from_response(bytes(range(256)) * 100, 0.0)
    assert politeness.decide(rules, "http://x.org/a", "Newsstand").allowed


def test_the_robots_cache_is_bounded(publisher_web: PublisherWeb, allow_private_urls: None) -> None:
    cache = politeness.RobotsCache(max_hosts=2)
    for i in range(4):
        cache.rules_for(f"http://127.0.0.1:{publisher_web.port}/a?{i}")  # same origin
    assert len(cache._rules) == 1 and publisher_web.hits("/robots.txt") == 1
    for host in ("127.0.0.1", "localhost", "127.0.0.2"):
        cache.rules_for(f"http://{host}:{publisher_web.port}/a")
    assert len(cache._rules) == 2


# robots.txt through refresh_feed


def test_a_page_robots_txt_disallows_is_stored_from_the_feed_alone(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    publisher_web.add(
        "/robots.txt",
        "User-agent: Newsstand\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n",
        headers=ROBOTS,
    )
    allowed = serve_articles(publisher_web, "news", 1)
    hidden = serve_articles(publisher_web, "private", 1)
    feed = _feed(publisher, publisher_web.add("/feed.xml", rss(publisher_web, allowed + hidden)))

    report = actions.refresh_feed(feed.pk)
    assert (report.new_articles, report.page_errors) == (2, 1)
    kept = Article.objects.get(guid="private-0")
    assert kept.extraction_error == "robots.txt disallows fetching this page"
    assert kept.title == "private story 0" and "Teaser for private-0" in kept.content_text
    assert publisher_web.hits("/private/story-0.html") == 0
    assert "paragraph 3" in Article.objects.get(guid="news-0").content_text
    # Feeds are not subject to robots.txt: "Disallow: /" for everyone else did not stop it.
    assert publisher_web.hits("/feed.xml") == 1

    more = serve_articles(publisher_web, "news2", 2)
    publisher_web.add("/feed.xml", rss(publisher_web, allowed + hidden + more))
    assert actions.refresh_feed(feed.pk).new_articles == 2
    assert publisher_web.hits("/robots.txt") == 1  # cached per host


def test_an_unreachable_robots_txt_leaves_the_pages_for_later(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    publisher_web.add("/robots.txt", "down", status=500)
    items = serve_articles(publisher_web, "news", 2)
    url = publisher_web.add("/feed.xml", rss(publisher_web, items), etag='"v1"', headers=RSS)
    feed = _feed(publisher, url)

    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.new_articles, report.deferred) == ("ok", 0, 2)
    assert Article.objects.count() == 0 and publisher_web.hits("/news/story-0.html") == 0
    check = FeedCheck.objects.get(feed=feed)
    assert check.error_kind == "robots_unreachable" and "robots.txt" in check.error
    feed.refresh_from_db()
    assert feed.etag == "" and feed.last_error == ""  # next fetch must return the entries

    publisher_web.add("/robots.txt", "User-agent: *\nAllow: /\n", headers=ROBOTS)
    politeness.robots_cache.clear()  # stands in for ROBOTS_ERROR_TTL_S passing
    again = actions.refresh_feed(feed.pk)
    assert (again.outcome, again.new_articles, again.deferred) == ("ok", 2, 0)
    assert not Article.objects.exclude(extraction_error="").exists()


# 429 / 503


def test_a_page_answering_429_stops_that_host_for_this_refresh(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = serve_articles(publisher_web, "news", 4)
    publisher_web.add("/news/story-1.html", "slow down", status=429, headers={"Retry-After": "900"})
    url = publisher_web.add("/feed.xml", rss(publisher_web, items), etag='"v1"', headers=RSS)
    feed = _feed(publisher, url)

    report = actions.refresh_feed(feed.pk)
    assert (report.new_articles, report.deferred, report.page_errors) == (1, 3, 0)
    assert list(Article.objects.values_list("guid", flat=True)) == ["news-0"]
    assert publisher_web.hits("/news/story-2.html") == publisher_web.hits("/news/story-3.html") == 0
    check = FeedCheck.objects.get(feed=feed)
    assert check.outcome == "ok" and check.error_kind == "page_throttled"
    assert "3 new item(s) left" in check.error and "429" in check.error
    feed.refresh_from_db()
    assert feed.etag == "" and feed.next_check_at >= timezone.now() + timedelta(seconds=890)

    # The host's pages recover; once the back-off has passed the rest are stored.
    serve_articles(publisher_web, "news", 4)
    politeness.reset()
    assert actions.refresh_feed(feed.pk).new_articles == 3
    assert Article.objects.filter(extraction_error="").count() == 4


def test_a_503_page_also_defers_and_other_feeds_of_the_host_wait_too(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = serve_articles(publisher_web, "a", 2)
    publisher_web.add("/a/story-0.html", "busy", status=503)
    first = _feed(publisher, publisher_web.add("/a.xml", rss(publisher_web, items)))
    second = _feed(
        publisher,
        publisher_web.add("/b.xml", rss(publisher_web, serve_articles(publisher_web, "b", 1))),
    )
    assert actions.refresh_feed(first.pk).deferred == 2
    report = actions.refresh_feed(second.pk)
    assert (report.new_articles, report.deferred) == (0, 1)
    assert publisher_web.hits("/b/story-0.html") == 0
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "retry_after"),
    # Stable ids: a clock time in the id would make two xdist workers collect different tests.
    [(429, "7200"), (503, formatdate(time.time() + 7200, usegmt=True))],
    ids=["429-seconds", "503-http-date"],
)
def test_a_feed_answering_429_or_503_waits_as_long_as_retry_after_asks(
    publisher_web: PublisherWeb, publisher: Publisher, status: int, retry_after: str
) -> None:
    url = publisher_web.add(
        "/feed.xml", "later", status=status, headers={"Retry-After": retry_after}
    )
    feed = _feed(publisher, url)
    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.error_kind) == ("error", "http_status")
    feed.refresh_from_db()
    assert feed.error_count == 1 and str(status) in feed.last_error
    # 2 h asked; jitter is at most 20 %, and without Retry-After the first back-off is 5 min.
    assert feed.next_check_at >= timezone.now() + timedelta(seconds=7200 * 0.79)
    assert feed.is_active


# Concurrency


class _InFlight:
    """How many requests are being served at once, and the most there ever were."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self.lock:
                self.active -= 1


class _Counting(_InFlight):
    """A handler that records how many requests it is serving at once, alone and in `overall`."""

    def __init__(self, body: bytes, ctype: str, delay_s: float, overall: _InFlight) -> None:
        super().__init__()
        self.body, self.ctype, self.delay_s, self.overall = body, ctype, delay_s, overall

    def __call__(self, req: object) -> None:
        with self.serving(), self.overall.serving():
            time.sleep(self.delay_s)
            req.send_body(200, self.body, {"Content-Type": self.ctype})  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_at_most_per_host_concurrency_requests_in_flight_per_host(
    publisher_web: PublisherWeb,
) -> None:
    other = PublisherWeb().start()
    try:
        publisher = Publisher.objects.create(name="P", slug="p")
        counters = []
        both_hosts = _InFlight()
        for web in (publisher_web, other):
            feed_counter = _Counting(rss(web, []).encode(), "application/rss+xml", 0.3, both_hosts)
            counters.append(feed_counter)
            for i in range(5):
                _feed(publisher, web.handle(f"/feed-{i}.xml", feed_counter))
        call_command("ingest", "--once", "--jobs", "10", "--no-progress", stdout=StringIO())
    finally:
        other.stop()
    assert [c.peak for c in counters] == [politeness.PER_HOST_CONCURRENCY] * 2
    assert FeedCheck.objects.filter(outcome="ok").count() == 10
    # The two hosts were served side by side: more requests at once than one host is allowed.
    assert both_hosts.peak > politeness.PER_HOST_CONCURRENCY


class _HeldOpen:
    """A feed that stalls: it sends a byte at a time (each well inside the read timeout) for as
    long as `until()` is false, then goes silent, so the fetch ends in a read timeout. It records
    whether `until()` came true while it was still sending."""

    TICK_S = 0.05
    GIVE_UP_S = 20.0  # only reached when `until()` never comes true, i.e. when the test fails
    SILENT_S = 5.0  # far longer than the read timeout the test sets

    def __init__(self, until: Callable[[], bool]) -> None:
        self.until = until
        self.came_true_while_open: list[bool] = []

    def __call__(self, req: Any) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Connection", "close")
        req.end_headers()
        give_up = time.monotonic() + self.GIVE_UP_S
        try:
            while not self.until() and time.monotonic() < give_up:
                req.wfile.write(b" ")
                req.wfile.flush()
                time.sleep(self.TICK_S)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.came_true_while_open.append(self.until())
        time.sleep(self.SILENT_S)
        req.close_connection = True


@pytest.mark.django_db(transaction=True)
def test_a_slow_feed_never_delays_the_others(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "READ_TIMEOUT_S", 0.5)
    slow_web = PublisherWeb().start()
    fast_paths: set[str] = set()

    def fast_feeds_fetched() -> bool:
        return fast_paths <= {r.path for r in list(publisher_web.requests)}

    stall = _HeldOpen(fast_feeds_fetched)
    try:
        publisher = Publisher.objects.create(name="P", slug="p")
        # Created first, so claimed first: one after another, they would come before the rest.
        slow = [_feed(publisher, slow_web.handle(f"/slow-{i}.xml", stall)) for i in range(2)]
        fast = []
        for i in range(3):
            items = serve_articles(publisher_web, f"f{i}", 2)
            fast_paths.update({f"/fast-{i}.xml", *(path for _, _, path in items)})
            fast.append(
                _feed(publisher, publisher_web.add(f"/fast-{i}.xml", rss(publisher_web, items)))
            )
        call_command(
            "ingest", "--once", "--jobs", "4", "--no-progress", stdout=StringIO(), stderr=StringIO()
        )
    finally:
        slow_web.stop()
    assert Article.objects.filter(feed__in=fast).count() == 6
    for feed in slow:
        feed.refresh_from_db()
        assert "longer than 0.5 s" in feed.last_error
        assert FeedCheck.objects.get(feed=feed).error_kind == "timeout"
    # Every fast feed and its pages were fetched while both slow feeds were still stalling.
    assert stall.came_true_while_open == [True, True]


def test_page_fetches_ask_for_html(publisher_web: PublisherWeb, publisher: Publisher) -> None:
    publisher_web.add("/p.html", article_page("P"), headers=HTML)
    feed = _feed(
        publisher, publisher_web.add("/feed.xml", rss(publisher_web, [("g", "P", "/p.html")]))
    )
    actions.refresh_feed(feed.pk)
    page_request = next(r for r in publisher_web.requests if r.path == "/p.html")
    assert page_request.headers["accept"].startswith("text/html")
