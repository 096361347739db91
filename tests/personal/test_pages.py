"""Saved, History and Following: signed-in only, paged, in at most 10 queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.personal import actions
from newsstand.personal.models import ReadingHistory
from newsstand.personal.targets import resolve_target
from newsstand.stories.models import Story
from newsstand.web.listing import ARTICLES_PER_PAGE
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize("name", ["saved", "history", "following"])
def test_pages_send_anonymous_visitors_to_sign_in(client, name):
    url = reverse(f"personal:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_saved_lists_latest_saved_first_and_pages(
    reader_client, reader, django_assert_max_num_queries
):
    pub = make_publisher()
    now = timezone.now()
    articles = [make_article(pub, title=f"Article {i:02d}") for i in range(ARTICLES_PER_PAGE + 2)]
    for i, article in enumerate(articles):
        actions.save_article(reader, article.pk, now=now - timedelta(minutes=i))
    make_article(pub, title="Not saved")
    actions.save_article(make_user(), articles[0].pk)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = reader_client.get(reverse("personal:saved"))
    html = response.content.decode()
    titles = _titles(html)
    assert titles[:2] == ["Article 00", "Article 01"]
    assert len(titles) == ARTICLES_PER_PAGE
    assert "Not saved" not in html
    # Every card shows it is saved, so unsaving is one press.
    assert html.count('aria-pressed="true"') == ARTICLES_PER_PAGE
    assert 'aria-current="page">Saved</a>' in html

    second = reader_client.get(reverse("personal:saved"), {"page": 2}).content.decode()
    assert _titles(second) == ["Article 30", "Article 31"]


def test_saved_empty_state(reader_client):
    html = reader_client.get(reverse("personal:saved")).content.decode()
    assert "Nothing saved yet" in html


def test_history_lists_latest_read_first_with_counts(
    reader_client, reader, django_assert_max_num_queries
):
    pub = make_publisher()
    old, recent = make_article(pub, title="Read long ago"), make_article(pub, title="Read today")
    now = timezone.now()
    actions.note_article_opened(reader, old, now=now - timedelta(days=3))
    actions.note_article_opened(reader, recent, now=now - timedelta(hours=2))
    actions.note_article_opened(reader, recent, now=now - timedelta(hours=1))
    actions.note_article_opened(make_user(), make_article(pub, title="Someone else's"))

    with django_assert_max_num_queries(MAX_QUERIES):
        html = reader_client.get(reverse("personal:history")).content.decode()
    assert _titles(html) == ["Read today", "Read long ago"]
    assert "Read 2 times, last" in html
    assert "Someone else" not in html
    assert 'name="confirm" value="yes"' in html
    assert html.count("csrfmiddlewaretoken") >= 3


def test_history_remove_and_clear_without_javascript(reader_client, reader):
    pub = make_publisher()
    a, b = make_article(pub, title="First"), make_article(pub, title="Second")
    actions.note_article_opened(reader, a)
    actions.note_article_opened(reader, b)
    history = reverse("personal:history")

    response = reader_client.post(
        reverse("personal:remove_from_history", args=[a.pk]), {"next": history}
    )
    assert response.status_code == 303
    assert response["Location"] == history
    assert list(ReadingHistory.objects.values_list("article_id", flat=True)) == [b.pk]

    # Clearing needs the confirmation the form sends; a bare POST clears nothing.
    refused = reader_client.post(reverse("personal:clear_history"))
    assert refused.status_code == 400
    assert b"Confirm" in refused.content
    assert ReadingHistory.objects.count() == 1
    response = reader_client.post(reverse("personal:clear_history"), {"confirm": "yes"})
    assert response.status_code == 303
    assert not ReadingHistory.objects.exists()
    assert "No history" in reader_client.get(history).content.decode()


def test_following_lists_follows_and_mutes(reader_client, reader, django_assert_max_num_queries):
    guardian = make_publisher("The Guardian")
    loud = make_publisher("Loud Times")
    make_article(guardian, section="World")
    now = timezone.now()
    story = Story.objects.create(headline="Harbour bridge", first_seen_at=now, last_updated_at=now)
    gone = Story.objects.create(headline="Merged away", first_seen_at=now, last_updated_at=now)
    actions.follow(reader, resolve_target("publisher", str(guardian.pk)))
    actions.follow(reader, resolve_target("section", "world"))
    actions.follow(reader, resolve_target("story", str(story.pk)))
    actions.follow(reader, resolve_target("story", str(gone.pk)))
    actions.mute(reader, resolve_target("publisher", str(loud.pk)))
    gone.delete()
    guardian.name = "The Guardian (renamed)"
    guardian.save()

    with django_assert_max_num_queries(MAX_QUERIES):
        html = reader_client.get(reverse("personal:following")).content.decode()
    following, muted = html.split('id="follows-muted"')
    assert (
        f'href="{reverse("reader:publisher", args=[guardian.slug])}">The Guardian (renamed)'
        in following
    )
    assert f'href="{reverse("reader:section", args=["World"])}">World</a>' in following
    assert "Harbour bridge" in following
    assert "Merged away <span" in following and "no longer on Newsstand" in following
    assert "Loud Times" in muted and "Loud Times" not in following
    assert 'value="unmute"' in muted
    assert following.count('value="unfollow"') == 4


def test_following_empty_state(reader_client):
    assert (
        "You follow nothing yet"
        in reader_client.get(reverse("personal:following")).content.decode()
    )


def test_nav_links_only_for_signed_in_readers(client, reader):
    make_article(make_publisher())
    anonymous = client.get(reverse("reader:home")).content.decode()
    # The phone tab bar offers Saved to everyone (signing in on the way); the rest is personal.
    for name in ("history", "following"):
        assert reverse(f"personal:{name}") not in anonymous
    client.force_login(reader)
    html = client.get(reverse("reader:home")).content.decode()
    for name in ("saved", "history", "following"):
        assert f'href="{reverse(f"personal:{name}")}"' in html
