"""Save and Follow/Mute: plain POST forms with CSRF that come back, HTMX partials, sign-in links."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.articles.models import ArticleTopic
from newsstand.personal.actions import note_article_opened
from newsstand.personal.models import Follow, SavedArticle
from newsstand.stories.models import Story
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article():
    return make_article(make_publisher("The Guardian"), title="Harbour bridge reopens")


def _pages(article) -> dict[str, str]:
    """Every page that carries a Save or Follow control."""
    now = timezone.now()
    story = Story.objects.create(headline="Bridge", first_seen_at=now, last_updated_at=now)
    article.story = story
    article.topics = ["Transport"]
    article.save()
    ArticleTopic.objects.create(article=article, slug="transport", name="Transport")
    return {
        "article": reverse("reader:article", args=[article.pk]),
        "publisher": reverse("reader:publisher", args=[article.publisher.slug]),
        "section": reverse("reader:section", args=[article.section]),
        "topic": reverse("reader:topic", args=["transport"]),
        "story": reverse("reader:story", args=[story.pk]),
    }


def test_anonymous_pages_carry_sign_in_links_and_no_csrf_token(client, article):
    for name, url in _pages(article).items():
        html = client.get(url).content.decode()
        # Anonymous pages are cached for everyone: no per-visitor token in the personal controls.
        for control in re.findall(
            r'<(?:form|p|a) class="(?:save|follow)-control.*?</(?:form|p|a)>', html, re.S
        ):
            assert "csrfmiddlewaretoken" not in control, name
        login = f"/accounts/login/?next={url}"
        assert login in html, name
        assert 'hx-post="/saved/' not in html and 'action="/following/change/"' not in html
    html = client.get(reverse("reader:article", args=[article.pk])).content.decode()
    assert "Sign in to save" in html


def test_signed_in_pages_carry_forms_with_csrf_and_htmx(reader_client, article):
    pages = _pages(article)
    for name, url in pages.items():
        html = reader_client.get(url).content.decode()
        form = re.search(r'<form class="(save|follow)-control".*?</form>', html, re.S)
        assert form, name
        assert "csrfmiddlewaretoken" in form.group(0)
        assert 'hx-target="this" hx-swap="outerHTML"' in form.group(0)
    article_html = reader_client.get(pages["article"]).content.decode()
    assert f'action="{reverse("personal:save", args=[article.pk])}"' in article_html
    assert 'aria-pressed="false"' in article_html


def test_save_without_javascript_redirects_back(reader_client, reader, article):
    url = reverse("personal:save", args=[article.pk])
    back = reverse("reader:article", args=[article.pk])
    response = reader_client.post(url, {"action": "save", "next": back})
    assert response.status_code == 303
    assert response["Location"] == back
    assert SavedArticle.objects.filter(user=reader, article=article).exists()
    html = reader_client.get(back).content.decode()
    assert 'value="unsave" aria-pressed="true"' in html

    response = reader_client.post(url, {"action": "unsave", "next": back})
    assert response.status_code == 303
    assert not SavedArticle.objects.exists()


def test_save_ignores_a_next_that_leaves_the_site(reader_client, article):
    url = reverse("personal:save", args=[article.pk])
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = reader_client.post(url, {"action": "save", "next": evil})
        assert response["Location"] == reverse("reader:article", args=[article.pk])


def test_save_over_htmx_answers_the_button_only(reader_client, reader, article):
    url = reverse("personal:save", args=[article.pk])
    response = reader_client.post(url, {"action": "save", "next": "/"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<form class="save-control"')
    assert "<html" not in html and "<body" not in html
    assert f'id="save-{article.pk}"' in html
    assert 'value="unsave" aria-pressed="true"' in html and "Saved" in html
    assert "csrfmiddlewaretoken" in html
    assert SavedArticle.objects.filter(user=reader).count() == 1

    html = reader_client.post(url, {"action": "unsave"}, **HX).content.decode()
    assert 'value="save" aria-pressed="false"' in html
    assert not SavedArticle.objects.exists()


def test_save_checks_its_input(reader_client, article):
    bad = reader_client.post(reverse("personal:save", args=[article.pk]), {"action": "hoard"})
    assert bad.status_code == 400
    assert b"use save or unsave" in bad.content
    assert (
        reader_client.post(reverse("personal:save", args=[999999]), {"action": "save"}).status_code
        == 404
    )
    assert reader_client.get(reverse("personal:save", args=[article.pk])).status_code == 405


def test_forms_need_a_csrf_token(reader, article):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    response = strict.post(reverse("personal:save", args=[article.pk]), {"action": "save"})
    assert response.status_code == 403
    response = strict.post(
        reverse("personal:follow"),
        {"kind": "publisher", "key": article.publisher_id, "action": "follow"},
    )
    assert response.status_code == 403
    assert not SavedArticle.objects.exists() and not Follow.objects.exists()


def test_signed_out_post_goes_to_sign_in_and_back(client, article):
    back = reverse("reader:article", args=[article.pk])
    response = client.post(
        reverse("personal:save", args=[article.pk]), {"action": "save", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={back}"
    # Over HTMX a redirect would be swapped into the button: HTMX is told to load the page.
    response = client.post(
        reverse("personal:save", args=[article.pk]), {"action": "save", "next": back}, **HX
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next={back}"
    assert not SavedArticle.objects.exists()


def test_follow_and_mute_without_javascript(reader_client, reader, article):
    pub = article.publisher
    back = reverse("reader:publisher", args=[pub.slug])
    data = {"kind": "publisher", "key": str(pub.pk), "next": back}
    response = reader_client.post(reverse("personal:follow"), {**data, "action": "follow"})
    assert (response.status_code, response["Location"]) == (303, back)
    row = Follow.objects.get(user=reader)
    assert (row.kind, row.key, row.label, row.muted) == (
        "publisher",
        str(pub.pk),
        "The Guardian",
        False,
    )
    html = reader_client.get(back).content.decode()
    assert 'value="unfollow" aria-pressed="true">Following' in html

    reader_client.post(reverse("personal:follow"), {**data, "action": "mute"})
    assert Follow.objects.get(user=reader).muted
    reader_client.post(reverse("personal:follow"), {**data, "action": "unmute"})
    assert not Follow.objects.exists()


def test_follow_over_htmx_answers_the_buttons_only(reader_client, reader, article):
    data = {"kind": "section", "key": "business", "action": "follow", "next": "/"}
    response = reader_client.post(reverse("personal:follow"), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<form class="follow-control"')
    assert 'value="unfollow" aria-pressed="true"' in html
    assert 'value="mute" aria-pressed="false"' in html
    assert Follow.objects.get(user=reader).label == "Business"

    html = reader_client.post(
        reverse("personal:follow"), {**data, "action": "mute"}, **HX
    ).content.decode()
    assert 'value="follow" aria-pressed="false"' in html
    assert 'value="unmute" aria-pressed="true"' in html


def test_follow_refuses_what_does_not_exist(reader_client):
    response = reader_client.post(
        reverse("personal:follow"), {"kind": "publisher", "key": "999999", "action": "follow"}
    )
    assert response.status_code == 400
    assert b"There is no publisher" in response.content
    response = reader_client.post(
        reverse("personal:follow"), {"kind": "x", "key": "1", "action": "follow"}
    )
    assert response.status_code == 400
    response = reader_client.post(
        reverse("personal:follow"), {"kind": "topic", "key": "a", "action": "adore"}
    )
    assert b"use follow, unfollow, mute or unmute" in response.content
    assert not Follow.objects.exists()


def test_unfollow_works_for_what_has_gone(reader_client, reader):
    now = timezone.now()
    story = Story.objects.create(headline="Gone soon", first_seen_at=now, last_updated_at=now)
    reader_client.post(
        reverse("personal:follow"), {"kind": "story", "key": story.pk, "action": "follow"}
    )
    assert Follow.objects.filter(user=reader).count() == 1
    key = str(story.pk)
    story.delete()
    response = reader_client.post(
        reverse("personal:follow"), {"kind": "story", "key": key, "action": "unfollow"}
    )
    assert response.status_code == 303
    assert not Follow.objects.exists()


def test_history_remove_over_htmx_replaces_the_entry(reader_client, reader, article):
    note_article_opened(reader, article)
    response = reader_client.post(reverse("personal:remove_from_history", args=[article.pk]), **HX)
    assert response.status_code == 200
    assert response.content.decode().startswith('<li class="history-removed">')
    assert not reader.reading_history.exists()
