"""Every URL the site answers, enumerated from the URLconf: none gives full text past the gate.

A new route fails `test_every_route_is_accounted_for` until it is added to ROUTES with how it
keeps full text out; then the sweep below fetches it like every other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from newsstand.articles.models import Article, ArticleTopic
from newsstand.personal.actions import note_article_opened, save_article
from newsstand.sources.models import Feed
from newsstand.stories.models import Pick, Story
from tests.gate.factories import GATED_READERS, LATER_MARKERS, make_gated_article, make_user

pytestmark = pytest.mark.django_db

GATED = "the gate: full text only past gate.actions.open_article (tests/gate/test_article_page.py)"
API_GATED = "the gate, in the API (tests/api/test_api.py)"
TEASERS = "titles and teasers only: cards or story leads, never a body"
FEED = "teaser-only outgoing feed (tests/api/test_feeds.py)"
NO_ARTICLES = "no article content at all"
STAFF = "staff only; lists titles, never bodies"
BRIEFING = "the reader's briefing email: titles and card teasers only (tests/briefing)"

ROUTES: dict[str, str] = {
    "": TEASERS,
    "articles/<int:pk>/": GATED,
    "articles/<int:pk>/print/": GATED,
    "stories/<int:pk>/": TEASERS,
    "publishers/": NO_ARTICLES,
    "publishers/<path:slug>/": TEASERS,
    "publishers/<path:slug>/icon": NO_ARTICLES,
    "sections/": NO_ARTICLES,  # the index: names and counts
    "sections/<path:section>/": TEASERS,
    "topics/<str:slug>/": TEASERS,
    "settings/": NO_ARTICLES,
    "manifest.webmanifest": NO_ARTICLES,
    "sw.js": NO_ARTICLES,
    "offline/": NO_ARTICLES,
    "healthz": NO_ARTICLES,
    "readyz": NO_ARTICLES,
    "metrics": "counters and timings only: " + NO_ARTICLES,
    "api/": NO_ARTICLES,
    "api/openapi.json": NO_ARTICLES,
    "api/docs": NO_ARTICLES,
    "api/articles": TEASERS,
    "api/articles/<article_id>": API_GATED,
    "api/stories": TEASERS,
    "api/stories/<story_id>": TEASERS,
    "api/top-stories": TEASERS,
    "api/me": NO_ARTICLES,
    "account/": NO_ARTICLES,
    "account/export/": "the reader's own account data as JSON: " + NO_ARTICLES,
    "account/delete/": NO_ARTICLES,
    "account/deleted/": NO_ARTICLES,
    "account/api-tokens/": NO_ARTICLES,
    "account/api-tokens/<int:token_id>/revoke/": NO_ARTICLES,
    "feeds/latest/rss/": FEED,
    "feeds/latest/atom/": FEED,
    "feeds/publishers/<path:slug>/rss/": FEED,
    "feeds/publishers/<path:slug>/atom/": FEED,
    "feeds/sections/<path:section>/rss/": FEED,
    "feeds/sections/<path:section>/atom/": FEED,
    "feeds/topics/<str:slug>/rss/": FEED,
    "feeds/topics/<str:slug>/atom/": FEED,
    "saved/": TEASERS,
    # The article pages the service worker keeps offline are fetched through the gate (and
    # never spend a free article, gate.policy.Reason.NOT_SPENT); this only lists their URLs.
    "saved/offline.json": NO_ARTICLES,
    "saved/<int:pk>/": NO_ARTICLES,
    "history/": TEASERS,
    "history/clear/": NO_ARTICLES,
    "history/<int:pk>/remove/": NO_ARTICLES,
    "following/": NO_ARTICLES,
    "following/change/": NO_ARTICLES,
    "for-you/": TEASERS,
    "start/": NO_ARTICLES,
    "staff/": STAFF,
    "staff/feeds/": STAFF,
    "staff/feeds/<int:pk>/": STAFF,
    "staff/feeds/<int:pk>/check-now/": STAFF,
    "staff/feeds/<int:pk>/reactivate/": STAFF,
    "staff/publishers/<slug:slug>/": STAFF,
    "staff/publishers/<slug:slug>/retire/": STAFF,
    "staff/publishers/<slug:slug>/unretire/": STAFF,
    "staff/sources/add/": STAFF,
    "staff/ranking/": STAFF,
    "staff/picks/": STAFF,
    "staff/picks/<int:pk>/move/": STAFF,
    "staff/picks/<int:pk>/remove/": STAFF,
    "staff/members/": STAFF,
    "staff/payouts/": STAFF,
    "staff/payouts/publisher/<int:pk>/": STAFF,
    "membership/": NO_ARTICLES,
    "membership/trial/": NO_ARTICLES,
    "membership/checkout/": NO_ARTICLES,
    "membership/checkout/manual/": NO_ARTICLES,
    "membership/manage/": NO_ARTICLES,
    "membership/stripe/webhook/": NO_ARTICLES,
    "reads/": NO_ARTICLES,
    "search": "search results: non-members match and quote search.public (tests/search)",
    "search/": "search results: non-members match and quote search.public (tests/search)",
    "search/suggest": TEASERS,
    "account/briefing/": NO_ARTICLES,
    "briefing/preview/": BRIEFING,
    "briefing/preview/email/": BRIEFING,
    "briefing/preview/text/": BRIEFING,
    "briefing/unsubscribe/<str:token>/": NO_ARTICLES,
}
# Whole sub-sites. The admin shows an article's stored body to staff with the permission to
# edit articles: staff are trusted with the content they curate. allauth's pages are forms.
PREFIXES = {
    "admin/": "Django admin: staff with article permissions only",
    # The sync APIs: every entry body goes through sync's one gate call (gate.policy.decide),
    # as tests/sync/ checks for members, trials, ended memberships and anonymous callers.
    "v1/": "Miniflux API: app-password auth; bodies through the gate (tests/sync)",
    "api/fever/": "Fever API: app-password auth; bodies through the gate (tests/sync)",
    "api/greader/": "Google Reader API: app-password auth; bodies through the gate (tests/sync)",
    "account/app-passwords/": "a reader's app passwords: " + NO_ARTICLES,
    "accounts/": "allauth sign-up, sign-in and account forms: " + NO_ARTICLES,
}


def _patterns(patterns: list, prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _site_routes() -> list[str]:
    return list(dict.fromkeys(_patterns(get_resolver().url_patterns)))


def test_every_route_is_accounted_for():
    unknown = [r for r in _site_routes() if r not in ROUTES and not r.startswith(tuple(PREFIXES))]
    assert not unknown, (
        f"New routes {unknown}: add each to ROUTES in {__file__} saying how it keeps full "
        "text from readers without access."
    )
    assert not set(ROUTES) - set(_site_routes()), "ROUTES lists routes that no longer exist"


def _fill(route: str, values: dict[str, object]) -> str | None:
    """A concrete URL for `route`, or None where a parameter has no sensible value here."""
    kind = route.split("/", 1)[0] if not route.startswith("staff/") else route.split("/")[1]
    if route.startswith("feeds/topics/"):
        kind = "topics"  # a topic's feed: named by the topic's slug, not a publisher's
    article = values["article"]
    by_name = {
        "pk": {"articles": article, "stories": values["story"], "feeds": values["feed"]}
        | {"picks": values["pick"], "saved": article, "history": article},
        "article_id": {"api": article},
        "story_id": {"api": values["story"]},
        "slug": {k: values["slug"] for k in ("publishers", "feeds", "api")}
        | {"topics": "harbours"},
        "section": {k: "World" for k in ("sections", "feeds")},
        "token_id": {"account": 1},
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        options = by_name.get(name, {})
        found = options.get(kind)
        if found is None:
            raise LookupError(name)
        return str(found)

    try:
        return "/" + re.sub(r"<([^>]+)>", value, route)
    except LookupError:
        return None


@pytest.fixture
def site() -> dict[str, object]:
    story = Story.objects.create(
        headline="Pier reopens",
        lead="The northern pier reopens.",
        article_count=1,
        publisher_count=1,
        score=1.0,
        last_updated_at=timezone.now(),
    )
    article = make_gated_article(summary="", story=story, topics=["Harbours"])
    ArticleTopic.objects.create(article=article, slug="harbours", name="Harbours")
    story.representative = article
    story.save()
    feed = Feed.objects.create(url="https://harbour.example/rss.xml", publisher=article.publisher)
    pick = Pick.objects.create(article=article, blurb="Worth a read")
    return {
        "article": article.pk,
        "story": story.pk,
        "slug": article.publisher.slug,
        "feed": feed.pk,
        "pick": pick.pk,
    }


def _sweep_urls(site: dict[str, object]) -> list[str]:
    urls = []
    for route in _site_routes():
        if route.startswith("admin/"):
            continue
        url = _fill(route, site)
        if url is not None:
            urls.append(url)
    return urls


def _assert_no_full_text(client: Client, urls: list[str]) -> dict[str, int]:
    """Fetches every URL with GET and HEAD; returns the GET status of each."""
    statuses = {}
    for url in urls:
        for method in (client.get, client.head):
            response = method(url, HTTP_USER_AGENT="Mozilla/5.0")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for marker in LATER_MARKERS:
                assert marker not in text, f"{method.__name__.upper()} {url} leaks full text"
            if method == client.get:
                statuses[url] = response.status_code
    return statuses


def _reader_with_things(kind: str, article_id: int) -> Client:
    """A client for `kind` who saved the article, opened it and follows its publisher."""
    client = Client()
    if kind != "anonymous":
        user = make_user(kind)
        save_article(user, article_id)
        note_article_opened(user, Article.objects.get(pk=article_id))
        client.force_login(user)
    return client


@pytest.mark.parametrize("kind", GATED_READERS)
def test_no_route_leaks_full_text_to_readers_without_access(kind, site):
    urls = _sweep_urls(site)
    # The article, its print view and the API detail are among them: the sweep reaches them.
    assert f"/articles/{site['article']}/" in urls
    assert f"/api/articles/{site['article']}" in urls
    assert f"/feeds/publishers/{site['slug']}/rss/" in urls
    statuses = _assert_no_full_text(_reader_with_things(kind, site["article"]), urls)
    ok = {url for url, status in statuses.items() if status == 200}
    # The channels that could carry an article answered in full, not with an error page.
    for url in (
        f"/articles/{site['article']}/",
        f"/articles/{site['article']}/print/",
        f"/stories/{site['story']}/",
        f"/api/articles/{site['article']}",
        f"/api/stories/{site['story']}",
        "/api/articles",
        f"/feeds/publishers/{site['slug']}/rss/",
        "/feeds/sections/World/atom/",
        "/feeds/topics/harbours/rss/",
        "/topics/harbours/",
        *(("/saved/", "/history/", "/saved/offline.json") if kind != "anonymous" else ()),
    ):
        assert url in ok, (url, statuses.get(url))


def test_no_route_leaks_full_text_to_staff_without_membership(site):
    staff = make_user("registered")
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)
    _assert_no_full_text(client, _sweep_urls(site))


def test_the_sweep_would_catch_a_leak(site):
    """The same sweep, run as a member, does find the text: it can fail."""
    client = _reader_with_things("trial", site["article"])
    with pytest.raises(AssertionError, match="leaks full text"):
        _assert_no_full_text(client, _sweep_urls(site))
