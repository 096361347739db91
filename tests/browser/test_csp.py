"""The Content-Security-Policy in a real browser: no page breaks it, and HTMX still works under it.

Chromium reports each refusal twice over: a `securitypolicyviolation` event in the page (any
frame) and a console error. Both are collected; a page passes only with neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from django.urls import reverse

from newsstand.accounts.actions import add_user
from newsstand.articles.models import ArticleTopic
from newsstand.personal.models import SavedArticle
from tests.browser.conftest import ReaderData
from tests.reader.factories import make_feed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "staff@example.org"
PASSWORD = "a-long-test-passphrase-42"

# Runs in every frame before the page's own scripts; CDP injects it, so the policy allows it.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const element = e.target instanceof Element ? ` on ${e.target.outerHTML.slice(0, 120)}` : "";
  const seen = `${e.effectiveDirective} refused ${e.blockedURI}${element}`;
  window.__cspViolations.push(seen);
  if (window.top !== window) {
    try { window.top.__cspViolations.push(seen + " (in a frame)"); } catch (err) {}
  }
});
"""


@pytest.fixture(autouse=True)
def _quick_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _warm_live_server(live_server: LiveServer) -> None:
    httpx.get(f"{live_server.url}/", timeout=120).raise_for_status()


@pytest.fixture
def watched(browser: Browser, live_server: LiveServer) -> Iterator[tuple[Page, list[str]]]:
    """A page whose CSP refusals (console and events, any frame) land in the list."""
    ctx: BrowserContext = browser.new_context(base_url=live_server.url)
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page, refused
    ctx.close()


def _visit(page: Page, refused: list[str], path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    page.wait_for_load_state("load")
    # Frames (the briefing preview) load after their parent's load event.
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
    in_page = page.evaluate("window.__cspViolations")
    assert not (refused or in_page), f"{path}: {refused + in_page}"


def _sign_in(page: Page) -> None:
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{reverse('reader:home')}")


def test_every_kind_of_page_keeps_to_the_policy(
    watched: tuple[Page, list[str]], reader_data: ReaderData
) -> None:
    page, refused = watched
    story = reader_data.story
    article = reader_data.story_articles[0]
    ArticleTopic.objects.create(article=article, slug="bridges", name="Bridges")
    publisher = reader_data.publishers[0]
    feed = make_feed(publisher)

    header = page.goto("/")
    assert header is not None
    policy = header.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    anonymous = [
        "/",
        reverse("reader:article", args=[article.pk]),
        reverse("reader:story", args=[story.pk]),
        reverse("search:search") + "?q=harbour",
        reverse("reader:publishers"),
        reverse("reader:publisher", args=[publisher.slug]),
        reverse("reader:section", args=["World"]),
        reverse("reader:topic", args=["bridges"]),
        reverse("reader:settings"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("membership:plans"),
        "/api/docs",
    ]
    for path in anonymous:
        _visit(page, refused, path)

    user = add_user(EMAIL, PASSWORD)
    user.is_staff = user.is_superuser = True
    user.save()
    _sign_in(page)
    signed_in = [
        "/",
        reverse("reader:article", args=[article.pk]),
        reverse("accounts:account"),
        reverse("briefing:preferences"),
        reverse("briefing:preview"),
        reverse("reader:staff:feeds"),
        reverse("reader:staff:feed", args=[feed.pk]),
        reverse("reader:staff:ranking"),
        reverse("reader:staff:picks"),
        reverse("reader:staff:payouts"),
        reverse("reader:staff:payouts_publisher", args=[publisher.pk]),
        "/admin/",
        "/admin/sources/publisher/",
    ]
    for path in signed_in:
        _visit(page, refused, path)


def test_htmx_works_under_the_policy(
    watched: tuple[Page, list[str]], reader_data: ReaderData
) -> None:
    from playwright.sync_api import expect

    page, refused = watched
    add_user(EMAIL, PASSWORD)
    _sign_in(page)
    target = reader_data.articles[-1]
    _visit(page, refused, reverse("reader:article", args=[target.pk]))
    page.evaluate("window.__sameDocument = true")
    button = page.locator(f"#save-{target.pk}")
    button.click()
    # expect() polls from Playwright's side: wait_for_function would eval in the page, which
    # the policy refuses.
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument === true"), "saving reloaded the page"
    assert SavedArticle.objects.filter(article=target).exists()
    assert not (refused or page.evaluate("window.__cspViolations"))
