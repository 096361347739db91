"""The gate on the article page, its print view and every variant of its URL.

For each kind of reader: the later paragraphs are absent from the whole response (markup, meta
tags, attributes, scripts) for non-members, and present for members.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import RequestFactory
from django.urls import reverse

from newsstand.reader import views
from tests.gate.factories import (
    FULL_ACCESS,
    GATED_READERS,
    LATER_MARKERS,
    MARKER,
    MEMBERS,
    OPENING,
    READERS,
    client_for,
    make_gated_article,
    make_user,
    max_statements,
    real_article,
    store_real_article,
)

pytestmark = pytest.mark.django_db

ARTICLE_PAGE_MAX_QUERIES = 10


def _variants(pk: int) -> list[str]:
    page = reverse("reader:article", args=[pk])
    return [
        page,
        page + "?full=1",
        page + "?print=1",
        page + "?print=1&full=1",
        page + "?amp=1",
        page + "?format=json",
        reverse("reader:article_print", args=[pk]),
    ]


def _assert_gated(html: str) -> None:
    for marker in LATER_MARKERS:
        assert marker not in html
    # Nor in any spelling a template could give it (escaped, JSON, URL-quoted).
    assert "ninety-seven violet lifebuoys" not in html
    assert quote("ninety-seven violet lifebuoys") not in html
    assert "articleBody" not in html


@pytest.mark.parametrize("kind", READERS)
def test_every_url_of_an_article_obeys_the_gate(kind):
    article = make_gated_article()
    client = client_for(kind)
    for url in _variants(article.pk):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert OPENING in html, url
        if FULL_ACCESS[kind]:
            for marker in LATER_MARKERS:
                assert marker in html, url
            assert 'class="gate"' not in html
        else:
            _assert_gated(html)
            assert 'class="gate"' in html, url


@pytest.mark.parametrize("kind", GATED_READERS)
def test_gated_page_keeps_headline_publisher_byline_lead_image_and_original_link(kind):
    article = make_gated_article(
        authors=["Ana Ruiz"],
        lead_image_url="https://img.example/pier.jpg",
        lead_image_caption="The northern pier at low tide.",
        url="https://harbour.example/pier",
    )
    html = client_for(kind).get(article.get_absolute_url()).content.decode()
    assert '<h1 id="article-title" class="article__title">Northern pier to reopen' in html
    assert 'class="publisher__name">Harbour Times<' in html
    assert "By Ana Ruiz" in html
    assert 'src="https://img.example/pier.jpg"' in html
    assert "The northern pier at low tide." in html
    assert 'class="original__link" href="https://harbour.example/pier"' in html
    assert f"<p>{OPENING}</p>" in html


def test_anonymous_gate_invites_to_sign_up_and_sign_in_with_next(settings):
    settings.NEWSSTAND_TRIAL_DAYS = 14
    article = make_gated_article()
    page = article.get_absolute_url()
    html = client_for("anonymous").get(page).content.decode()
    next_q = quote(page, safe="")
    assert f'href="{reverse("account_signup")}?next={next_q}">Sign up to read this article</a>' in (
        html
    )
    assert f'Already a member? <a href="{reverse("account_login")}?next={next_q}">Sign in</a>' in (
        html
    )
    assert "Fourteen days free" in html
    assert "One subscription that gives you access to news from hundreds of sites" in html
    assert 'aria-labelledby="gate-title"' in html


def test_trial_length_follows_the_setting(settings):
    settings.NEWSSTAND_TRIAL_DAYS = 30
    html = client_for("anonymous").get(make_gated_article().get_absolute_url()).content.decode()
    assert "Thirty days free" in html
    assert "Fourteen" not in html


@pytest.mark.parametrize("kind", ["registered", "expired", "trial_over"])
def test_signed_in_non_members_are_asked_to_become_members_not_to_sign_up(kind):
    html = client_for(kind).get(make_gated_article().get_absolute_url()).content.decode()
    assert "Become a member to read this article" in html
    assert "Already a member?" not in html
    assert "Sign up to read this article" not in html


@pytest.mark.parametrize("kind", GATED_READERS)
def test_meta_description_and_open_graph_hold_no_more_than_the_teaser(kind):
    article = make_gated_article(summary="")
    html = client_for(kind).get(article.get_absolute_url()).content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)"', html)
    og = re.search(r'<meta property="og:description" content="([^"]*)"', html)
    assert description and og
    for text in (description.group(1), og.group(1)):
        assert text and OPENING.startswith(text.rstrip("…").strip()[:60])
    assert "<noscript" not in html
    assert "application/ld+json" not in html
    assert "data-body" not in html and "data-content" not in html


@pytest.mark.parametrize("kind", READERS)
def test_cache_headers_keep_full_text_out_of_shared_caches(kind):
    response = client_for(kind).get(make_gated_article().get_absolute_url())
    cache_control = response.get("Cache-Control", "")
    vary = response.get("Vary", "")
    assert "Cookie" in vary and "Authorization" in vary
    if FULL_ACCESS[kind]:
        assert "private" in cache_control and "no-store" in cache_control
    else:
        assert "private" not in cache_control and "no-store" not in cache_control


@pytest.mark.parametrize("kind", READERS)
def test_head_requests_answer_like_get(kind):
    """The view's output for HEAD (what a server would send, body or not) obeys the gate."""
    article = make_gated_article()
    request = RequestFactory().head(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0")
    request.user = make_user(kind) if kind != "anonymous" else _anonymous()
    request.session = _session()
    response = views.article(request, article.pk)
    assert response.status_code == 200
    html = response.content.decode()
    if FULL_ACCESS[kind]:
        assert MARKER in html
    else:
        _assert_gated(html)


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _session():
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore()


def _article_in_a_story():
    from django.utils import timezone

    from newsstand.stories.models import Story

    story = Story.objects.create(headline="Pier", article_count=2, publisher_count=2, score=1.0)
    article = make_gated_article(story=story)
    make_gated_article(story=story, url="https://other.example/pier", title="Pier reopens")
    story.representative = article
    story.last_updated_at = timezone.now()
    story.save()
    return article


@pytest.mark.parametrize("kind", ["anonymous", "registered", "expired", "trial"])
def test_article_page_query_budget(kind):
    """The busiest article page (a story, Related, Top stories, picks, the read tally, history):
    the gate costs no statement of its own, the reader's membership rides on the article's."""
    article = _article_in_a_story()
    client = client_for(kind)
    for _ in range(2):  # the first read of the hour writes the tally and the session
        with max_statements(ARTICLE_PAGE_MAX_QUERIES) as ctx:
            response = client.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0")
        assert response.status_code == 200
        assert not any(
            "membership_membership" in q["sql"] and "articles_article" not in q["sql"]
            for q in ctx.captured_queries
        )


def test_metered_article_page_query_budget(settings):
    """A metered read adds the meter's count and, the first time, its one INSERT."""
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3
    client = client_for("registered")
    url = make_gated_article().get_absolute_url()
    for _ in range(2):
        with max_statements(ARTICLE_PAGE_MAX_QUERIES):
            response = client.get(url, HTTP_USER_AGENT="Mozilla/5.0")
        assert MARKER in response.content.decode()


def test_print_view_has_the_print_stylesheet_for_every_medium_and_no_asides():
    article = make_gated_article()
    html = client_for("anonymous").get(reverse("reader:article_print", args=[article.pk]))
    text = html.content.decode()
    assert 'href="/static/gate/print.css" media="all"' in text
    assert "page-print" in text
    assert "Related stories" not in text
    normal = client_for("anonymous").get(article.get_absolute_url()).content.decode()
    assert 'href="/static/gate/print.css" media="print"' in normal


def test_article_without_a_body_shows_the_note_and_no_gate():
    article = make_gated_article(content_html="", content_text="")
    html = client_for("anonymous").get(article.get_absolute_url()).content.decode()
    assert "could not keep a copy" in html
    assert 'class="gate"' not in html


@pytest.mark.parametrize("kind", READERS)
def test_a_real_publishers_article_obeys_the_gate(kind, shared_data):
    real = real_article(shared_data)
    article = store_real_article(real)
    html = client_for(kind).get(article.get_absolute_url()).content.decode()
    later = [p for p in real.later_paragraphs if len(p) > 40]
    assert later
    for paragraph in later:
        # The page escapes text, so compare a plain-word stretch of each paragraph.
        words = " ".join(re.findall(r"[A-Za-z]+", paragraph)[:6])
        plain = re.sub(r"<[^>]+>", " ", html)
        plain = " ".join(re.findall(r"[A-Za-z]+", plain))
        assert (words in plain) is FULL_ACCESS[kind], paragraph


@pytest.mark.parametrize("kind", MEMBERS)
def test_members_see_no_gate_and_no_meter(kind, settings):
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3
    html = client_for(kind).get(make_gated_article().get_absolute_url()).content.decode()
    assert 'class="gate"' not in html
    assert "free articles left" not in html
