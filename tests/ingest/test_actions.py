"""refresh_feed against a local publisher web over real HTTP, on the test database."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ingest import actions, fetcher
from newsstand.ingest.models import FeedCheck
from newsstand.sources.models import Feed, Publisher
from tests.httpserver import PublisherWeb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private_urls")]

PAGE = """<!doctype html><html lang="en"><head>
<title>{title} - Local Daily</title>
<meta property="og:title" content="{title}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="2026-11-27T09:30:00+00:00">
<link rel="canonical" href="{canonical}">
</head><body><article><h1>{title}</h1>
<p class="byline">By {author}</p>
{paragraphs}
</article></body></html>"""


def _page(title: str, author: str, canonical: str, seed: str) -> str:
    paragraphs = "\n".join(
        f"<p>{seed} paragraph {i}: the council met on Tuesday to discuss the budget for the "
        f"coming year, and members argued at length about roads, schools and libraries.</p>"
        for i in range(8)
    )
    return PAGE.format(title=title, author=author, canonical=canonical, paragraphs=paragraphs)


def _rss(web: PublisherWeb, items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{web.url(link)}</link><guid>{guid}</guid>"
        f"<description>Teaser for {t}</description>"
        "<pubDate>Fri, 27 Nov 2026 09:30:00 GMT</pubDate></item>"
        for guid, t, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local Daily</title>'
        f"<link>{web.base_url}</link>{body}</channel></rss>"
    )


@pytest.fixture
def publisher() -> Publisher:
    return Publisher.objects.create(name="Local Daily", slug="local-daily")


def _feed(publisher: Publisher, url: str) -> Feed:
    return Feed.objects.create(publisher=publisher, url=url)


def _serve_articles(web: PublisherWeb, n: int) -> list[tuple[str, str, str]]:
    items = []
    for i in range(n):
        path = f"/news/story-{i}.html"
        web.add(
            path,
            _page(f"Story {i}", "Jane Doe", web.url(path), f"story{i}"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        items.append((f"guid-{i}", f"Story {i}", path))
    return items


def test_refresh_stores_full_articles_then_sees_not_modified(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = _serve_articles(publisher_web, 3)
    url = publisher_web.add(
        "/feed.xml",
        _rss(publisher_web, items),
        etag='"v1"',
        headers={"Content-Type": "application/rss+xml"},
    )
    feed = _feed(publisher, url)

    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.new_articles) == ("ok", 3)
    art = Article.objects.get(guid="guid-1")
    assert art.title == "Story 1"
    assert art.authors == ["Jane Doe"]
    assert "council met on Tuesday" in art.content_text
    assert art.word_count > 100
    assert art.published_at is not None

    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.error_count == 0 and feed.leased_until is None
    assert feed.next_check_at > timezone.now()

    again = actions.refresh_feed(feed.pk)
    assert again.outcome == "not_modified"
    assert Article.objects.count() == 3


def test_same_article_through_two_feeds_and_a_tracking_link_is_stored_once(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = _serve_articles(publisher_web, 1)
    tracked = [("other-guid", "Story 0", "/news/story-0.html?utm_source=rss&utm_medium=feed")]
    a = _feed(publisher, publisher_web.add("/a.xml", _rss(publisher_web, items)))
    b = _feed(publisher, publisher_web.add("/b.xml", _rss(publisher_web, tracked)))
    assert actions.refresh_feed(a.pk).new_articles == 1
    assert actions.refresh_feed(b.pk).new_articles == 0
    assert Article.objects.count() == 1


def test_a_missing_page_keeps_the_feed_entry(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = [("gone-guid", "Vanished story", "/news/missing.html")]
    feed = _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    report = actions.refresh_feed(feed.pk)
    assert report.outcome == "ok" and report.new_articles == 1 and report.page_errors == 1
    art = Article.objects.get()
    assert art.title == "Vanished story"
    assert "Teaser for Vanished story" in art.content_text
    assert "404" in art.extraction_error


def test_a_failing_feed_backs_off_and_does_not_touch_others(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = _serve_articles(publisher_web, 2)
    good = _feed(publisher, publisher_web.add("/good.xml", _rss(publisher_web, items)))
    bad = _feed(publisher, publisher_web.add("/bad.xml", "oops", status=500))
    assert actions.refresh_feed(bad.pk).outcome == "error"
    assert actions.refresh_feed(good.pk).new_articles == 2
    bad.refresh_from_db()
    assert bad.error_count == 1 and "500" in bad.last_error
    assert bad.next_check_at > timezone.now() + timedelta(minutes=3)
    assert bad.is_active


def test_not_a_feed_is_a_specific_error(publisher_web: PublisherWeb, publisher: Publisher) -> None:
    url = publisher_web.add(
        "/feed.xml", "<html><body>Welcome</body></html>", headers={"Content-Type": "text/html"}
    )
    feed = _feed(publisher, url)
    assert actions.refresh_feed(feed.pk).outcome == "error"
    feed.refresh_from_db()
    assert feed.last_error.startswith("The feed could not be read")


def test_gone_stops_polling_visibly(publisher_web: PublisherWeb, publisher: Publisher) -> None:
    feed = _feed(publisher, publisher_web.add("/feed.xml", "gone", status=410))
    assert actions.refresh_feed(feed.pk).outcome == "gone"
    feed.refresh_from_db()
    assert not feed.is_active and "410 Gone" in feed.last_error
    assert actions.claim_due_feeds() == []


def test_permanent_redirect_updates_the_stored_url(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    new_url = publisher_web.add("/new.xml", _rss(publisher_web, []))
    feed = _feed(publisher, publisher_web.redirect("/old.xml", "/new.xml", status=301))
    assert actions.refresh_feed(feed.pk).outcome == "ok"
    feed.refresh_from_db()
    assert feed.url == new_url


def test_leases_keep_two_workers_off_one_feed(publisher: Publisher) -> None:
    feed = _feed(publisher, "http://127.0.0.1:9/feed.xml")
    now = timezone.now()
    assert actions.claim_due_feeds(now=now) == [feed.pk]
    assert actions.claim_due_feeds(now=now) == []
    assert not actions.claim_feed(feed.pk, now=now)
    # A worker that died leaves the lease to run out; the feed is then picked up again.
    later = now + timedelta(seconds=actions.LEASE_S + 1)
    assert actions.claim_due_feeds(now=later) == [feed.pk]


def test_only_due_feeds_of_active_publishers_are_claimed(publisher: Publisher) -> None:
    due = _feed(publisher, "http://127.0.0.1:9/due.xml")
    later = _feed(publisher, "http://127.0.0.1:9/later.xml")
    Feed.objects.filter(pk=later.pk).update(next_check_at=timezone.now() + timedelta(hours=1))
    retired = Publisher.objects.create(name="Retired", slug="retired", is_active=False)
    _feed(retired, "http://127.0.0.1:9/retired.xml")
    assert actions.claim_due_feeds() == [due.pk]


def test_the_tick_runs_refreshes_through_the_task_queue(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    from huey.contrib.djhuey import HUEY

    from newsstand.ingest.tasks import enqueue_due_feeds

    items = _serve_articles(publisher_web, 2)
    _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    was = HUEY.immediate
    HUEY.immediate = True  # run enqueued tasks in-process, through the real django.tasks backend
    try:
        assert enqueue_due_feeds() == 1
    finally:
        HUEY.immediate = was
    assert Article.objects.count() == 2


def test_the_same_text_at_two_addresses_is_one_article(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    body = _page("Story", "Jane Doe", publisher_web.url("/news/a.html"), "same")
    publisher_web.add("/news/a.html", body, headers={"Content-Type": "text/html"})
    publisher_web.add(
        "/print/a.html",
        body.replace(publisher_web.url("/news/a.html"), publisher_web.url("/print/a.html")),
        headers={"Content-Type": "text/html"},
    )
    items = [("g-a", "Story", "/news/a.html"), ("g-b", "Story (print)", "/print/a.html")]
    feed = _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    assert actions.refresh_feed(feed.pk).new_articles == 1
    assert Article.objects.count() == 1


def test_categories_become_section_and_topics(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    publisher_web.add(
        "/news/c.html",
        _page("Cat", "Jane Doe", publisher_web.url("/news/c.html"), "cat"),
        headers={"Content-Type": "text/html"},
    )
    rss = _rss(publisher_web, [("g-c", "Cat", "/news/c.html")]).replace(
        "</item>", "<category>Business</category><category>Markets</category></item>"
    )
    feed = _feed(publisher, publisher_web.add("/feed.xml", rss))
    actions.refresh_feed(feed.pk)
    art = Article.objects.get()
    assert art.topics == ["Business", "Markets"]
    assert (art.section, art.section_source) == ("Business", "Business")


@pytest.mark.parametrize(
    ("category", "feed_section", "section"),
    [
        ("TECHNOLOGY", "", "Technology"),
        ("Sports", "", "Sport"),
        ("Apollo 8, Frank Borman, Humans in Space, NASA History", "", "Science"),
        # Not a section: the feed's own section (set by staff) stands in.
        ("news", "World", "World"),
        ("Article", "", ""),
    ],
)
def test_sections_are_mapped_onto_the_list_at_ingest(
    publisher_web: PublisherWeb,
    publisher: Publisher,
    category: str,
    feed_section: str,
    section: str,
) -> None:
    publisher_web.add(
        "/news/s.html",
        _page("Sec", "Jane Doe", publisher_web.url("/news/s.html"), "sec"),
        headers={"Content-Type": "text/html"},
    )
    rss = _rss(publisher_web, [("g-s", "Sec", "/news/s.html")]).replace(
        "</item>", f"<category>{category}</category></item>"
    )
    feed = _feed(publisher, publisher_web.add("/feed.xml", rss))
    Feed.objects.filter(pk=feed.pk).update(section=feed_section)
    actions.refresh_feed(feed.pk)
    art = Article.objects.get()
    assert art.section == section
    assert art.section_source == category


@pytest.mark.parametrize(
    ("headers", "ttl", "floor_s"),
    [
        ({"Cache-Control": "public, max-age=7200"}, "", 7200),
        ({"Expires": "Fri, 01 Jan 2100 00:00:00 GMT"}, "", 24 * 3600),
        ({}, "<ttl>180</ttl>", 180 * 60),
    ],
    ids=["cache-control", "expires", "rss-ttl"],
)
def test_publisher_cache_hints_set_the_next_check(
    publisher_web: PublisherWeb,
    publisher: Publisher,
    headers: dict[str, str],
    ttl: str,
    floor_s: int,
) -> None:
    # Items published together: on its own the rhythm would say "poll every 5 minutes".
    items = [(f"g{i}", f"Item {i}", f"/missing/{i}.html") for i in range(3)]
    rss = _rss(publisher_web, items).replace("<channel>", f"<channel>{ttl}")
    feed = _feed(publisher, publisher_web.add("/feed.xml", rss, headers=headers))
    before = timezone.now()
    assert actions.refresh_feed(feed.pk).outcome == "ok"
    feed.refresh_from_db()
    # Jitter is 20 % either way; the hint is a floor, clamped to a day at most.
    assert feed.next_check_at >= before + timedelta(seconds=min(floor_s, 24 * 3600) * 0.8)


def test_a_publisher_added_by_url_takes_its_feeds_name(publisher_web: PublisherWeb) -> None:
    from newsstand.sources.actions import add_feed

    url = publisher_web.add("/feed.xml", _rss(publisher_web, []))
    feed = add_feed(url)
    placeholder = feed.publisher.name
    assert actions.refresh_feed(feed.pk).outcome == "ok"
    feed.publisher.refresh_from_db()
    assert placeholder != "Local Daily"
    assert feed.publisher.name == "Local Daily"
    assert feed.publisher.homepage == publisher_web.base_url


def test_a_chosen_publisher_name_is_kept(publisher_web: PublisherWeb) -> None:
    chosen = Publisher.objects.create(name="The Chosen Name", slug="chosen")
    feed = _feed(chosen, publisher_web.add("/feed.xml", _rss(publisher_web, [])))
    actions.refresh_feed(feed.pk)
    chosen.refresh_from_db()
    assert chosen.name == "The Chosen Name"


# A refresh's own work besides the fetches (database, robots.txt, extraction) on a busy machine.
REFRESH_SLACK_S = 1.5


def test_a_feed_dripping_its_headers_fails_at_the_total_deadline(
    publisher_web: PublisherWeb, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 1.0)
    feed = _feed(publisher, publisher_web.drip_headers("/feed.xml"))
    started = time.monotonic()
    report = actions.refresh_feed(feed.pk)
    assert time.monotonic() - started < 1.0 + REFRESH_SLACK_S
    assert (report.outcome, report.error_kind) == ("error", "timeout")
    feed.refresh_from_db()
    assert "took longer than 1 s in total" in feed.last_error
    assert FeedCheck.objects.get(feed=feed).error_kind == "timeout"


def test_a_page_dripping_its_headers_is_cut_off_and_the_feed_goes_on(
    publisher_web: PublisherWeb, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 1.0)
    items = _serve_articles(publisher_web, 1)
    publisher_web.drip_headers("/news/slow.html")
    items.append(("slow-guid", "Slow story", "/news/slow.html"))
    feed = _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    started = time.monotonic()
    report = actions.refresh_feed(feed.pk)
    assert time.monotonic() - started < 1.0 + REFRESH_SLACK_S
    assert (report.outcome, report.new_articles, report.page_errors) == ("ok", 2, 1)
    slow = Article.objects.get(guid="slow-guid")
    assert slow.extraction_error.startswith("Page: ")
    assert "took longer than 1 s in total" in slow.extraction_error
    assert Article.objects.get(guid="guid-0").extraction_error == ""


def _json_feed(web: PublisherWeb, items: list[tuple[str, str, str]]) -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Local Daily",
        "items": [
            {"id": guid, "url": web.url(link), "title": title, "content_text": f"Teaser {title}"}
            for guid, title, link in items
        ],
    }
    return json.dumps(doc)  # ensure_ascii: a lone surrogate stays the escape "\ud800"


@pytest.mark.parametrize("kind", ["json", "rss"])
def test_surrogates_and_nul_in_item_titles_do_not_stop_the_feed(
    publisher_web: PublisherWeb, publisher: Publisher, kind: str
) -> None:
    # No pages behind the links: the feed's own text is what gets stored.
    if kind == "json":
        titles = ["Lone \ud800 surrogate", "A \u0000 NUL", "Clean"]
        build, headers = _json_feed, {"Content-Type": "application/feed+json"}
    else:
        titles = ["Lone &#xD800; surrogate", "A &#0; NUL", "Clean"]
        build, headers = _rss, {"Content-Type": "application/rss+xml"}
    body = build(
        publisher_web, [(f"guid-{n}", t, f"/missing/{n}.html") for n, t in enumerate(titles)]
    )
    feed = _feed(publisher, publisher_web.add("/feed", body, headers=headers))
    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.new_articles, report.item_errors) == ("ok", 3, 0), report
    assert dict(Article.objects.values_list("guid", "title")) == {
        "guid-0": "Lone \ufffd surrogate",
        "guid-1": "A NUL",
        "guid-2": "Clean",
    }
    for article in Article.objects.all():
        assert "\x00" not in article.content_text + article.summary
    assert FeedCheck.objects.get(feed=feed).outcome == "ok"


def test_an_item_the_database_refuses_is_recorded_and_the_rest_are_stored(
    publisher_web: PublisherWeb, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DataError

    index_topics = actions.index_article_topics

    def refuse_one(article: Article) -> None:
        index_topics(article)
        if article.guid == "guid-1":  # after the insert: its savepoint must undo it
            raise DataError("value too long for type character varying(2000)")

    monkeypatch.setattr(actions, "index_article_topics", refuse_one)
    items = _serve_articles(publisher_web, 3)
    feed = _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.new_articles, report.item_errors) == ("ok", 2, 1)
    assert set(Article.objects.values_list("guid", flat=True)) == {"guid-0", "guid-2"}
    check = FeedCheck.objects.get(feed=feed)
    assert (check.outcome, check.item_errors, check.error_kind) == ("ok", 1, "bad_item")
    assert "guid-1" in check.error and "value too long" in check.error
    assert publisher_web.url("/news/story-1.html") in check.error
    feed.refresh_from_db()
    assert feed.error_count == 0 and feed.last_success_at is not None


def test_many_pages_are_extracted_in_worker_processes_and_stored_in_the_feeds_order(
    publisher_web: PublisherWeb, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed with more new pages than `pipeline.POOL_MIN_PAGES`: extracted in two worker
    processes while the next pages download, each stored whole, in the feed's order, a missing
    page kept from the feed as in one process."""
    from concurrent.futures import ProcessPoolExecutor

    from newsstand.ingest import pipeline

    submitted: list[str] = []

    class Counted(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(args[1])
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Counted)
    n = pipeline.POOL_MIN_PAGES + 6
    items = _serve_articles(publisher_web, n)
    items.insert(5, ("guid-missing", "Missing", "/news/missing.html"))
    feed = _feed(publisher, publisher_web.add("/feed.xml", _rss(publisher_web, items)))
    report = actions.refresh_feed(feed.pk, extract_processes=2)
    assert (report.outcome, report.new_articles, report.page_errors) == ("ok", n + 1, 1)
    stored = list(Article.objects.order_by("pk").values_list("guid", "word_count", "authors"))
    assert [guid for guid, _, _ in stored] == [guid for guid, _, _ in items]
    for guid, words, authors in stored:
        if guid != "guid-missing":
            assert words > 100 and authors == ["Jane Doe"], guid
    assert len(submitted) == n  # every page found, in the workers
    missing = Article.objects.get(guid="guid-missing")
    assert missing.content_text == "" or "Teaser for Missing" in missing.content_text


def test_a_page_whose_extraction_worker_died_is_extracted_here() -> None:
    """The pool broke (a worker killed, out of memory): the page loses nothing."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool
    from datetime import UTC, datetime

    from newsstand.ingest import pipeline
    from newsstand.ingest.feeds import ParsedEntry
    from newsstand.ingest.fetcher import FetchResult

    url = "https://local.example/news/story.html"
    entry = ParsedEntry(
        guid="g", url=url, title="Story", summary_html="", authors=[],
        published=datetime(2026, 11, 27, tzinfo=UTC), updated=None, categories=[],
        image_url=None,
    )  # fmt: skip
    page = FetchResult(
        url=url, status=200, content=_page("Story", "Jane Doe", url, "s").encode(),
        headers={"content-type": "text/html"}, etag=None, last_modified=None,
        not_modified=False, permanent_redirect=None, elapsed_s=0.01,
    )  # fmt: skip
    future: Future = Future()
    future.set_exception(BrokenProcessPool("a worker died"))
    _, draft = pipeline._finished(entry, (page, future), 1)
    assert not isinstance(draft, Exception | pipeline.Deferred)
    assert draft.extraction_error == "" and "council met on Tuesday" in draft.text
