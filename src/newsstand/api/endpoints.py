"""The JSON API at /api/ (Django Ninja; OpenAPI at /api/openapi.json, docs at /api/docs).

Read-only. Anyone may list articles and stories; an article's full text (`content_html`) comes
only to a caller the gate lets read it (gate.actions.open_article), exactly as on the web page.
Every endpoint stays within a handful of queries: lists read card columns, never bodies.
"""

# No `from __future__ import annotations`: Ninja reads the views' parameter annotations, and a
# paginated view's strings would be looked up in ninja.pagination's namespace, not this one.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, P, PathEx, QueryEx, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from newsstand.api.auth import PersonalToken, SessionOrAnonymous, caller
from newsstand.api.queries import articles_newest_first
from newsstand.api.schemas import (
    ArticleDetail,
    ArticleSummary,
    Error,
    InvalidRequest,
    Me,
    StoryDetail,
    StorySummary,
    TopStory,
)
from newsstand.api.throttling import AnonymousPerAddress, SignedInPerUser
from newsstand.articles.models import MAX_ID, Article
from newsstand.gate.actions import open_article
from newsstand.gate.policy import shown_body, viewer_of
from newsstand.gate.teaser import make_body_teaser
from newsstand.gate.viewer import with_viewer_access
from newsstand.gate.web import mark_response
from newsstand.sources.models import Publisher
from newsstand.stories.coverage import story_coverage
from newsstand.stories.models import Story
from newsstand.stories.top import top_stories as ranked_top_stories
from newsstand.web.presentation import make_teaser
from newsstand.web.visitors import is_prefetch

PER_PAGE = 20
MAX_PER_PAGE = 100
TOP_STORIES_DEFAULT = 10
TOP_STORIES_MAX = 50
# No list reaches this page (100 million items at the largest page size); one past the
# database's 64-bit integers would crash the query's OFFSET.
MAX_PAGE = 1_000_000
ID = P(ge=1, le=MAX_ID)
# Text a filter compares with stored text: PostgreSQL refuses a NUL character in any string.
TEXT = P(pattern=r"^[^\x00]*$")
# What any call may answer besides its own: a bad token (401), a bad parameter (422), too many
# calls (429, with Retry-After).
COMMON_RESPONSES: dict[int, Any] = {401: Error, 422: InvalidRequest, 429: Error}
# The schema's `security` lists the token and the session; `{}` adds "or none": every endpoint
# answers anonymous callers too (without full text).
ANYONE: dict[str, Any] = {"security": [{}]}

STORY_FIELDS = (
    "id",
    "headline",
    "lead",
    "article_count",
    "publisher_count",
    "sections",
    "first_seen_at",
    "last_updated_at",
)

