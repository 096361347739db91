"""Membership pages in a real Chromium: axe-core on each, and subscribing without JavaScript."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from newsstand.membership import actions
from tests.browser.axe import blocking_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(ctx: BrowserContext, live_server: LiveServer, email: str, **extra: bool) -> None:
    user = get_user_model().objects.create_user(
        username=email, email=email, password="x-Long-pass-123", **extra
    )
    actions.start_trial(user)
    client = Client()
    client.force_login(user)
    ctx.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_membership_pages_have_no_serious_axe_violations(
    browser: Browser, live_server: LiveServer, color_scheme: Literal["light", "dark"]
) -> None:

    failures: dict[str, list[dict[str, object]]] = {}
    anonymous = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    staff = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    try:
        _signed_in(staff, live_server, "editor@example.org", is_staff=True)
        pages = [
            (anonymous, "plans (anonymous)", reverse("membership:plans")),
            (staff, "plans (trial)", reverse("membership:plans")),
            (staff, "manual checkout", reverse("membership:manual_checkout") + "?plan=monthly"),
            (staff, "staff members", reverse("membership_staff:members")),
        ]
        for ctx, name, path in pages:
            page = ctx.new_page()
            page.goto(path)
            blocking = blocking_violations(page)
            if blocking:
                failures[name] = blocking
    finally:
        anonymous.close()
        staff.close()
    assert not failures, json.dumps(failures, indent=1)


def test_subscribe_without_javascript_reaches_the_operator_page(
    browser: Browser, live_server: LiveServer, settings
) -> None:
    settings.NEWSSTAND_PAYMENT_PROVIDER = "manual"
    ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        _signed_in(ctx, live_server, "reader@example.org")
        page = ctx.new_page()
        page.goto(reverse("reader:home"))
        page.get_by_role("link", name="Membership").click()
        assert page.get_by_text("14 days left in your free trial").is_visible()
        page.get_by_role("button", name="Subscribe annual").click()
        assert page.url.endswith("/membership/checkout/manual/?plan=annual")
        assert page.get_by_text("ask the operator").is_visible()
    finally:
        ctx.close()
