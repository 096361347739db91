"""Start reading (/start/): what it offers, what it writes, junk, and landing there once."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsstand.foryou import live
from newsstand.foryou.models import Onboarding
from newsstand.personal import actions
from newsstand.personal.models import Follow
from newsstand.personal.targets import resolve_target
from tests.foryou.conftest import TOPICS, News
from tests.personal.conftest import make_user
from tests.reader.factories import make_article

pytestmark = pytest.mark.django_db

START = reverse("foryou:start")
PASSWORD = "a-long-enough-passphrase-42"


def _signed_in(client: Client) -> User:
    user = make_user()
    client.force_login(user)
    return user


def _checkboxes(html: str, name: str) -> list[tuple[str, bool]]:
    found = re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*?( checked)?>', html
    )
    return [(value, bool(checked)) for value, checked in found]


def test_signed_out_readers_are_sent_to_sign_in(client: Client):
    response = client.get(START)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={START}"


def test_offers_topics_and_publishers_most_active_first(
    news: News, client: Client, django_assert_max_num_queries
):
    _signed_in(client)
    busy = news.publishers[9]
    for i in range(5):
        make_article(busy, title=f"Extra {i}", topics=["Film"])
    from newsstand.articles.models import Article, ArticleTopic

    for article in Article.objects.filter(title__startswith="Extra"):
        ArticleTopic.objects.create(article=article, slug="film", name="Film")
    with django_assert_max_num_queries(10):
        response = client.get(START)
    html = response.content.decode()
    assert response.status_code == 200
    topics = [v for v, _ in _checkboxes(html, "topic")]
    assert topics[0] == "film"
    assert set(topics) == {t.casefold() for t in TOPICS}
    publishers = [v for v, _ in _checkboxes(html, "publisher")]
    assert publishers[0] == str(busy.pk)
    assert len(publishers) == len(news.publishers)
    assert '<label for="start-topic-1">Film</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'href="{reverse("reader:home")}">Skip</a>' in html


def test_publisher_logos_are_shown(news: News, client: Client):
    _signed_in(client)
    publisher = news.publishers[0]
    publisher.icon_version = "abc123"
    publisher.save()
    html = client.get(START).content.decode()
    # Newsstand's copy of the icon (web.icons), never the publisher's own server.
    icon = reverse("reader:publisher_icon", args=[publisher.slug])
    assert f'<img src="{icon}?v=abc123" alt=""' in html


def test_choosing_writes_follows_and_for_you_shows_them(news: News, client: Client):
    user = _signed_in(client)
    publisher = news.publishers[4]
    response = client.post(START, {"topic": ["gadgets"], "publisher": [str(publisher.pk)]})
    assert response.status_code == 303
    assert response["Location"] == reverse("foryou:feed")
    rows = set(Follow.objects.filter(user=user).values_list("kind", "key", "label", "muted"))
    assert rows == {
        ("topic", "gadgets", "Gadgets", False),
        ("publisher", str(publisher.pk), publisher.name, False),
    }
    reasons = {r for e in live.page_for(user) for r in e.reasons}
    assert "You follow Gadgets" in reasons
    assert f"You follow {publisher.name}" in reasons


def test_start_reading_choices_lead_the_page_of_a_reader_with_a_history(news: News, client: Client):
    """The issue: ticking Technology, Sport and a publisher showed none of them. Here a reader
    whose reading is all elections and markets ticks Gadgets, Film and a publisher: the first
    ten of For You hold each."""
    user = _signed_in(client)
    for i in (0, 1, 4, 5, 8, 9):
        actions.note_article_opened(user, news.pairs[i][0])
    publisher = news.publishers[6]
    client.post(START, {"topic": ["gadgets", "film"], "publisher": [str(publisher.pk)]})
    first_ten = live.page_for(user, limit=10)
    assert any("Gadgets" in e.article.topics for e in first_ten)
    assert any("Film" in e.article.topics for e in first_ten)
    assert any(e.article.publisher_id == publisher.pk for e in first_ten)
    html = client.get(reverse("foryou:feed")).content.decode()
    assert "You follow Gadgets" in html and "You follow Film" in html


def test_a_revisit_shows_what_is_followed_and_unticking_unfollows(news: News, client: Client):
    user = _signed_in(client)
    kept, dropped = news.publishers[0], news.publishers[1]
    for p in (kept, dropped):
        actions.follow(user, resolve_target("publisher", str(p.pk)))
    actions.follow(user, resolve_target("section", "World"))  # not on the page: left alone
    actions.mute(user, resolve_target("topic", "Film"))
    html = client.get(START).content.decode()
    ticked = dict(_checkboxes(html, "publisher"))
    assert ticked[str(kept.pk)] and ticked[str(dropped.pk)]
    assert dict(_checkboxes(html, "topic"))["film"] is False
    client.post(START, {"publisher": [str(kept.pk)]})
    rows = set(Follow.objects.filter(user=user).values_list("kind", "key", "muted"))
    assert rows == {
        ("publisher", str(kept.pk), False),
        ("section", "world", False),
        ("topic", "film", True),
    }
    # Following is where a reader comes back to it from.
    assert f'href="{START}"' in client.get(reverse("personal:following")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"topic": ["no-such-topic"]}, "\u201cno-such-topic\u201d is not one of the topics"),
        ({"publisher": ["999999"]}, "\u201c999999\u201d is not one of the publishers"),
        ({"publisher": ["<script>x</script>"]}, "\u201c&lt;script&gt;x&lt;/script&gt;\u201d"),
        ({"topic": ["film"] * 201}, "more topics than the page lists"),
    ],
)
def test_junk_gets_a_clear_error_and_writes_nothing(news: News, client: Client, data, message):
    user = _signed_in(client)
    response = client.post(START, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message in html
    assert "<script>x" not in html
    assert not Follow.objects.filter(user=user).exists()


def test_csrf_is_required(news: News):
    client = Client(enforce_csrf_checks=True)
    _signed_in(client)
    assert client.post(START, {"topic": ["film"]}).status_code == 403


def test_nothing_to_offer_without_news(db, client: Client):
    _signed_in(client)
    html = client.get(START).content.decode()
    assert "nothing to pick from" in html


# --- landing there once ----------------------------------------------------------------------


def _sign_up_and_confirm(client: Client, email: str) -> str:
    client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert link
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    confirmed = client.post("/" + path)
    assert confirmed.status_code == 302
    return confirmed["Location"]


def test_a_new_reader_lands_on_start_once(db, client: Client):
    landed = _sign_up_and_confirm(client, "new@example.org")
    assert landed == START
    user = User.objects.get(email="new@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert Onboarding.objects.get(user=user).started_at is None
    assert "Start reading" in client.get(START).content.decode()
    assert Onboarding.objects.get(user=user).started_at is not None
    client.logout()
    again = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": PASSWORD}
    )
    assert again["Location"] == "/"


def test_confirming_in_another_browser_still_leads_to_start_on_sign_in(db, client: Client):
    landed = _sign_up_and_confirm(Client(), "elsewhere@example.org")
    assert landed in (START, reverse("account_login"))
    response = client.post(
        reverse("account_login"), {"login": "elsewhere@example.org", "password": PASSWORD}
    )
    assert response["Location"] == START


def test_a_next_wins_over_start(db, client: Client):
    _sign_up_and_confirm(Client(), "next@example.org")
    response = client.post(
        reverse("account_login") + "?next=/saved/",
        {"login": "next@example.org", "password": PASSWORD},
    )
    assert response["Location"] == "/saved/"


def test_readers_from_before_for_you_are_never_sent_there(db, client: Client):
    user = User.objects.create_user("old", "old@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email="old@example.org", verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": "old@example.org", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_onboarding_is_in_the_data_export_and_goes_with_the_account(db, client: Client):
    from newsstand.accounts.actions import export_user_data

    _sign_up_and_confirm(client, "export@example.org")
    user = User.objects.get(email="export@example.org")
    client.get(START)
    part = export_user_data(user)["foryou"]["start_reading"]
    assert part["offered_at"] is not None
    assert part["seen_at"] is not None
    user.delete()
    assert not Onboarding.objects.exists()


def test_without_recent_news_the_topics_of_all_time_are_offered(db, client: Client):
    from datetime import timedelta

    from django.utils import timezone

    from newsstand.articles.models import ArticleTopic
    from tests.reader.factories import make_publisher

    _signed_in(client)
    old = make_article(make_publisher("Archive"), published_at=timezone.now() - timedelta(days=90))
    ArticleTopic.objects.create(article=old, slug="history", name="History")
    html = client.get(START).content.decode()
    assert [v for v, _ in _checkboxes(html, "topic")] == ["history"]
