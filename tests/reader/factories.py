"""Small ORM helpers that make test publishers, feeds and articles."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.sources.models import Feed, Publisher

_seq = itertools.count(1)


def make_publisher(name: str = "Reuters", **kwargs: Any) -> Publisher:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "slug": f"{name.lower().replace(' ', '-')}-{n}",
        "homepage": f"https://pub{n}.example/",
        "country": "GB",
        "language": "en",
    }
    defaults.update(kwargs)
    return Publisher.objects.create(name=name, **defaults)


def make_feed(publisher: Publisher, **kwargs: Any) -> Feed:
    n = next(_seq)
    defaults: dict[str, Any] = {"url": f"https://pub{n}.example/rss.xml", "section": "World"}
    defaults.update(kwargs)
    return Feed.objects.create(publisher=publisher, **defaults)


def make_article(
    publisher: Publisher,
    *,
    title: str = "A headline",
    published_at: datetime | None = None,
    **kwargs: Any,
) -> Article:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "url": f"https://pub.example/news/{n}",
        "section": "Business",
        "authors": ["Simon Lewis"],
        "summary": "A short description of the story.",
        "content_html": "<p>First paragraph of the body.</p><p>Second paragraph.</p>",
        "content_text": "First paragraph of the body.\n\nSecond paragraph.",
        "word_count": 460,
    }
    defaults.update(kwargs)
    if published_at is None:
        published_at = timezone.now() - timedelta(hours=1)
    return Article.objects.create(
        publisher=publisher, title=title, published_at=published_at, **defaults
    )
