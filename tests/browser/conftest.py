"""A real Chromium (Debian's, never a Playwright download) driving the reader over live_server.

One browser per session, a fresh context (cookies, storage, service workers) per test. Without
Chromium the tests skip with the reason, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories.models import Story
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.reader.factories import make_article, make_publisher

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

PAGE_TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: while Playwright's sync API is alive its event loop counts as
    running in the main thread, which would trip Django's async-safety check in other tests."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    if not (CHROMIUM.is_file() or shutil.which(str(CHROMIUM))):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # The ORM calls in these tests run in the main thread beside Playwright's (idle) loop, never
    # inside a coroutine, so Django's check would be a false alarm here; restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browsing context whose relative URLs resolve against the live server."""
    ctx = browser.new_context(base_url=live_server.url)
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@dataclass(frozen=True)
class ReaderData:
    publishers: tuple[Publisher, ...]
    articles: tuple[Article, ...]
    story: Story
    story_articles: tuple[Article, ...]


@pytest.fixture
def reader_data(live_server: LiveServer) -> ReaderData:
    """Two publishers, a few standalone articles and a story of 3 articles from both publishers."""
    now = timezone.now()
    image = f"{live_server.url}/static/reader/icons/icon-512.png"
    guardian = make_publisher("The Guardian")
    reuters = make_publisher("Reuters")
    story = Story.objects.create(
        headline="Harbour bridge reopens after storm repairs",
        lead="Engineers finished repairs a week early.",
        first_seen_at=now - timedelta(hours=3),
        last_updated_at=now - timedelta(minutes=10),
        article_count=3,
        publisher_count=2,
        score=5.0,
        sections=["World"],
    )
    story_articles = (
        make_article(
            reuters,
            title="Harbour bridge reopens after storm repairs",
            story=story,
            section="World",
            authors=["Ana Ruiz"],
            lead_image_url=image,
            published_at=now - timedelta(minutes=10),
        ),
        make_article(
            guardian,
            title="Bridge reopening brings relief to commuters",
            story=story,
            section="World",
            authors=["Tom Park"],
            published_at=now - timedelta(minutes=30),
        ),
        make_article(
            reuters,
            title="Storm damage to harbour bridge costs millions",
            story=story,
            section="World",
            published_at=now - timedelta(hours=2),
        ),
    )
    story.representative = story_articles[0]
    story.save(update_fields=["representative"])
    standalone = tuple(
        make_article(
            (guardian, reuters)[i % 2],
            title=f"Markets close higher on day {i}",
            lead_image_url=image if i % 2 else "",
            published_at=now - timedelta(hours=3 + i),
        )
        for i in range(4)
    )
    return ReaderData(
        publishers=(guardian, reuters),
        articles=story_articles + standalone,
        story=story,
        story_articles=story_articles,
    )


@pytest.fixture(autouse=True)
def _no_page_cache(settings: Any) -> None:
    """Render every page: the live server's thread keeps the cache it started with, shared by all
    the tests of a worker, so a page cached by one test would be served to the next. The page
    cache has its own tests (tests/reader/test_page_cache.py)."""
    settings.NEWSSTAND_PAGE_CACHE_S = 0
