"""Accounts in a real browser: sign up, confirm, sign out, sign in; axe on the account pages."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Literal

import httpx
import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from newsstand.accounts.actions import add_user
from tests.browser.axe import blocking_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "plum-harbour-7-lantern"


@pytest.fixture(autouse=True)
def _quick_hashing(settings: Settings) -> None:
    # Argon2 at test costs (tests/accounts/conftest.py); the live server reads these settings too.
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2Hasher"]


@pytest.fixture(autouse=True)
def _warm_live_server(live_server: LiveServer) -> None:
    """The server's first request imports every view (scikit-learn, scipy...): seconds on a busy
    machine, which must not count against a page's load timeout."""
    httpx.get(f"{live_server.url}/", timeout=120).raise_for_status()


def _header(page: Page) -> Locator:
    return page.locator(".site-header")


def _menu(page: Page) -> Locator:
    """The header's menu, opened (a <details>): Account, Settings, Sign out."""
    menu = page.locator(".site-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


def test_sign_up_sign_out_sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    _header(page).get_by_role("link", name="Sign up").click()
    page.wait_for_url(f"**{reverse('account_signup')}")
    page.locator("#id_email").fill("browser@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"**{reverse('account_email_verification_sent')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(message.body))
    assert link, message.body
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()
    # A new reader lands on Start reading once (foryou); the account is in the header.
    page.wait_for_url(f"**{reverse('foryou:start')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Start reading"
    _menu(page).get_by_role("link", name="Account").click()
    page.wait_for_url(f"**{reverse('accounts:account')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert page.get_by_text("You sign in with browser@example.org").is_visible()

    _menu(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    assert _header(page).get_by_role("link", name="Sign in").is_visible()
    assert _header(page).get_by_role("link", name="Account").count() == 0

    _header(page).get_by_role("link", name="Sign in").click()
    page.wait_for_url(f"**{reverse('account_login')}")
    page.locator("#id_login").fill("browser@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert _menu(page).get_by_role("link", name="Account").is_visible()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_no_serious_axe_violations_on_account_pages(
    browser: Browser, live_server: LiveServer, color_scheme: Literal["light", "dark"]
) -> None:

    add_user("axe@example.org", PASSWORD)
    ctx = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    failures: dict[str, list[dict[str, object]]] = {}

    def check(name: str) -> None:
        blocking = blocking_violations(page)
        if blocking:
            failures[name] = blocking

    try:
        page = ctx.new_page()
        for name in ("account_signup", "account_login", "account_reset_password"):
            page.goto(reverse(name))
            check(name)
        # The sign-in form showing its error.
        page.goto(reverse("account_login"))
        page.locator("#id_login").fill("axe@example.org")
        page.locator("#id_password").fill("wrong-password-1")
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        page.wait_for_selector("[role=alert]")
        check("sign-in error")

        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server.url + "/")
        for name in ("accounts:account", "accounts:delete", "account_email"):
            page.goto(reverse(name))
            check(name)
    finally:
        ctx.close()
    assert not failures, json.dumps(failures, indent=1)
