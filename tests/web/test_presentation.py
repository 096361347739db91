from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newsstand.reader.templatetags.reader_tags import ago
from newsstand.web.presentation import make_teaser, strip_duplicate_lead, was_updated

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_teaser_prefers_summary_and_strips_tags():
    assert make_teaser("<p>Hello <b>world</b></p>", "body") == "Hello world"


def test_teaser_falls_back_to_text_and_truncates():
    teaser = make_teaser("", "word " * 100, limit=50)
    assert len(teaser) <= 50
    assert teaser.endswith("…")


def test_was_updated():
    assert not was_updated(NOW, None)
    assert not was_updated(NOW, NOW + timedelta(minutes=2))
    assert was_updated(NOW, NOW + timedelta(hours=2))
    assert was_updated(None, NOW)


def test_strip_duplicate_lead_removes_figure_and_loose_caption():
    body = (
        "<p>One.</p>"
        '<figure><img src="https://i.example/a.jpg"><figcaption>Cap</figcaption></figure>'
        "<p>Two.</p><p>Cap Credit</p><p>Three &lt;script&gt;.</p>"
    )
    out = strip_duplicate_lead(body, "https://i.example/a.jpg", "Cap", "Credit")
    assert out == "<p>One.</p><p>Two.</p><p>Three &lt;script&gt;.</p>"


def test_strip_duplicate_lead_keeps_other_images_and_leading_text_escaped():
    body = 'a &lt;b&gt; <img src="https://i.example/other.jpg"><p>Cap</p>'
    out = strip_duplicate_lead(body, "https://i.example/a.jpg", "Cap")
    assert out == 'a &lt;b&gt; <img src="https://i.example/other.jpg">'


def test_strip_duplicate_lead_untouched_without_match():
    body = "<p>Nothing to see.</p>"
    assert strip_duplicate_lead(body, "https://i.example/a.jpg", "Cap") is body


def test_strip_duplicate_lead_finds_them_as_markup_writes_them():
    """The body is ruled out without parsing only when neither could be in it: an address
    with `&` (written `&amp;`) and a caption with entities and inline markup are still found."""
    src = "https://i.example/a.jpg?w=800&h=600"
    body = (
        '<p>One.</p><img src="https://i.example/a.jpg?w=800&amp;h=600">'
        "<p>Smith &amp; Sons&#39; <em>harbour</em>, at dawn</p><p>Two.</p>"
    )
    out = strip_duplicate_lead(body, src, "Smith & Sons' harbour, at dawn")
    assert out == "<p>One.</p><p>Two.</p>"


def test_strip_duplicate_lead_finds_a_caption_split_by_inline_markup():
    """Punctuation after a closing tag, and entities, between the caption's words."""
    body = "<p>One.</p><p>Boats &amp; nets: <em>harbour</em>, at dawn&#8217;s light</p><p>Two.</p>"
    caption = "Boats & nets: harbour, at dawn\u2019s light"
    assert strip_duplicate_lead(body, "", caption) == "<p>One.</p><p>Two.</p>"


def test_strip_duplicate_lead_does_not_parse_a_body_that_cannot_hold_them(monkeypatch):
    import lxml.html

    def parse(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(lxml.html, "fragment_fromstring", parse)
    body = "<p>A long report from the harbour.</p>" * 50
    assert strip_duplicate_lead(body, "https://i.example/a.jpg", "Fishermen unload at dawn") is body


def test_ago():
    assert ago(None) == ""
    assert ago(NOW - timedelta(seconds=10), NOW) == "just now"
    assert ago(NOW - timedelta(hours=3, minutes=5), NOW) == "3\xa0hours ago"
    assert ago(NOW - timedelta(days=30), NOW) == "31 Jan 2024"


@pytest.mark.parametrize(
    "url,over_https,over_http",
    [
        ("https://cdn.example/a.jpg", "https://cdn.example/a.jpg", "https://cdn.example/a.jpg"),
        ("http://cdn.example/a.jpg", "https://cdn.example/a.jpg", "http://cdn.example/a.jpg"),
        (" //cdn.example/a.jpg ", "https://cdn.example/a.jpg", "https://cdn.example/a.jpg"),
        ("/a.jpg", "", ""),
        ("data:image/png;base64,AAAA", "", ""),
        ("javascript:alert(1)", "", ""),
        ("", "", ""),
    ],
)
def test_images_are_shown_over_https_on_an_https_site(
    settings: Any, url: str, over_https: str, over_http: str
) -> None:
    from newsstand.web.presentation import image_src

    settings.NEWSSTAND_HTTPS = True
    assert image_src(url) == over_https
    settings.NEWSSTAND_HTTPS = False
    assert image_src(url) == over_http


def test_body_images_are_asked_for_over_https_on_an_https_site(settings: Any) -> None:
    from newsstand.web.presentation import body_images

    html = '<p><img alt="" src="http://cdn.example/a.jpg"> <a href="http://x.example/">x</a></p>'
    settings.NEWSSTAND_HTTPS = False
    assert body_images(html) == html
    settings.NEWSSTAND_HTTPS = True
    assert body_images(html) == html.replace('src="http://', 'src="https://')


@pytest.mark.parametrize(
    "caption,title,shown",
    [
        (
            "Israel-Gaza war in maps and charts: Live tracker",
            "Israel-Gaza war in maps and charts: Live tracker",
            "",
        ),
        (
            "  israel gaza war in maps and charts live tracker. ",
            "Israel-Gaza war in maps and charts: Live tracker",
            "",
        ),
        (
            "Rescuers search the rubble in Khan Younis.",
            "Israel-Gaza war in maps and charts: Live tracker",
            "Rescuers search the rubble in Khan Younis.",
        ),
        ("", "A headline", ""),
    ],
)
def test_a_caption_that_only_repeats_the_headline_is_not_shown(
    caption: str, title: str, shown: str
) -> None:
    from newsstand.web.presentation import shown_caption

    assert shown_caption(caption, title) == shown
