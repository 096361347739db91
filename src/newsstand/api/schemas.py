"""What the JSON API returns. No schema has a field for an article's body except
`ArticleDetail.content_html`, which the endpoint fills only when the gate allows it.

List items are read straight from model rows (resolvers below); details are built as dicts by
the endpoints.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from newsstand.web.presentation import make_teaser


class PublisherRef(Schema):
    slug: str
    name: str


class ArticleFields(Schema):
    id: int
    title: str
    url: str  # the article's page on this site
    original_url: str  # the publisher's page
    publisher: PublisherRef
    section: str
    authors: list[str]
    published_at: datetime | None
    lead_image_url: str
    story_id: int | None
    teaser: str  # the publisher's summary or the body's first words, at most ~200 characters


class ArticleSummary(ArticleFields):
    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())

    @staticmethod
    def resolve_original_url(obj: Any) -> str:
        return str(obj.url)

    @staticmethod
    def resolve_publisher(obj: Any) -> dict[str, str]:
        return {"slug": obj.publisher.slug, "name": obj.publisher.name}

    @staticmethod
    def resolve_teaser(obj: Any) -> str:
        # The same teaser as the reader's cards: the summary or the body's start, at most half of
        # the article's words.
        return make_teaser(obj.summary, getattr(obj, "text_head", ""), body_words=obj.word_count)


class ArticleDetail(ArticleFields):
    lead_image_caption: str
    lead_image_credit: str
    language: str
    word_count: int
    updated_at: datetime | None
    # True when the caller may not read the full text: `content_html` is then null.
    gated: bool
    # Why: member, metered, no_body, anonymous, not_member or meter_used_up (gate.policy.Reason).
    access: str
    # The opening paragraphs shown in front of the gate, as plain text.
    teaser_paragraphs: list[str]
    content_html: str | None
    # Free full articles left this month for a metered reader; null where metering does not apply.
    free_articles_left: int | None


class StoryCore(Schema):
    id: int
    headline: str
    lead: str
    url: str
    article_count: int
    publisher_count: int
    last_updated_at: datetime


class StoryFields(StoryCore):
    sections: list[str]
    first_seen_at: datetime


class StorySummary(StoryFields):
    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class StoryArticle(Schema):
    id: int
    title: str
    url: str
    original_url: str
    publisher: PublisherRef
    published_at: datetime | None
    # Other publishers carrying the same wire copy, by name.
    also_carried_by: list[str]


class StoryDetail(StoryFields):
    articles: list[StoryArticle]


class TopStory(StoryCore):
    score: float


class Me(Schema):
    signed_in: bool
    full_access: bool
    # How this request was authenticated: token, session or anonymous.
    via: str


class Error(Schema):
    detail: str


class Problem(Schema):
    """One thing wrong with a request, as Ninja's validation reports it."""

    type: str
    loc: list[str | int]  # where: ["query", "page"], ["path", "article_id"]…
    msg: str


class InvalidRequest(Schema):
    """A 422: a parameter out of range or of the wrong type (a list of problems), or a value the
    endpoint refuses (a sentence)."""

    detail: str | list[Problem]
