"""Outgoing RSS and Atom feeds: the latest articles, per publisher, per section and per topic.

Feed readers fetch without signing in, so feeds are the anonymous channel: each item is the
headline, the teaser (the summary or the body's first words, as on the reader's cards) and a
link back to the article page here, where the gate decides. No item ever carries a body
(no content:encoded, no Atom <content>): the queries do not even load one.

Titles are plain text, escaped once by the XML writer: Django's default escapes them as HTML
first, which readers that take a title as text (most) showed as `&quot;`. Every Atom entry has
its `<updated>` and an author (RFC 4287): the byline, else the publisher. Answers carry an ETag
and Last-Modified, and a reader that sends them back gets a 304 while nothing changed
(`feed_urls`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from newsstand.api.queries import LIST_FIELDS, articles_newest_first
from newsstand.articles.models import Article, ArticleTopic
from newsstand.sources.models import Publisher
from newsstand.web.presentation import make_teaser

FEED_ITEMS = 30
# The list's columns and the two an entry's <updated> may come from.
FEED_FIELDS = (*LIST_FIELDS, "updated_at", "fetched_at")
SITE_NAME = "Newsstand"


class ArticleFeed(Feed):
    """The latest articles as RSS; subclasses narrow them (`articles`) and name the feed."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def title(self, obj: Any) -> str:
        return f"{SITE_NAME}: latest news"

    def description(self, obj: Any) -> str:
        return "The latest articles from every publisher on Newsstand."

    def subtitle(self, obj: Any) -> str:
        # Atom's name for the description (RSS ignores it).
        return self.description(obj)

    def link(self, obj: Any) -> str:
        return reverse("reader:home")

    def articles(self, obj: Any) -> QuerySet[Article]:
        return Article.objects.all()

    def items(self, obj: Any) -> list[Article]:
        articles = articles_newest_first(self.articles(obj)).only(*FEED_FIELDS)
        return list(articles[:FEED_ITEMS])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return escape(
            make_teaser(item.summary, getattr(item, "text_head", ""), body_words=item.word_count)
        )

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        # Atom's required <updated>: when the publisher last changed it, else when it was
        # published, else when it was stored (an undated article).
        return item.updated_at or item.published_at or item.fetched_at

    def item_author_name(self, item: Article) -> str:
        return item.byline or item.publisher.name

    def item_categories(self, item: Article) -> list[str]:
        return [item.section] if item.section else []


class LatestAtom(ArticleFeed):
    feed_type = Atom1Feed


class PublisherFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Publisher:
        return get_object_or_404(Publisher.objects.only("id", "name", "slug"), slug=kwargs["slug"])

    def title(self, obj: Publisher) -> str:
        return f"{obj.name} on {SITE_NAME}"

    def description(self, obj: Publisher) -> str:
        return f"The latest articles from {obj.name} on {SITE_NAME}."

    def link(self, obj: Publisher) -> str:
        return reverse("reader:publisher", args=[obj.slug])

    def articles(self, obj: Publisher) -> QuerySet[Article]:
        return Article.objects.filter(publisher=obj)


class PublisherAtom(PublisherFeed):
    feed_type = Atom1Feed


class SectionFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        # Feeds disagree on case ("World", "world"): one section, named as a publisher spells it.
        name = (
            Article.objects.filter(section__iexact=kwargs["section"])
            .values_list("section", flat=True)
            .order_by()
            .first()
        )
        if name is None:
            raise Http404("No articles in this section.")
        return name

    def title(self, obj: str) -> str:
        return f"{obj} on {SITE_NAME}"

    def description(self, obj: str) -> str:
        return f"The latest {obj} articles on {SITE_NAME}."

    def link(self, obj: str) -> str:
        return reverse("reader:section", args=[obj])

    def articles(self, obj: str) -> QuerySet[Article]:
        return Article.objects.filter(section__iexact=obj)


class SectionAtom(SectionFeed):
    feed_type = Atom1Feed


class TopicFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> tuple[str, str]:
        # Named as the topic page names it: the first stored spelling, off the (slug, article)
        # index.
        slug = kwargs["slug"]
        names = list(
            ArticleTopic.objects.filter(slug=slug)
            .order_by("article_id")
            .values_list("name", flat=True)[:1]
        )
        if not names:
            raise Http404("No articles on this topic.")
        return slug, names[0]

    def title(self, obj: tuple[str, str]) -> str:
        return f"{obj[1]} on {SITE_NAME}"

    def description(self, obj: tuple[str, str]) -> str:
        return f"The latest articles on {obj[1]} on {SITE_NAME}."

    def link(self, obj: tuple[str, str]) -> str:
        return reverse("reader:topic", args=[obj[0]])

    def articles(self, obj: tuple[str, str]) -> QuerySet[Article]:
        return Article.objects.filter(topic_index__slug=obj[0])


class TopicAtom(TopicFeed):
    feed_type = Atom1Feed
