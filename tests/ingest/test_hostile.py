"""The hostile corpus: feeds and pages that are broken, huge, slow or malicious, served by the
local publisher web and ingested with `ingest --once`, next to a healthy feed.

Each must end in a specific recorded error or safe output; the healthy feed's new items must be
stored; and articles stored before the hostile run must come out of it unchanged.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ingest import actions, fetcher
from newsstand.ingest.models import FeedCheck
from newsstand.sources.models import Feed, Publisher
from tests.httpserver import PublisherWeb
from tests.ingest.corpus import HTML, RSS, article_page, rss, serve_articles

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("allow_private_urls"),
]

XML = {"Content-Type": "application/xml"}
MB = 1024 * 1024

XSS_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt;Breaking &lt;b&gt;news&lt;/b&gt;"
XSS_BODY = (
    '&lt;p onclick="alert(2)"&gt;Hi there&lt;/p&gt;&lt;script&gt;alert(3)&lt;/script&gt;'
    '&lt;a href="javascript:alert(4)"&gt;click&lt;/a&gt;&lt;img src=x onerror=alert(5)&gt;'
)
XSS_PAGE = (
    '<!doctype html><html><head><title>"><script>alert(6)</script></title>'
    '<meta property="og:title" content="&quot;&gt;&lt;script&gt;alert(7)&lt;/script&gt;">'
    "</head><body onload=alert(8)><article><h1>Story</h1>"
    + "".join(
        f'<p onmouseover="alert(9)">Paragraph {i} about the council, the roads and the '
        f'schools <a href="javascript:alert(10)">link</a> <img src="x.png" onerror="alert(11)">'
        f"<script>alert(12)</script></p>"
        for i in range(6)
    )
    + '<iframe src="javascript:alert(13)"></iframe><svg onload=alert(14)></svg>'
    "</article></body></html>"
)
DANGER = ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "<iframe")


@pytest.fixture
def fast_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fetcher's timeouts are minutes long; a test of them must not be. Not much shorter than
    # this, though: at 0.5 s a healthy page served under a loaded CI machine (two test workers,
    # four fetch jobs) now and then timed out too.
    monkeypatch.setattr(fetcher, "READ_TIMEOUT_S", 1.5)
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 5.0)


def _item(guid: str, title: str, link: str, extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>{extra}</item>"


def _channel(items: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>{items}</channel></rss>'
    )


def _gzip_bomb(decompressed_bytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * MB
    out = [packer.compress(zeros) for _ in range(decompressed_bytes // MB)]
    return b"".join([*out, packer.flush()])


def _fifty_megabytes() -> Iterator[bytes]:
    chunk = b"<item>" + b"x" * (MB - 6)
    for _ in range(50):
        yield chunk


def _serve_hostile(web: PublisherWeb) -> dict[str, str]:
    """Every hostile feed on the web; returns name -> feed URL."""
    page = web.url
    web.add("/pages/plain.html", article_page("Plain"), headers=HTML)
    web.add("/pages/xss.html", XSS_PAGE, headers=HTML)
    nesting = 20_000
    web.add(
        "/pages/nested.html",
        "<html><body>" + "<div><span>" * nesting + "deep " * 50 + "</span></div>" * nesting,
        headers=HTML,
    )
    web.stream(
        "/pages/huge.html",
        lambda: (b"<div>" * (MB // 5) for _ in range(fetcher.PAGE_MAX_BYTES // MB + 1)),
        headers=HTML,
    )
    web.add(
        "/pages/junk.html",
        bytes(random.Random(7).randrange(256) for _ in range(200_000)),
        headers=HTML,
    )
    # gzip'd without Content-Encoding: the extractor, not the fetcher, inflates it.
    web.add("/pages/gzbomb.html", _gzip_bomb(50 * MB), headers=HTML)
    for i in range(4):
        web.add(f"/pages/p{i}.html", article_page(f"P{i}", f"p{i}"), headers=HTML)

    urls = {
        "malformed": web.add(
            "/malformed.xml",
            _channel(_item("m1", "Broken &amp; bad", page("/pages/p0.html")))[:-30]
            + "<item><title>Unclosed & bare",
            headers=XML,
        ),
        "garbage": web.add("/garbage.xml", b"<rss><<<>>>&&&\x00\x01", headers=XML),
        "wrong_encoding": web.add(
            "/latin1.xml",
            _channel(_item("enc", "Caf\xe9 cr\xe8me", page("/pages/p1.html")))
            .replace('version="1.0"?', 'version="1.0" encoding="utf-8"?')
            .encode("latin-1"),
            headers=XML,
        ),
        "html": web.add("/html.xml", "<!doctype html><html><body>Hi</body></html>", headers=HTML),
        "empty": web.add("/empty.xml", b"", headers=XML),
        "404": web.add("/missing.xml", "nope", status=404),
        "410": web.add("/gone.xml", "gone", status=410),
        "500": web.add("/broken.xml", "oops", status=500),
        "redirect_loop": web.redirect("/loop-a.xml", "/loop-b.xml", status=302),
        "gzip_bomb": web.add(
            "/bomb.xml",
            _gzip_bomb(2 * fetcher.FEED_MAX_BYTES),
            headers={**XML, "Content-Encoding": "gzip"},
        ),
        "fifty_mb": web.stream("/fifty.xml", _fifty_megabytes, headers=XML),
        "drip": web.drip("/drip.xml", total_bytes=100, delay_s=3.0, headers=XML),
        "dates": web.add(
            "/dates.xml",
            _channel(
                _item("d1", "Bad date", page("/pages/p2.html"), "<pubDate>not a date</pubDate>")
                + _item(
                    "d2",
                    "Far future",
                    page("/pages/p3.html"),
                    "<pubDate>Fri, 27 Nov 2999 09:30:00 GMT</pubDate>",
                )
            ),
            headers=XML,
        ),
        "duplicate_guids": web.add(
            "/dups.xml",
            _channel(
                _item("dup", "First", page("/pages/dup-1.html"))
                + _item("dup", "Second", page("/pages/dup-2.html"))
                + _item("other", "Other", page("/pages/dup-1.html"))
            ),
            headers=XML,
        ),
        "xss": web.add(
            "/xss.xml",
            _channel(
                _item(
                    "xss",
                    XSS_TITLE,
                    page("/pages/xss.html"),
                    f"<description>{XSS_BODY}</description>",
                )
                + _item(
                    "xss-feed-only",
                    XSS_TITLE,
                    page("/pages/missing.html"),
                    f"<description>{XSS_BODY}</description>",
                )
            ),
            headers=XML,
        ),
        "hostile_pages": web.add(
            "/hostile-pages.xml",
            _channel(
                "".join(
                    _item(name, name, page(f"/pages/{name}.html"))
                    for name in ("nested", "huge", "junk", "gzbomb")
                )
            ),
            headers=XML,
        ),
    }
    web.redirect("/loop-b.xml", "/loop-a.xml", status=302)
    return urls


def _snapshot(articles: Any) -> list[dict[str, Any]]:
    return list(articles.order_by("pk").values())


@pytest.mark.usefixtures("fast_timeouts")
def test_the_hostile_corpus_records_specific_errors_and_loses_nothing(
    publisher_web: PublisherWeb,
) -> None:
    good_pub = Publisher.objects.create(name="Good", slug="good")
    items = serve_articles(publisher_web, "good", 3)
    good = Feed.objects.create(
        publisher=good_pub, url=publisher_web.add("/good.xml", rss(publisher_web, items))
    )
    assert actions.refresh_feed(good.pk).new_articles == 3
    before = _snapshot(Article.objects.all())

    # The healthy feed gains two items; a hostile feed of the same publisher reuses its GUIDs
    # and URLs with other titles and pages, which must not overwrite anything.
    more = serve_articles(publisher_web, "more", 2)
    publisher_web.add("/good.xml", rss(publisher_web, items + more))
    impostor_items = [(guid, "Impostor", f"/evil/{guid}.html") for guid, _t, _l in items]
    impostor_items.append(("good-x", "Impostor 2", items[0][2]))
    impostor = Feed.objects.create(
        publisher=good_pub,
        url=publisher_web.add("/impostor.xml", rss(publisher_web, impostor_items)),
    )
    hostile_pub = Publisher.objects.create(name="Hostile", slug="hostile")
    urls = _serve_hostile(publisher_web)
    feeds = {name: Feed.objects.create(publisher=hostile_pub, url=u) for name, u in urls.items()}
    Feed.objects.update(next_check_at=timezone.now())

    out, err = StringIO(), StringIO()
    call_command("ingest", "--once", "--jobs", "4", "--no-progress", stdout=out, stderr=err)
    assert f"{len(feeds) + 2} feed(s)" in out.getvalue()

    # Nothing stored before was lost or changed, and the healthy feed went on.
    assert _snapshot(Article.objects.filter(pk__in=[a["id"] for a in before])) == before
    assert set(Article.objects.filter(feed=good).values_list("guid", flat=True)) == {
        "good-0", "good-1", "good-2", "more-0", "more-1"
    }  # fmt: skip
    assert not Article.objects.filter(feed=impostor).exists()
    assert Article.objects.filter(title__startswith="Impostor").count() == 0

    def check(name: str) -> FeedCheck:
        return FeedCheck.objects.filter(feed=feeds[name]).latest("checked_at")

    def last_error(name: str) -> str:
        feeds[name].refresh_from_db()
        return feeds[name].last_error

    expected_errors = {
        "garbage": ("parse", "The feed could not be read: malformed XML"),
        "html": ("parse", "The feed could not be read: not a feed: the server sent an HTML"),
        "empty": ("parse", "The feed could not be read: empty document"),
        "404": ("http_status", "does not exist (HTTP 404 Not Found)"),
        "500": ("http_status", "internal error (HTTP 500 Internal Server Error)"),
        "redirect_loop": ("too_many_redirects", "The redirects go round in a loop"),
        "gzip_bomb": ("too_large", "larger than the limit of 10,485,760 bytes once decompressed"),
        "fifty_mb": ("too_large", "larger than the limit of 10,485,760 bytes"),
        "drip": ("timeout", "longer than 1.5 s"),
    }
    for name, (kind, message) in expected_errors.items():
        assert (check(name).outcome, check(name).error_kind) == ("error", kind), name
        assert message in last_error(name), (name, last_error(name))
        assert feeds[name].error_count == 1 and feeds[name].is_active, name

    assert check("410").outcome == "gone" and "410 Gone" in last_error("410")
    assert not feeds["410"].is_active

    # Lenient parsing gives safe output: the well-formed part of a malformed feed...
    malformed = Article.objects.filter(feed=feeds["malformed"])
    assert list(malformed.values_list("title", flat=True)) == ["Broken & bad"]
    # ...and text in a wrongly declared encoding repaired rather than mangled.
    assert Article.objects.get(guid="enc").title == "Café crème"

    # Unreadable and far-future dates are dropped, never stored as a date in the future.
    dated = Article.objects.filter(feed=feeds["dates"])
    assert dated.count() == 2
    assert all(
        a.published_at is None or a.published_at <= timezone.now() + timedelta(days=1)
        for a in dated
    )

    # One GUID twice in one feed: stored once; the same page under another GUID: not again.
    assert list(
        Article.objects.filter(feed=feeds["duplicate_guids"]).values_list("guid", "title")
    ) == [("dup", "First")]

    # Hostile pages do not crash the refresh; the feed's own data is kept.
    assert check("hostile_pages").outcome == "ok"
    hostile = {a.guid: a for a in Article.objects.filter(feed=feeds["hostile_pages"])}
    assert set(hostile) == {"nested", "huge", "junk", "gzbomb"}
    assert "larger than the limit" in hostile["huge"].extraction_error
    assert "larger than 5,242,880 bytes once decompressed" in hostile["gzbomb"].extraction_error
    assert hostile["junk"].extraction_error.startswith("Extraction:")

    for article in Article.objects.filter(feed=feeds["xss"]):
        assert "<" not in article.title and "alert(1)" in article.title
        for danger in DANGER:
            assert danger not in article.content_html.lower(), (article.guid, danger)
            assert danger not in article.summary.lower()
    assert Article.objects.filter(feed=feeds["xss"]).count() == 2


def test_a_feed_repeating_guids_across_refreshes_changes_nothing(
    publisher_web: PublisherWeb,
) -> None:
    publisher = Publisher.objects.create(name="P", slug="p")
    items = serve_articles(publisher_web, "n", 2)
    feed = Feed.objects.create(
        publisher=publisher, url=publisher_web.add("/feed.xml", rss(publisher_web, items))
    )
    actions.refresh_feed(feed.pk)
    before = _snapshot(Article.objects.all())
    # Same GUIDs, new titles and links: the publisher re-used them; we keep the originals.
    reused = [(guid, f"Rewritten {guid}", f"/other/{guid}.html") for guid, _t, _l in items]
    publisher_web.add("/feed.xml", rss(publisher_web, reused), headers=RSS)
    report = actions.refresh_feed(feed.pk)
    assert (report.outcome, report.new_articles) == ("ok", 0)
    assert _snapshot(Article.objects.all()) == before


def test_script_payloads_are_escaped_or_removed_on_the_article_page(
    publisher_web: PublisherWeb,
) -> None:
    publisher = Publisher.objects.create(name="P", slug="p")
    feed = Feed.objects.create(publisher=publisher, url=_serve_hostile(publisher_web)["xss"])
    assert actions.refresh_feed(feed.pk).new_articles == 2
    for article in Article.objects.all():
        page = Client().get(f"/articles/{article.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "&lt;b&gt;" not in html  # tags in titles are dropped, not shown as text
        assert "alert(1)Breaking news" in html or "alert(1) Breaking news" in html
        for n in range(2, 15):
            # Every payload is gone or inert text: none survives inside markup.
            for danger in (f"<script>alert({n})", f"=alert({n})", f'="alert({n})"'):
                assert danger not in html, (article.guid, danger)
        assert "javascript:" not in html.lower()
