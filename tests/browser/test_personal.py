"""A signed-in reader in a real browser: save over HTMX, find it in Saved, read it offline;
keyboard saving, HTMX paging, Follow; and axe on the personal pages and a topic page."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from newsstand.accounts.actions import add_user
from newsstand.articles.actions import index_article_topics
from newsstand.membership.actions import start_trial
from newsstand.membership.models import Membership
from newsstand.personal import actions as personal
from newsstand.personal.models import Follow, SavedArticle
from newsstand.reader.views import HOME_LATEST_PER_PAGE
from newsstand.web.listing import ARTICLES_PER_PAGE
from tests.browser.axe import blocking_violations
from tests.browser.conftest import ReaderData
from tests.reader.factories import make_article

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "reader@example.org"
PASSWORD = "a-long-test-passphrase-42"
CACHE_WAIT_S = 10.0


@pytest.fixture(autouse=True)
def _quick_hashing(settings: Settings) -> None:
    # Argon2 at test costs (tests/accounts/conftest.py); the live server reads these settings too.
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _warm_live_server(live_server: LiveServer) -> None:
    """The server's first request imports every view (scikit-learn, scipy...): seconds on a busy
    machine, which must not count against a page's load timeout."""
    httpx.get(f"{live_server.url}/", timeout=120).raise_for_status()


def _log_in(page: Page) -> None:
    """A real sign-in through the sign-in form, so the browser holds a real session cookie."""
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{reverse('reader:home')}")
    assert page.get_by_role("link", name="Saved", exact=True).is_visible()


def _sign_in(page: Page) -> User:
    user = add_user(EMAIL, PASSWORD)
    _log_in(page)
    return user


def _under_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The first visit happened before the worker took control; this one goes through it.
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def _wait_until_saved_offline(page: Page, path: str) -> None:
    deadline = time.monotonic() + CACHE_WAIT_S
    script = f"caches.open('newsstand-saved').then(c => c.match({path!r})).then(hit => !!hit)"
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"{path} never reached the saved cache"
        page.wait_for_timeout(100)


def test_save_then_read_offline(
    page: Page, context: BrowserContext, reader_data: ReaderData
) -> None:
    user = _sign_in(page)
    _under_service_worker(page)
    story = reader_data.story
    # From the lead story, the best-ranked with a picture (the signed-in home's For You block
    # links the story's articles too).
    lead = page.locator(".lead-story")
    lead.get_by_role("link", name=story.headline).first.click()
    page.wait_for_url(f"**{reverse('reader:story', args=[story.pk])}")
    target = reader_data.story_articles[1]
    page.locator(".story__coverage").get_by_role("link", name=target.title).click()
    article_path = reverse("reader:article", args=[target.pk])
    page.wait_for_url(f"**{article_path}")

    # A marker on window survives an HTMX swap and dies with a reload.
    page.evaluate("window.__sameDocument = true")
    button = page.locator(f"#save-{target.pk}")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    # Predicates are functions: Playwright evals a bare expression in the page, which the CSP
    # refuses.
    page.wait_for_function(
        f"() => document.querySelector('#save-{target.pk}').getAttribute('aria-pressed') === 'true'"
    )
    assert page.evaluate("window.__sameDocument === true"), "saving reloaded the page"
    assert page.evaluate(f"document.activeElement.id === 'save-{target.pk}'"), "focus was lost"
    assert SavedArticle.objects.filter(user=user, article=target).exists()

    page.get_by_role("link", name="Saved", exact=True).click()
    page.wait_for_url(f"**{reverse('personal:saved')}")
    assert page.locator(".card__title a").all_inner_texts() == [target.title]
    _wait_until_saved_offline(page, article_path)

    context.set_offline(True)
    page.goto(article_path)
    assert page.get_by_role("heading", level=1).inner_text() == target.title
    # An article never saved (nor opened) is not there offline.
    page.goto(reverse("reader:article", args=[reader_data.articles[-1].pk]))
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    page.goto(reverse("personal:saved"))
    assert page.locator(".card__title a").all_inner_texts() == [target.title]


