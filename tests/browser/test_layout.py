"""The layout at phone, tablet and desktop widths in a real Chromium: no page scrolls sideways,
the phone header stays compact, search results read as full-width rows, and the anonymous home
shows the trial offer on its first screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from newsstand.personal import actions as personal
from newsstand.personal.targets import resolve_target
from newsstand.stories.actions import add_pick
from newsstand.stories.models import Story
from tests.browser.axe import sign_in
from tests.browser.conftest import ReaderData
from tests.reader.factories import make_article

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (width, height) of a first screen: an iPhone SE (1st), an iPhone 14, an iPad, a laptop.
VIEWPORTS = [(320, 568), (390, 844), (768, 1024), (1280, 800)]
PHONE_WIDTH_MAX_PX = 480
PHONE_HEADER_MAX_PX = 64
SEARCH_HEADLINE_MIN_SHARE = 0.6
PAGE_TIMEOUT_MS = 15_000


def _anonymous_pages(data: ReaderData) -> dict[str, str]:
    return {
        "home": reverse("reader:home"),
        "article": reverse("reader:article", args=[data.story_articles[0].pk]),
        "story": reverse("reader:story", args=[data.story.pk]),
        "search": reverse("search:search") + "?q=harbour",
        "publisher": reverse("reader:publisher", args=[data.publishers[0].slug]),
        "publishers": reverse("reader:publishers"),
        "section": reverse("reader:section", args=["World"]),
        "settings": reverse("reader:settings"),
        "membership": reverse("membership:plans"),
        "sign up": reverse("account_signup"),
        "sign in": reverse("account_login"),
    }


def _signed_in_pages() -> dict[str, str]:
    return {
        "home (signed in)": reverse("reader:home"),
        "for you": reverse("foryou:feed"),
        "saved": reverse("personal:saved"),
        "history": reverse("personal:history"),
        "following": reverse("personal:following"),
        "account": reverse("accounts:account"),
        "feed health": reverse("reader:staff:feeds"),
    }


def _sideways(page: Page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


def _header_height(page: Page) -> float:
    return float(page.locator(".site-header").bounding_box()["height"])  # type: ignore[index]


def _check(page: Page, name: str, width: int, problems: list[str]) -> None:
    if (extra := _sideways(page)) > 0:
        problems.append(f"{name} at {width}px scrolls {extra}px sideways")
    if width <= PHONE_WIDTH_MAX_PX and (height := _header_height(page)) > PHONE_HEADER_MAX_PX:
        problems.append(f"{name} at {width}px: header {height:.0f}px tall")


@pytest.fixture
def searchable(reader_data: ReaderData) -> ReaderData:
    """Results with long headlines for the search page (the index follows by trigger)."""
    for i in range(3):
        make_article(
            reader_data.publishers[i % 2],
            title=f"Harbour bridge repairs reach the final span as crews work through night {i}",
            summary="The harbour bridge should reopen to traffic before the weekend.",
            section="World",
        )
    return reader_data


def test_every_page_fits_from_320_to_1280_px(
    browser: Browser, live_server: LiveServer, searchable: ReaderData, settings: Any
) -> None:
    editor = get_user_model().objects.create_user(
        "layout-editor", email="layout@example.org", password="pw-not-used", is_staff=True
    )
    personal.follow(editor, resolve_target("publisher", str(searchable.publishers[0].pk)))
    personal.save_article(editor, searchable.articles[0].pk)
    problems: list[str] = []
    for width, height in VIEWPORTS:
        for signed_in, pages in ((False, _anonymous_pages(searchable)), (True, _signed_in_pages())):
            ctx = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}
            )
            ctx.set_default_timeout(PAGE_TIMEOUT_MS)
            try:
                if signed_in:
                    sign_in(ctx, live_server, editor)
                page = ctx.new_page()
                for name, path in pages.items():
                    response = page.goto(path)
                    assert response is not None and response.status == 200, (name, path)
                    _check(page, name, width, problems)
            finally:
                ctx.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_search_headlines_take_the_width(
    browser: Browser, live_server: LiveServer, searchable: ReaderData, width: int, height: int
) -> None:
    """search.css once lost to reader.css's `.card { display: flex }`: headlines wrapped two
    or three letters a line (55 px of 390)."""
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    try:
        page = ctx.new_page()
        page.goto(reverse("search:search") + "?q=harbour")
        titles = page.locator(".search-result__title")
        assert titles.count() >= 3
        for i in range(titles.count()):
            box = titles.nth(i).bounding_box()
            assert box is not None
            assert box["width"] >= SEARCH_HEADLINE_MIN_SHARE * width, (i, box, width)
    finally:
        ctx.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_trial_offer_is_on_the_anonymous_homes_first_screen(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData, width: int, height: int
) -> None:
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    try:
        page = ctx.new_page()
        page.goto(reverse("reader:home"))
        offer = page.get_by_role("link", name="Start your 14-day free trial")
        assert offer.is_visible()
        box = offer.bounding_box()
        assert box is not None
        # Above the fold, and above the tab bar where there is one.
        tabs = page.locator(".tab-bar")
        fold = tabs.bounding_box()["y"] if tabs.is_visible() else height  # type: ignore[index]
        assert box["y"] >= 0 and box["y"] + box["height"] <= fold, (box, fold)
        # The lead story and its picture come first.
        lead = page.locator(".lead-story__image").bounding_box()
        assert lead is not None and lead["y"] < box["y"]
        assert "All your news in one place" in page.locator(".home-pitch").inner_text()
    finally:
        ctx.close()


def test_phone_menu_and_tab_bar_work_without_javascript(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData
) -> None:
    ctx = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = ctx.new_page()
        page.goto(reverse("reader:article", args=[reader_data.story_articles[0].pk]))
        tabs = page.get_by_role("navigation", name="Tabs")
        assert [n.strip() for n in tabs.get_by_role("link").all_inner_texts()] == [
            "Home",
            "For You",
            "Search",
            "Saved",
            "Sign in",
        ]
        page.get_by_text("Menu", exact=True).click()
        menu = page.get_by_role("navigation", name="Menu")
        menu.get_by_role("link", name="Publishers").click()
        page.wait_for_url(f"**{reverse('reader:publishers')}")
        # The theme toggle is in the menu.
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Switch to the dark theme").click()
        page.wait_for_url(f"**{reverse('reader:publishers')}")
        assert page.locator("html").get_attribute("data-theme") == "dark"
        tabs = page.get_by_role("navigation", name="Tabs")
        tabs.get_by_role("link", name="Search").click()
        page.wait_for_url("**/search")
        assert tabs.get_by_role("link", name="Search").get_attribute("aria-current") == "page"
    finally:
        ctx.close()


# The article page's side blocks: Related stories, Top stories right now, Our Picks.
RAIL_BLOCKS = ("#related-title", "#top-stories-title", "#our-picks-title")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_article_pages_side_blocks_sit_beside_it_on_wide_screens(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData, width: int, height: int
) -> None:
    """At 1280 px Related, Top stories and Our Picks once sat below the article between
    ~300 px empty margins; they stand in a column to its right, and under it on a phone."""
    now = timezone.now()
    other = Story.objects.create(
        headline="Council approves new tram line",
        first_seen_at=now,
        last_updated_at=now,
        article_count=1,
        publisher_count=1,
        score=3.0,
    )
    make_article(reader_data.publishers[0], title="Council approves new tram line", story=other)
    add_pick(article=reader_data.articles[3])
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    try:
        page = ctx.new_page()
        page.goto(reverse("reader:article", args=[reader_data.story_articles[0].pk]))
        body = page.locator("article.article").bounding_box()
        assert body is not None
        for heading in RAIL_BLOCKS:
            block = page.locator("aside.article-aside", has=page.locator(heading)).bounding_box()
            assert block is not None, heading
            if width >= 1280:
                assert block["x"] >= body["x"] + body["width"], (heading, block, body)
                assert block["y"] < body["y"] + height, (heading, block, body)
            else:
                assert block["y"] >= body["y"] + body["height"], (heading, block, body)
    finally:
        ctx.close()
