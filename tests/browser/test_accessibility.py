"""axe-core (bundled with axe-playwright-python, so offline) on every reader page, both themes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from newsstand.accounts.actions import add_user
from newsstand.briefing.emails import unsubscribe_token
from newsstand.stories.actions import add_pick
from tests.browser.axe import blocking_violations, sign_in
from tests.browser.conftest import ReaderData
from tests.reader.factories import make_feed

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRIEFING_EMAIL = "briefing@example.org"
BRIEFING_PASSWORD = "a-long-test-passphrase-42"


def _pages(data: ReaderData) -> dict[str, str]:
    return {
        "home": reverse("reader:home"),
        "article": reverse("reader:article", args=[data.story_articles[0].pk]),
        "story": reverse("reader:story", args=[data.story.pk]),
        "publishers": reverse("reader:publishers"),
        "publisher": reverse("reader:publisher", args=[data.publishers[0].slug]),
        "section": reverse("reader:section", args=["World"]),
        "settings": reverse("reader:settings"),
        "offline": reverse("reader:offline"),
    }


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_no_serious_axe_violations(
    browser: Browser,
    live_server: LiveServer,
    reader_data: ReaderData,
    color_scheme: Literal["light", "dark"],
) -> None:
    ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    failures: dict[str, list[dict[str, object]]] = {}
    try:
        page = ctx.new_page()
        for name, path in _pages(reader_data).items():
            page.goto(path)
            if blocking := blocking_violations(page):
                failures[name] = blocking
    finally:
        ctx.close()
    assert not failures, json.dumps(failures, indent=1)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_staff_pages_have_no_serious_axe_violations(
    browser: Browser,
    live_server: LiveServer,
    reader_data: ReaderData,
    color_scheme: Literal["light", "dark"],
) -> None:
    """Where editors work: the staff home, feed health, a feed, a publisher, adding a source,
    the ranking and Our Picks."""
    publisher = reader_data.publishers[0]
    feed = make_feed(publisher)
    add_pick(story=reader_data.story)
    editor = get_user_model().objects.create_user(
        "editor", email="editor@example.org", password="pw-not-used", is_staff=True
    )
    ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    sign_in(ctx, live_server, editor)
    pages = {
        "staff home": reverse("reader:staff:home"),
        "feed health": reverse("reader:staff:feeds"),
        "feed": reverse("reader:staff:feed", args=[feed.pk]),
        "publisher (staff)": reverse("reader:staff:publisher", args=[publisher.slug]),
        "add a source": reverse("reader:staff:add_source"),
        "ranking": reverse("reader:staff:ranking"),
        "picks": reverse("reader:staff:picks"),
    }
    failures: dict[str, list[dict[str, object]]] = {}
    try:
        page = ctx.new_page()
        for name, path in pages.items():
            response = page.goto(path)
            assert response is not None and response.status == 200, (name, path)
            if blocking := blocking_violations(page):
                failures[name] = blocking
    finally:
        ctx.close()
    assert not failures, json.dumps(failures, indent=1)


def _signed_in_pages(data: ReaderData) -> dict[str, str]:
    """Pages only a signed-in reader has (the personal pages are checked in test_personal)."""
    return {
        "for you": reverse("foryou:feed"),
        "start reading": reverse("foryou:start"),
        "home (signed in, For You block)": reverse("reader:home"),
    }


def test_no_serious_axe_violations_signed_in(
    browser: Browser, live_server: LiveServer, reader_data: ReaderData, settings: Any
) -> None:
    from newsstand.accounts.actions import add_user
    from newsstand.personal import actions
    from newsstand.personal.targets import resolve_target
    from tests.browser.test_foryou import PASSWORD, sign_in, with_topics

    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]
    with_topics(reader_data)
    user = add_user("axe-foryou@example.org", PASSWORD)
    # Something in every part: a read (a "Because you read"), a follow, a mute.
    actions.note_article_opened(user, reader_data.story_articles[1])
    actions.follow(user, resolve_target("topic", "Markets"))
    actions.mute(user, resolve_target("section", "World"))
    failures: dict[str, object] = {}
    for color_scheme in ("light", "dark"):
        ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
        try:
            page = ctx.new_page()
            sign_in(page, "axe-foryou@example.org")
            for name, path in _signed_in_pages(reader_data).items():
                page.goto(path)
                if name == "for you":
                    assert page.locator("details.why__details").count() > 0
                    page.locator("details.why__details summary").first.click()
                if blocking := blocking_violations(page):
                    failures[f"{name} ({color_scheme})"] = blocking
        finally:
            ctx.close()
    assert not failures, json.dumps(failures, indent=1)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_no_serious_axe_violations_on_briefing_pages(
    browser: Browser,
    live_server: LiveServer,
    reader_data: ReaderData,
    settings: object,
    color_scheme: Literal["light", "dark"],
) -> None:
    """The briefing settings (also showing an error), the preview, the email itself and the
    unsubscribe page, signed in through the real sign-in form."""
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]  # type: ignore[attr-defined]
    # The first request imports every view: seconds on a busy machine, not the page's timeout.
    httpx.get(f"{live_server.url}/", timeout=120).raise_for_status()
    user = add_user(BRIEFING_EMAIL, BRIEFING_PASSWORD)
    ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    failures: dict[str, object] = {}

    def check(name: str) -> None:
        if blocking := blocking_violations(page):
            failures[name] = blocking

    try:
        page = ctx.new_page()
        page.goto(reverse("account_login"))
        page.locator("#id_login").fill(BRIEFING_EMAIL)
        page.locator("#id_password").fill(BRIEFING_PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")

        page.goto(reverse("briefing:preferences"))
        check("briefing settings")
        # The script filled in the browser's zone; junk in the time field shows the error.
        assert page.locator("#id_browser_time_zone").input_value()
        page.locator("#id_send_time").evaluate("el => { el.type = 'text'; el.value = 'soon'; }")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector(".errorlist")
        check("briefing settings with an error")
        page.locator("#id_send_time").evaluate("el => { el.type = 'time'; }")
        page.locator("#id_send_time").fill("07:15")
        page.locator("#id_enabled").check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector(".messages")
        check("briefing settings saved")

        for name, path in {
            "briefing preview": reverse("briefing:preview"),
            "briefing email": reverse("briefing:preview_email"),
            "unsubscribe": reverse("briefing:unsubscribe", args=[unsubscribe_token(user.pk)]),
        }.items():
            page.goto(path)
            check(name)
    finally:
        ctx.close()
    assert not failures, json.dumps(failures, indent=1)