def test_articles_saved_elsewhere_are_kept_offline_once_saved_is_opened(
    page: Page, context: BrowserContext, reader_data: ReaderData
) -> None:
    """Issue 15: opening Saved never refreshed /saved/offline.json, so articles saved earlier
    (on another device, before this worker was installed) said "You are offline"."""
    user = _sign_in(page)
    _under_service_worker(page)
    target = reader_data.articles[1]
    article_path = reverse("reader:article", args=[target.pk])
    personal.save_article(user, target.pk)  # not through this browser: no save for its worker
    page.goto(reverse("personal:saved"))
    assert page.locator(".card__title a").all_inner_texts() == [target.title]
    _wait_until_saved_offline(page, article_path)

    context.set_offline(True)
    page.goto(article_path)
    assert page.get_by_role("heading", level=1).inner_text() == target.title


def test_plain_form_save_through_the_service_worker(
    page: Page, context: BrowserContext, reader_data: ReaderData
) -> None:
    """Without htmx (it failed to load), Save is a plain POST and redirect, which the service
    worker passes through, and then keeps the article offline all the same."""
    user = _sign_in(page)
    _under_service_worker(page)
    context.route("**/htmx.min.js", lambda route: route.abort())
    target = reader_data.articles[-1]
    article_path = reverse("reader:article", args=[target.pk])
    page.goto(article_path)
    assert page.evaluate("typeof window.htmx") == "undefined"
    page.evaluate("window.__sameDocument = true")
    page.locator(f"#save-{target.pk}").click()
    page.wait_for_function("() => window.__sameDocument === undefined")
    page.wait_for_url(f"**{article_path}")
    assert page.locator(f"#save-{target.pk}").get_attribute("aria-pressed") == "true"
    assert SavedArticle.objects.filter(user=user, article=target).exists()
    _wait_until_saved_offline(page, article_path)


def _cached_text(page: Page, path: str) -> str:
    script = (
        f"caches.open('newsstand-saved').then(c => c.match({path!r}))"
        ".then(hit => (hit ? hit.text() : ''))"
    )
    return str(page.evaluate(script))


def test_saved_full_text_is_dropped_when_access_ends(
    page: Page, context: BrowserContext, reader_data: ReaderData
) -> None:
    """A member's saved copy carries the whole article; once the membership ends, the next sync
    (opening Saved) replaces it with the gated page, so the text is gone from the device."""
    user = _sign_in(page)
    start_trial(user)
    _under_service_worker(page)
    target = reader_data.articles[0]
    later_words = target.content_text.split("\n\n")[-1].strip()
    assert later_words, "the fixture article has a body"
    article_path = reverse("reader:article", args=[target.pk])
    page.goto(article_path)
    page.locator(f"#save-{target.pk}").click()
    page.wait_for_function(
        f"() => document.querySelector('#save-{target.pk}').getAttribute('aria-pressed') === 'true'"
    )
    page.goto(reverse("personal:saved"))
    _wait_until_saved_offline(page, article_path)
    assert later_words in _cached_text(page, article_path)

    Membership.objects.filter(user=user).update(trial_ends_at=timezone.now() - timedelta(hours=1))
    page.goto(reverse("personal:saved"))
    deadline = time.monotonic() + CACHE_WAIT_S
    while later_words in _cached_text(page, article_path):
        assert time.monotonic() < deadline, "the member-only copy outlived the membership"
        page.wait_for_timeout(100)
    _wait_until_saved_offline(page, article_path)  # fetched again, as the gated page


