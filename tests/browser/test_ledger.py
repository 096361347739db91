"""The read ledger in a real browser: a member scrolls through an article and the read is
recorded once the reading time has passed; the staff payouts page passes axe-core."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from newsstand.ledger.models import FullRead
from newsstand.membership.models import Membership
from tests.browser.axe import blocking_violations, sign_in
from tests.reader.factories import make_article, make_publisher

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_BODY = "".join(
    f"<p>Paragraph {i}: the harbour bridge reopened after storm repairs finished a week early, "
    "and commuters returned to the crossing that had been shut since the gales.</p>"
    for i in range(80)
)


def test_member_scrolls_past_the_threshold_and_the_read_is_recorded(
    page: Page, context: BrowserContext, live_server: LiveServer, settings: Any
) -> None:
    # A short reading time: the scroll is done long before it, so the claim has to wait.
    settings.NEWSSTAND_FULL_READ_SECONDS = 4
    now = timezone.now()
    member = get_user_model().objects.create_user(
        "reader@example.org", email="reader@example.org", password="pw-not-used"
    )
    Membership.objects.create(
        user=member,
        state=Membership.State.TRIAL,
        trial_started_at=now,
        trial_ends_at=now + timedelta(days=14),
    )
    article = make_article(
        make_publisher("Alpha Times"), title="Harbour bridge reopens", content_html=LONG_BODY
    )
    sign_in(context, live_server, member)

    opened = time.monotonic()
    page.goto(reverse("reader:article", args=[article.pk]))
    assert page.locator("script[src*='ledger/read.js']").count() == 1
    page.wait_for_load_state("load")
    assert not FullRead.objects.exists()  # opening is not reading

    with page.expect_response(lambda r: r.url.endswith("/reads/")) as claim:
        for _ in range(40):  # a reader's wheel, not a jump to the end
            page.mouse.wheel(0, 400)
            page.wait_for_timeout(30)
    # Only the status: Chromium keeps no body of a keepalive request for Playwright to read.
    assert claim.value.status == 201
    # The scroll took about a second; the claim went out once the reading time had passed.
    assert time.monotonic() - opened >= 4
    tracker = "document.querySelector(\"script[src*='ledger/read.js']\").dataset.state"
    page.wait_for_function(f"() => {tracker}")
    assert page.evaluate(tracker) == "recorded"

    read = FullRead.objects.get()
    assert (read.user_id, read.article_id, read.publisher_id) == (
        member.pk,
        article.pk,
        article.publisher_id,
    )
    assert read.via == FullRead.Via.SCROLL


def test_payouts_page_has_no_serious_axe_violations(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:

    staff = get_user_model().objects.create_user("editor", password="pw-not-used", is_staff=True)
    publisher = make_publisher("Alpha Times")
    sign_in(context, live_server, staff)
    failures = {}
    for path in (
        reverse("reader:staff:payouts"),
        reverse("reader:staff:payouts_publisher", args=[publisher.pk]),
    ):
        page.goto(path)
        violations = blocking_violations(page)
        if violations:
            failures[path] = violations
    assert not failures, json.dumps(failures, indent=1)
