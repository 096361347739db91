"""axe-core (bundled with axe-playwright-python, so offline) for the browser tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.test import Client

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations of the page as loaded, summarised."""
    # Imported here so a missing package skips via the browser fixture, not a collection error.
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
        }
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def sign_in(context: BrowserContext, live_server: LiveServer, user: object) -> None:
    """Put a real session for `user` into the browser: sign-in itself is the accounts' test."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
