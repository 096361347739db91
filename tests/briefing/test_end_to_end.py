"""A reader subscribes through the form, the worker's tick sends through the task queue into
the file mail backend, the one-click link unsubscribes, and nothing is ever sent twice."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from newsstand.briefing.models import BriefingDelivery, BriefingPreference
from newsstand.briefing.schedule import send_moment
from newsstand.briefing.tasks import enqueue_due_briefings
from newsstand.config import email_mailer
from tests.briefing.conftest import BODY_ONLY, SITE, News

pytestmark = pytest.mark.django_db

# Django's file backend separates the messages of one file with a line of 79 dashes.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _mailbox(directory: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(directory.glob("*")) if directory.exists() else []:
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages  # type: ignore[return-value]


def _tick(now: Any) -> int:
    """The periodic task's work, with tasks run by the real Huey django.tasks backend."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    try:
        return enqueue_due_briefings(now)
    finally:
        HUEY.immediate = was


def test_subscribe_receive_unsubscribe(
    reader: Any, news: News, settings: Any, tmp_path: Path
) -> None:
    outbox = tmp_path / "mail"
    settings.MAILERS = {"default": email_mailer(None, str(outbox))}
    client = Client()
    client.force_login(reader)

    # Subscribes at the settings page, the zone coming from the browser (the hidden field).
    response = client.post(
        "/account/briefing/",
        {"enabled": "on", "send_time": "06:30", "time_zone": "", "browser_time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    pref = BriefingPreference.objects.get(user=reader)
    assert (pref.enabled, pref.time_zone) == (True, "Asia/Tokyo")

    # Nothing until the first 06:30 in Tokyo after subscribing.
    tokyo = ZoneInfo("Asia/Tokyo")
    today = timezone.now().astimezone(tokyo).date()
    first = send_moment(today, pref.send_time, tokyo)
    if first < pref.schedule_since:
        first = send_moment(today + timedelta(days=1), pref.send_time, tokyo)
    assert _tick(first - timedelta(minutes=1)) == 0
    assert _mailbox(outbox) == []

    assert _tick(first + timedelta(seconds=30)) == 1
    (message,) = _mailbox(outbox)
    assert message["To"] == "reader@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Harbour bridge reopens after storm repairs" in text.get_content()
    assert "Harbour bridge reopens after storm repairs" in html.get_content()
    assert BODY_ONLY not in text.get_content() + html.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{SITE}/briefing/unsubscribe/")
    assert message["Message-ID"].startswith(f"<briefing.{reader.pk}.")
    delivery = BriefingDelivery.objects.get()
    assert (delivery.state, delivery.local_date) == ("sent", first.astimezone(tokyo).date())

    # The tick runs again (every minute, and after a restart): nothing more that day.
    assert _tick(first + timedelta(minutes=1)) == 0
    assert _tick(first + timedelta(hours=2)) == 0
    assert len(_mailbox(outbox)) == 1

    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not BriefingPreference.objects.get(user=reader).enabled

    # The next day's send time comes and goes: nothing.
    assert _tick(first + timedelta(days=1, seconds=30)) == 0
    assert len(_mailbox(outbox)) == 1
