"""For You in a real browser: sign in, pick a topic and a publisher on Start reading, and find
them on For You with a "Why am I seeing this?" that opens; then mute a publisher in one tap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from django.urls import reverse

from newsstand.accounts.actions import add_user
from newsstand.articles.actions import index_article_topics
from newsstand.personal.models import Follow
from tests.browser.conftest import ReaderData

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "foryou@example.org"
PASSWORD = "a-long-test-passphrase-42"


@pytest.fixture(autouse=True)
def _quick_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _warm_live_server(live_server: LiveServer) -> None:
    httpx.get(f"{live_server.url}/", timeout=120).raise_for_status()


def sign_in(page: Page, email: str = EMAIL) -> None:
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{reverse('reader:home')}")


def with_topics(reader_data: ReaderData) -> None:
    """The standalone articles are about Markets; the story's about Bridges."""
    for article in reader_data.articles:
        article.topics = ["Bridges"] if article.story_id else ["Markets"]
        article.save()
        index_article_topics(article)


def test_start_reading_then_for_you_explains_itself(
    page: Page, reader_data: ReaderData, settings: Settings
) -> None:
    with_topics(reader_data)
    user = add_user(EMAIL, PASSWORD)
    sign_in(page)
    guardian = reader_data.publishers[0]

    page.goto(reverse("foryou:start"))
    assert page.get_by_role("heading", level=1).inner_text() == "Start reading"
    page.get_by_role("checkbox", name="Markets").check()
    page.get_by_role("checkbox", name=guardian.name).check()
    page.get_by_role("button", name="Start reading").click()
    page.wait_for_url(f"**{reverse('foryou:feed')}")
    assert set(Follow.objects.filter(user=user).values_list("kind", flat=True)) == {
        "topic",
        "publisher",
    }

    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="For You").get_attribute("aria-current") == "page"
    cards = page.locator(".cards > li")
    assert cards.count() >= 3
    first = cards.first
    # The reasons and mutes are behind the card's one "•••" menu.
    why = first.locator("details.why__details")
    reasons = why.locator(".why__reasons")
    assert not reasons.is_visible()
    assert first.locator(".follow-control__button").count() == 2
    assert not first.locator(".follow-control__button").first.is_visible()
    why.locator("summary").click()
    assert reasons.is_visible()
    all_reasons = page.locator(".why__reasons li").all_text_contents()
    assert "You follow Markets" in all_reasons
    assert f"You follow {guardian.name}" in all_reasons

    # One tap on "Not interested" mutes the publisher (htmx swaps in its Unmute button)...
    reuters = reader_data.publishers[1]
    card = cards.filter(has=page.locator(f".kicker__publisher:text-is('{reuters.name}')")).first
    card.locator("details.why__details summary").click()
    card.get_by_role("button", name=f"Not interested: mute {reuters.name}").click()
    card.get_by_role("button", name=f"Muted {reuters.name}").wait_for()
    assert Follow.objects.get(user=user, kind="publisher", key=str(reuters.pk)).muted
    # ...and the next page leaves it out.
    page.reload()
    assert page.locator(f".cards .kicker__publisher:text-is('{reuters.name}')").count() == 0