def test_s_saves_the_selected_card_and_the_open_article(
    page: Page, reader_data: ReaderData
) -> None:
    user = _sign_in(page)
    cards = page.locator("[data-shortcuts='cards'] .card")
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = cards.nth(1)
    save = second.locator("[data-save-button]")
    page.keyboard.press("s")
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-shortcuts='cards'] .card\")[1]"
        ".querySelector('[data-save-button]').getAttribute('aria-pressed') === 'true'"
    )
    assert save.inner_text().startswith("★")
    assert SavedArticle.objects.filter(user=user).count() == 1

    article = reader_data.articles[-1]
    page.goto(reverse("reader:article", args=[article.pk]))
    page.keyboard.press("s")
    page.wait_for_function(
        f"() => document.querySelector('#save-{article.pk}')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    assert SavedArticle.objects.filter(user=user).count() == 2


def test_older_appends_the_next_page(page: Page, reader_data: ReaderData) -> None:
    pub = reader_data.publishers[0]
    long_ago = timezone.now() - timedelta(days=30)
    for i in range(ARTICLES_PER_PAGE):
        make_article(
            pub, title=f"Archive piece {i:02d}", published_at=long_ago - timedelta(hours=i)
        )
    page.goto("/")
    page.evaluate("window.__sameDocument = true")
    before = page.locator("[data-shortcuts='cards'] .card").count()
    assert before == HOME_LATEST_PER_PAGE
    page.get_by_role("link", name="More stories →").click()
    page.wait_for_function(f"() => document.querySelectorAll('.card').length > {before}")
    assert page.evaluate("window.__sameDocument === true")
    assert page.locator(".cards").count() == 2
    assert page.locator(".pager").count() == 1
    assert page.locator(".pager__status").inner_text() == "Page 2"
    # Focus moves to the first appended article.
    first_new = page.locator("ol.cards").nth(1).locator(".card__title a").first
    # htmx settles the swap, then the pager's script moves focus: wait for it, not a fixed time.
    page.wait_for_function(
        "() => document.activeElement.closest('ol.cards[data-appended]') !== null"
    )
    assert first_new.inner_text() == page.evaluate("document.activeElement.textContent")


def test_follow_a_publisher_without_reload(page: Page, reader_data: ReaderData) -> None:
    user = _sign_in(page)
    pub = reader_data.publishers[1]
    page.goto(reverse("reader:publisher", args=[pub.slug]))
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name=f"Follow {pub.name}").click()
    page.wait_for_function(
        "() => document.querySelector('.follow-control [aria-pressed=\"true\"]')"
    )
    assert page.evaluate("window.__sameDocument === true")
    assert Follow.objects.filter(user=user, kind="publisher", key=str(pub.pk), muted=False).exists()
    page.locator(".site-menu summary").click()  # Following is in the header's menu
    page.get_by_role("link", name="Following", exact=True).click()
    assert page.get_by_role("link", name=pub.name).is_visible()


def test_no_serious_axe_violations_on_personal_pages(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData
) -> None:

    user = add_user(EMAIL, PASSWORD)
    article = reader_data.story_articles[0]
    article.topics = ["Harbour works"]
    article.save()
    index_article_topics(article)
    failures: dict[str, object] = {}
    for color_scheme in ("light", "dark"):
        ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
        try:
            page = ctx.new_page()
            _log_in(page)
            # Something on every page: a saved article, a history entry, a follow and a mute.
            page.goto(reverse("reader:article", args=[article.pk]))
            SavedArticle.objects.get_or_create(user=user, article=article)
            Follow.objects.get_or_create(
                user=user, kind="topic", key="harbour-works", label="Harbour works"
            )
            Follow.objects.get_or_create(
                user=user, kind="publisher", key=str(reader_data.publishers[0].pk), muted=True
            )
            pages = {
                "saved": reverse("personal:saved"),
                "history": reverse("personal:history"),
                "following": reverse("personal:following"),
                "topic": reverse("reader:topic", args=["harbour-works"]),
                "article (signed in)": reverse("reader:article", args=[article.pk]),
                "home (signed in)": reverse("reader:home"),
            }
            for name, path in pages.items():
                page.goto(path)
                blocking = blocking_violations(page)
                if blocking:
                    failures[f"{name} ({color_scheme})"] = blocking
        finally:
            ctx.close()
    assert not failures, json.dumps(failures, indent=1)
