"""The search page in a real Chromium: without JavaScript, with suggestions, and under axe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import pytest
from django.urls import reverse

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from tests.browser.axe import blocking_violations
from tests.reader.factories import make_article, make_publisher

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_TIMEOUT_MS = 10_000


@pytest.fixture
def articles(live_server: LiveServer) -> tuple[Publisher, Publisher, list[Article]]:
    gazette = make_publisher("Harbour Gazette")
    times = make_publisher("Valley Times")
    made = [
        make_article(
            (gazette, times)[i % 2],
            title=f"Harbour bridge works, week {i}",
            summary="Repairs to the <harbour> bridge continue.",
            section="Local",
        )
        for i in range(25)
    ]
    made.append(make_article(times, title="Orchard harvest begins", section="Food"))
    return gazette, times, made


def _context(browser: Browser, live_server: LiveServer, **kwargs: object) -> BrowserContext:
    ctx = browser.new_context(base_url=live_server.url, **kwargs)  # type: ignore[arg-type]
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    return ctx


@pytest.fixture
def no_js_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    ctx = _context(browser, live_server, java_script_enabled=False)
    yield ctx.new_page()
    ctx.close()


@pytest.fixture
def js_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    ctx = _context(browser, live_server)
    yield ctx.new_page()
    ctx.close()


def test_search_works_without_javascript(
    no_js_page: Page, articles: tuple[Publisher, Publisher, list[Article]]
) -> None:
    gazette, _, _ = articles
    page = no_js_page
    page.goto(reverse("reader:publishers"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url("**/search")
    page.get_by_label("Search articles").fill("harbour bridge")
    page.get_by_label("Search articles").press("Enter")
    page.wait_for_url("**/search?q=harbour+bridge**")
    assert page.get_by_role("heading", level=2).first.inner_text() == (
        "25 articles for “harbour bridge”"
    )
    results = page.locator(".search-result")
    assert results.count() == 20
    # The summary's "<harbour>" is text, escaped, with the word marked.
    assert results.first.locator("mark").first.inner_text().lower() == "harbour"
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2")
    assert page.get_by_text("Page 2 of 2").is_visible()
    assert results.count() == 5

    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Publisher").select_option(gazette.slug)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**publisher={gazette.slug}**")
    assert page.get_by_role("heading", level=2).first.inner_text().startswith("13 articles")

    first = page.locator(".search-result .card__title a").first
    href = first.get_attribute("href")
    first.click()
    assert href and page.url.endswith(href)


def test_suggestions_as_you_type(
    js_page: Page, articles: tuple[Publisher, Publisher, list[Article]]
) -> None:
    page = js_page
    page.goto(reverse("search:search"))
    box = page.get_by_label("Search articles")
    box.press_sequentially("orch", delay=30)
    suggestion = page.locator("#search-suggestions").get_by_role(
        "link", name="Orchard harvest begins"
    )
    suggestion.wait_for()
    # The word being typed is marked whole.
    assert page.locator("#search-suggestions mark").first.inner_text() == "Orchard"
    suggestion.click()
    orchard = next(a for a in articles[2] if a.title.startswith("Orchard"))
    page.wait_for_url(f"**{reverse('reader:article', args=[orchard.pk])}")


def test_escape_closes_suggestions(
    js_page: Page, articles: tuple[Publisher, Publisher, list[Article]]
) -> None:
    page = js_page
    page.goto(reverse("search:search"))
    box = page.get_by_label("Search articles")
    box.press_sequentially("harb", delay=30)
    page.locator("#search-suggestions li").first.wait_for()
    box.press("Escape")
    assert page.locator("#search-suggestions li").count() == 0


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_no_serious_axe_violations(
    browser: Browser,
    live_server: LiveServer,
    articles: tuple[Publisher, Publisher, list[Article]],
    color_scheme: Literal["light", "dark"],
) -> None:

    ctx = _context(browser, live_server, color_scheme=color_scheme)
    pages = {
        "empty": reverse("search:search"),
        "results": reverse("search:search") + "?q=harbour&section=Local",
        "page 2": reverse("search:search") + "?q=harbour&page=2",
        "no results": reverse("search:search") + "?q=zzzyxw",
        "bad filters": reverse("search:search") + "?q=harbour&since=nope&publisher=nobody",
    }
    failures: dict[str, list[dict[str, object]]] = {}
    try:
        page = ctx.new_page()
        for name, path in pages.items():
            page.goto(path)
            if name == "results":
                # The suggestions open too, so axe sees them.
                page.get_by_label("Search articles").fill("harbour br")
                page.locator("#search-suggestions li").first.wait_for()
            blocking = blocking_violations(page)
            if blocking:
                failures[name] = blocking
    finally:
        ctx.close()
    assert not failures, json.dumps(failures, indent=1)
