"""Reader journeys in a real browser: clicking through, keyboard shortcuts, themes, phone width."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from tests.browser.conftest import ReaderData

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def _background_rgb(page: Page) -> tuple[int, ...]:
    css = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def _is_dark(rgb: tuple[int, ...]) -> bool:
    # Rec. 709 luma; the dark theme's --bg is #161615 (about 21), the light one's #fbfaf7.
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 64


def test_home_to_story_to_article(page: Page, reader_data: ReaderData) -> None:
    story = reader_data.story
    page.goto("/")
    page.get_by_role("link", name=story.headline).first.click()
    page.wait_for_url(f"**{reverse('reader:story', args=[story.pk])}")
    assert page.get_by_role("heading", level=1).inner_text() == story.headline

    target = reader_data.story_articles[1]
    page.locator(".story__coverage").get_by_role("link", name=target.title).click()
    page.wait_for_url(f"**{reverse('reader:article', args=[target.pk])}")
    assert page.get_by_role("heading", level=1).inner_text() == target.title
    assert page.locator(".byline").inner_text() == "By Tom Park"
    related = page.get_by_role("complementary", name="Related stories")
    assert related.is_visible()
    assert related.get_by_role("link", name=reader_data.story_articles[0].title).count() == 1


def test_keyboard_shortcuts(page: Page, reader_data: ReaderData) -> None:
    page.goto("/")
    cards = page.locator("[data-shortcuts='cards'] .card")
    second = cards.nth(1).locator(".card__title a").get_attribute("href")
    assert second
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert "card--current" in (cards.nth(1).get_attribute("class") or "")
    page.keyboard.press("o")
    page.wait_for_url(f"**{second}")

    page.goto("/")
    dialog = page.locator("#shortcuts-help")
    assert not dialog.is_visible()
    page.keyboard.press("?")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_dark_theme_from_settings(page: Page, reader_data: ReaderData) -> None:
    page.goto("/settings/")
    assert not _is_dark(_background_rgb(page))
    page.get_by_role("radio", name="Dark").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert _is_dark(_background_rgb(page))
    page.goto("/")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert _is_dark(_background_rgb(page))


def test_system_theme_follows_the_browser(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData
) -> None:
    ctx = browser.new_context(base_url=live_server.url, color_scheme="dark")
    try:
        page = ctx.new_page()
        page.goto("/")
        assert page.locator("html").get_attribute("data-theme") == "system"
        assert _is_dark(_background_rgb(page))
    finally:
        ctx.close()


def test_no_horizontal_scroll_at_phone_width(page: Page, reader_data: ReaderData) -> None:
    page.set_viewport_size(PHONE)
    paths = [
        "/",
        reverse("reader:article", args=[reader_data.story_articles[0].pk]),
        reverse("reader:story", args=[reader_data.story.pk]),
    ]
    for path in paths:
        page.goto(path)
        widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at 390px: {widths}"


def test_header_theme_toggle_without_javascript_on_cached_pages(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData
) -> None:
    """The toggle is a plain form (no token, no script) and each theme has its own cached page."""
    ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = ctx.new_page()
        article = reverse("reader:article", args=[reader_data.story_articles[0].pk])
        page.goto(article)
        page.goto(article)  # now from the page cache
        assert not _is_dark(_background_rgb(page))
        # The toggle is in the header's menu, a <details> that opens without a script.
        page.locator(".site-menu summary").click()
        page.get_by_role("button", name="Switch to the dark theme").click()
        page.wait_for_url(f"**{article}")
        assert page.locator("html").get_attribute("data-theme") == "dark"
        assert _is_dark(_background_rgb(page))
        page.goto("/")
        assert _is_dark(_background_rgb(page))
        page.locator(".site-menu summary").click()
        page.get_by_role("button", name="Switch to the light theme").click()
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("html").get_attribute("data-theme") == "light"
        assert not _is_dark(_background_rgb(page))
    finally:
        ctx.close()
