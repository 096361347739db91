"""The gate in a real browser: what an anonymous reader sees (and axe on it), and the service
worker never keeping a member's full text for the next person on the device."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Literal

import pytest
from django.test import Client

from tests.browser.axe import blocking_violations
from tests.gate.factories import LATER_MARKERS, MARKER, OPENING, make_gated_article, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHE_WAIT_S = 5.0
FIRST_PAGE_TIMEOUT_MS = 60_000


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_anonymous_reader_sees_the_teaser_and_the_gate_and_axe_passes(
    browser: Browser, live_server: LiveServer, color_scheme: Literal["light", "dark"]
) -> None:

    article = make_gated_article(
        authors=["Ana Ruiz"],
        lead_image_url=f"{live_server.url}/static/reader/icons/icon-512.png",
        lead_image_caption="The northern pier at low tide.",
    )
    ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    try:
        page = ctx.new_page()
        page.goto(article.get_absolute_url(), timeout=FIRST_PAGE_TIMEOUT_MS)
        assert page.get_by_role("heading", level=1).inner_text() == article.title
        assert page.get_by_text(OPENING).is_visible()
        gate = page.get_by_role("region", name="This article is for members")
        assert gate.is_visible()
        signup = gate.get_by_role("link", name="Sign up to read this article")
        assert "/accounts/signup/?next=" in (signup.get_attribute("href") or "")
        assert gate.get_by_role("link", name="Sign in").is_visible()
        assert gate.get_by_text("Fourteen days free").is_visible()
        assert page.get_by_role("link", name="Read the original at Harbour Times").is_visible()
        html = page.content()
        for marker in LATER_MARKERS:
            assert marker not in html

        blocking = blocking_violations(page)
        assert not blocking, json.dumps(blocking, indent=1)

        # Keyboard: the sign-up link is reachable and shows its focus.
        signup.focus()
        outline = signup.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none"
    finally:
        ctx.close()


def _cached_bodies(page: Page) -> list[str]:
    return page.evaluate(
        """async () => {
            const out = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const response = await cache.match(request);
                    out.push(request.url + "\\n" + await response.text());
                }
            }
            return out;
        }"""
    )


def _wait_until_cached(page: Page, path: str) -> None:
    deadline = time.monotonic() + CACHE_WAIT_S
    while not page.evaluate(f"caches.match({path!r}).then(hit => !!hit)"):
        assert time.monotonic() < deadline, f"{path} never reached the service worker's cache"
        page.wait_for_timeout(50)


def _sign_in(context: BrowserContext, live_server: LiveServer, kind: str) -> None:
    client = Client()
    client.force_login(make_user(kind))
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_service_worker_keeps_no_member_text_and_forgets_pages_on_sign_out(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    article = make_gated_article()
    _sign_in(context, live_server, "active")
    # The server's first request imports every view (stories pull in scikit-learn): on a busy
    # machine that alone can take longer than a page is normally given.
    page.goto("/", timeout=FIRST_PAGE_TIMEOUT_MS)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    _wait_until_cached(page, "/")

    # The member reads the whole article, through the worker.
    page.goto(article.get_absolute_url())
    assert page.get_by_text(MARKER, exact=False).is_visible()
    page.goto(article.get_absolute_url() + "?print=1")
    page.wait_for_timeout(300)
    for body in _cached_bodies(page):
        assert MARKER not in body, body.split("\n", 1)[0]

    # Signing out drops the pages kept for this reader (the form posts through the worker). A
    # sentinel stands for them: the home page itself is cached again, signed out, on the way back.
    page.evaluate(
        """caches.open("newsstand-pages")
            .then(c => c.put("/kept-for-the-member", new Response("member page")))"""
    )
    page.goto("/")
    page.locator(".site-menu summary").click()
    page.locator(".site-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    deadline = time.monotonic() + CACHE_WAIT_S
    while page.evaluate("caches.match('/kept-for-the-member').then(hit => !!hit)"):
        assert time.monotonic() < deadline, "pages kept for the member survived sign-out"
        page.wait_for_timeout(50)

    # The next reader on this device gets the gate.
    page.goto(article.get_absolute_url())
    assert MARKER not in page.content()
