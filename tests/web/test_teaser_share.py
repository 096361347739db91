"""One rule for every teaser: never more than half of the article's words (hardening, #13 item 4).

A 47-word article used to show 72% of itself in a 200-character teaser. Checked on every channel
that shows a teaser to a reader without access: cards, RSS/Atom, the API and the gated page's
description and og:description.
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from newsstand.web.presentation import TEASER_MAX_SHARE, make_teaser
from tests.gate.factories import client_for
from tests.reader.factories import make_article, make_publisher

STORY = (
    "Harbour officials reopened the northern pier on Monday after a season of repairs that "
    "cost more than planned, and traders on the quay said business returned within hours as "
    "ferries, fishing boats and tourists came back to the old stone landing in numbers not seen "
    "since the storm"
)
WORDS = STORY.split(" ")


def _short_body(n: int) -> str:
    return " ".join(WORDS[:n])


def _words(text: str) -> int:
    return len(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.mark.parametrize("n", [1, 2, 10, 45, 47])
def test_make_teaser_keeps_to_half_of_a_short_article(n):
    body = _short_body(n)
    for summary, head in ((body, ""), ("", body)):
        teaser = make_teaser(summary, head, body_words=n)
        assert _words(teaser.rstrip("…")) <= int(n * TEASER_MAX_SHARE)


def test_make_teaser_long_article_unchanged():
    body = " ".join(WORDS * 5)
    assert make_teaser("", body, body_words=len(WORDS) * 5) == make_teaser("", body)


def test_make_teaser_without_a_stored_body_keeps_the_summary():
    # word_count 0: only the feed's description was stored; it is public already.
    assert make_teaser("A public summary of the news.", "", body_words=0) == (
        "A public summary of the news."
    )


@pytest.fixture
def short_article(db):
    body = _short_body(47)
    return make_article(
        make_publisher("Harbour Times"),
        title="Pier reopens",
        summary=body,
        content_html=f"<p>{body}</p>",
        content_text=body,
        word_count=47,
    )


def _assert_at_most_half(text: str) -> None:
    assert 0 < _words(text.rstrip("…")) <= 23, text


@pytest.mark.django_db
def test_every_channel_keeps_to_half(short_article):
    client = client_for("anonymous")

    home = client.get(reverse("reader:home")).content.decode()
    card = re.search(r'class="card__teaser"[^>]*>(.*?)</', home, re.S)
    assert card is not None, "the home page shows the article's card"
    _assert_at_most_half(card.group(1))

    rss = client.get(reverse("feeds:latest_rss")).content.decode()
    description = re.search(
        r"<description>(.*?)</description>\s*<", rss.split("<item>", 1)[1], re.S
    )
    _assert_at_most_half(html.unescape(description.group(1)))

    atom = client.get(reverse("feeds:latest_atom")).content.decode()
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", atom, re.S)
    _assert_at_most_half(html.unescape(summary.group(1)))

    listed = client.get("/api/articles").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    _assert_at_most_half(items[0]["teaser"])
    detail = client.get(f"/api/articles/{short_article.pk}").json()
    _assert_at_most_half(detail["teaser"])

    page = client.get(reverse("reader:article", args=[short_article.pk])).content.decode()
    og = re.search(r'<meta property="og:description" content="([^"]*)"', page)
    _assert_at_most_half(og.group(1))
    meta = re.search(r'<meta name="description" content="([^"]*)"', page)
    if meta:
        _assert_at_most_half(meta.group(1))
    # The whole body never shows: its last words are not on the gated page.
    assert " ".join(WORDS[40:47]) not in page
