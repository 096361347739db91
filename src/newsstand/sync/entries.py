"""What an app may show of each entry: the whole article past the gate, else the teaser.

Every sync API builds its entry bodies here. The decision is the gate's own (gate.policy.decide),
as the JSON API takes it for a prefetch: syncing is not opening an article, so it never spends a
free metered article, and a metered reader gets the whole text only of articles already spent
this month on the site.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape

from newsstand.articles.models import Article
from newsstand.gate.metering import free_articles_a_month, month_of
from newsstand.gate.models import MeteredRead
from newsstand.gate.policy import METER_OFF, MeterState, decide, shown_body, viewer_of
from newsstand.gate.teaser import make_body_teaser
from newsstand.web.presentation import image_src, shown_caption

# The columns an entry needs: lists load these and never the plain-text copy.
ENTRY_FIELDS = (
    "id",
    "publisher_id",
    "url",
    "guid",
    "title",
    "authors",
    "section",
    "topics",
    "published_at",
    "updated_at",
    "fetched_at",
    "lead_image_url",
    "lead_image_caption",
    "lead_image_credit",
    "summary",
    "content_html",
    "word_count",
)


@dataclass(frozen=True)
class Shown:
    html: str  # the entry's content: the body, or the teaser and a link to the article
    full: bool  # whether `html` is the whole article


def teaser_html(article: Article, link: str) -> str:
    """The teaser as HTML for an app: escaped paragraphs and where to read on (members)."""
    teaser = make_body_teaser(shown_body(article))
    paragraphs = teaser.paragraphs or ((article.summary,) if article.summary else ())
    parts = [f"<p>{escape(p)}</p>" for p in paragraphs]
    parts.append(
        f'<p><a href="{escape(link)}">Read the whole article on Newsstand</a> '
        "(members, and readers in their free trial).</p>"
    )
    return "".join(parts)


def lead_figure(article: Article) -> str:
    """The lead picture, caption and credit, as the article page shows them above the body.
    The body leaves the picture out (`shown_body`: the page shows it apart), so without this an
    app, which shows only the entry's content, would never show the article's photo."""
    src = image_src(article.lead_image_url)
    if not src:
        return ""
    caption = shown_caption(article.lead_image_caption, article.title)
    credit = (article.lead_image_credit or "").strip()
    # The standard library's escape: Django's wraps it for lazy strings, a third of the cost
    # here, on every entry of every page.
    words = " ".join(html.escape(part) for part in (caption, credit) if part)
    below = f"<figcaption>{words}</figcaption>" if words else ""
    return f'<figure><img src="{html.escape(src)}" alt="">{below}</figure>'


class Gate:
    """The gate for one reader over a batch of articles: two queries, whatever the batch."""

    def __init__(self, user: Any, articles: Iterable[Article], now: datetime) -> None:
        self.viewer = viewer_of(user, now)
        self.meter_limit = 0
        self.used = 0
        self.spent: set[int] = set()
        limit = free_articles_a_month()
        if limit > 0 and self.viewer.signed_in and not self.viewer.full_access:
            month = MeteredRead.objects.filter(user=user, month=month_of(now))
            ids = [a.pk for a in articles]
            self.meter_limit = limit
            self.used = month.count()
            self.spent = set(month.filter(article_id__in=ids).values_list("article_id", flat=True))

    def meter(self, article: Article) -> MeterState:
        if not self.meter_limit:
            return METER_OFF
        return MeterState(self.meter_limit, self.used, already_read=article.pk in self.spent)

    def show(self, article: Article, link: str) -> Shown:
        decision = decide(self.viewer, self.meter(article), article, may_spend=False)
        figure = lead_figure(article)
        if decision.shows_full_text:
            return Shown(html=figure + shown_body(article), full=True)
        # Gated, or no body kept (then the teaser is the summary and the link). The photo is not
        # the text the gate keeps: the article page shows it to everyone too.
        return Shown(html=figure + teaser_html(article, link), full=False)
