"""The article HTML policy: XSS payloads go, prose stays, URLs become absolute."""

from __future__ import annotations

import pytest

from newsstand.ingest.sanitizer import LINK_REL, sanitize_html

BASE = "https://news.example.com/section/story.html"


@pytest.mark.parametrize(
    ("payload", "forbidden"),
    [
        ("<p>a<script>alert(1)</script></p>", "alert"),
        ('<img src="x.jpg" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ("<style>body{display:none}</style><p>x</p>", "display"),
        ('<p style="position:fixed">x</p>', "style"),
        ('<iframe src="https://evil.example/"></iframe>', "evil"),
        ('<svg onload="alert(1)"><circle/></svg>', "onload"),
        ('<form action="/steal"><input name="pw"></form>', "steal"),
        ('<p onclick="steal()">x</p>', "steal"),
        ("<!-- secret --><p>x</p>", "secret"),
    ],
)
def test_xss_payloads_removed(payload: str, forbidden: str) -> None:
    assert forbidden.lower() not in sanitize_html(payload, BASE).lower()


def test_relative_urls_made_absolute_and_links_marked() -> None:
    out = sanitize_html('<p><a href="../other">x</a> <img src="/img/a.jpg" alt="a"></p>', BASE)
    assert 'href="https://news.example.com/other"' in out
    assert 'src="https://news.example.com/img/a.jpg"' in out
    assert f'rel="{LINK_REL}"' in out


def test_article_prose_is_kept() -> None:
    html = (
        "<h2>Sub</h2><p><em>a</em> <strong>b</strong></p><blockquote>q</blockquote>"
        "<ul><li>i</li></ul><table><tr><td>c</td></tr></table>"
        '<figure><img src="https://cdn.example/x.jpg"><figcaption>cap</figcaption></figure>'
    )
    out = sanitize_html(html, BASE)
    for tag in ("<h2>", "<em>", "<strong>", "<blockquote>", "<li>", "<td>", "<figure>",
                "<figcaption>"):  # fmt: skip
        assert tag in out


def test_relative_url_without_base_is_dropped() -> None:
    assert "href" not in sanitize_html('<a href="/x">x</a>', None)
    assert sanitize_html("", BASE) == ""


def test_body_images_keep_their_scheme() -> None:
    # Stored as the publisher gave them; a site served over https asks for them over https
    # when it shows the page (web.presentation.body_images).
    html = sanitize_html(
        '<p><img src="http://cdn.example/a.jpg"><img src="/b.jpg"></p>',
        base_url="http://news.example/story",
    )
    assert 'src="http://cdn.example/a.jpg"' in html
    assert 'src="http://news.example/b.jpg"' in html
