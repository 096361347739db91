"""The service worker keeps the last home page and /offline/ for reading without a network."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from tests.browser.conftest import ReaderData

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHE_WAIT_S = 5.0


def _wait_until_cached(page: Page, path: str) -> None:
    # The worker stores the page after answering, so poll; wait_for_function won't await promises.
    deadline = time.monotonic() + CACHE_WAIT_S
    while not page.evaluate(f"caches.match({path!r}).then(hit => !!hit)"):
        assert time.monotonic() < deadline, f"{path} never reached the service worker's cache"
        page.wait_for_timeout(50)


def test_offline_shows_cached_home_then_offline_page(
    page: Page, context: BrowserContext, reader_data: ReaderData
) -> None:
    home = reverse("reader:home")
    page.goto(home)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The first visit happened before the worker took control; this one goes through it.
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    _wait_until_cached(page, home)

    context.set_offline(True)
    page.reload()
    assert page.get_by_role("link", name=reader_data.story.headline).count() >= 1

    page.goto(reverse("reader:article", args=[reader_data.articles[-1].pk]))
    assert page.locator("h1").inner_text() == "You are offline"