api = NinjaAPI(
    title="Newsstand API",
    version="1",
    description=(
        "Articles, stories and Top stories. Full article text only for members: send your "
        "session (the web app) or a personal token from /account/api-tokens/ as "
        "`Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=[PersonalToken(), SessionOrAnonymous()],
    throttle=[AnonymousPerAddress(), SignedInPerUser()],
)


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded: `?page=` past MAX_PAGE is a 422, not a server error."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


def _publisher(p: Publisher) -> dict[str, str]:
    return {"slug": p.slug, "name": p.name}


@api.get(
    "/articles",
    response={200: list[ArticleSummary], 404: Error, **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["articles"],
    summary="Latest articles",
)
@paginate(Pages, page_size=PER_PAGE, max_page_size=MAX_PER_PAGE)
def list_articles(
    request: HttpRequest,
    publisher: QueryEx[str | None, TEXT] = None,
    section: QueryEx[str | None, TEXT] = None,
    story: QueryEx[int | None, ID] = None,
) -> QuerySet[Article]:
    """Newest first, teasers only; filter by publisher slug, section (any case) or story id."""
    articles = Article.objects.all()
    if publisher is not None:
        pub = Publisher.objects.filter(slug=publisher).only("id").first()
        if pub is None:
            raise HttpError(404, f"No publisher with the slug {publisher!r}.")
        articles = articles.filter(publisher=pub)
    if section is not None:
        articles = articles.filter(section__iexact=section)
    if story is not None:
        articles = articles.filter(story_id=story)
    return articles_newest_first(articles)


@api.get(
    "/articles/{article_id}",
    response={200: ArticleDetail, 404: Error, **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["articles"],
    summary="One article",
)
def get_article(
    request: HttpRequest, article_id: PathEx[int, ID], response: HttpResponse
) -> dict[str, Any]:
    """The article; `content_html` only when the caller may read it, else null and `gated`."""
    user = caller(request)
    articles = with_viewer_access(Article.objects.select_related("publisher"), user)
    article = articles.filter(pk=article_id).first()
    if article is None:
        raise HttpError(404, f"No article with the id {article_id}.")
    decision = open_article(user, article, may_spend=not is_prefetch(request))
    mark_response(response, decision)
    body = shown_body(article)
    teaser = make_body_teaser(body)
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.get_absolute_url(),
        "original_url": article.url,
        "publisher": _publisher(article.publisher),
        "section": article.section,
        "authors": [a for a in article.authors if a],
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "lead_image_url": article.lead_image_url,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "language": article.language,
        "word_count": article.word_count,
        "story_id": article.story_id,
        "teaser": make_teaser(article.summary, teaser.text, body_words=article.word_count),
        "teaser_paragraphs": list(teaser.paragraphs),
        "gated": decision.gated,
        "access": str(decision.reason),
        # The only place the API hands out a body, and only past the gate.
        "content_html": body if decision.shows_full_text else None,
        "free_articles_left": decision.free_left,
    }


@api.get(
    "/stories",
    response={200: list[StorySummary], **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["stories"],
    summary="Latest stories",
)
@paginate(Pages, page_size=PER_PAGE, max_page_size=MAX_PER_PAGE)
def list_stories(request: HttpRequest) -> QuerySet[Story]:
    """Stories by their last update, newest first."""
    return (
        Story.objects.filter(article_count__gt=0)
        .only(*STORY_FIELDS)
        .order_by("-last_updated_at", "-pk")
    )


def _story_core(story: Story) -> dict[str, Any]:
    return {
        "id": story.pk,
        "headline": story.headline,
        "lead": story.lead,
        "url": story.get_absolute_url(),
        "article_count": story.article_count,
        "publisher_count": story.publisher_count,
        "last_updated_at": story.last_updated_at,
    }


@api.get(
    "/stories/{story_id}",
    response={200: StoryDetail, 404: Error, **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["stories"],
    summary="One story and its coverage",
)
def get_story(request: HttpRequest, story_id: PathEx[int, ID]) -> dict[str, Any]:
    """The story and every publisher's article on it, in time order (titles and links only)."""
    story = Story.objects.only(*STORY_FIELDS).filter(pk=story_id).first()
    if story is None:
        raise HttpError(404, f"No story with the id {story_id}.")
    coverage = story_coverage(story)
    if not coverage.article_count:
        raise HttpError(404, f"The story {story_id} has no articles.")
    articles = [
        {
            "id": item.article.pk,
            "title": item.article.title,
            "url": item.article.get_absolute_url(),
            "original_url": item.article.url,
            "publisher": _publisher(item.article.publisher),
            "published_at": item.article.published_at,
            "also_carried_by": list(item.also_carried_by),
        }
        for item in coverage.timeline
    ]
    return _story_core(story) | {
        "sections": list(story.sections),
        "first_seen_at": story.first_seen_at,
        "articles": articles,
    }


@api.get(
    "/top-stories",
    response={200: list[TopStory], **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["stories"],
    summary="Top stories now",
)
def top_stories(
    request: HttpRequest, limit: QueryEx[int, P(ge=1, le=TOP_STORIES_MAX)] = TOP_STORIES_DEFAULT
) -> list[dict[str, Any]]:
    """What the news is talking about now, as ranked for the home page."""
    return [_story_core(t.story) | {"score": t.story.score} for t in ranked_top_stories(limit)]


@api.get(
    "/me",
    response={200: Me, **COMMON_RESPONSES},
    openapi_extra=ANYONE,
    tags=["account"],
    summary="Who the API sees",
)
def me(request: HttpRequest) -> dict[str, Any]:
    """Whether the call is signed in and reads full text: a quick check for a new token."""
    user = caller(request)
    viewer = viewer_of(user)
    if request.headers.get("Authorization"):
        via = "token"
    else:
        via = "session" if viewer.signed_in else "anonymous"
    return {"signed_in": viewer.signed_in, "full_access": viewer.full_access, "via": via}
