"""The briefing pages: settings, preview, unsubscribe; and the briefing in "Download my data"."""

from __future__ import annotations

import json
from datetime import time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.briefing import actions
from newsstand.briefing.emails import unsubscribe_token, user_id_from_token
from newsstand.briefing.models import BriefingDelivery, BriefingPreference
from tests.briefing.conftest import News

pytestmark = pytest.mark.django_db

SETTINGS = "/account/briefing/"
PREVIEW = "/briefing/preview/"
PREVIEW_EMAIL = "/briefing/preview/email/"
PREVIEW_TEXT = "/briefing/preview/text/"


@pytest.fixture
def signed_in(reader: Any) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def _form(**overrides: str) -> dict[str, str]:
    data = {"enabled": "on", "send_time": "07:30", "time_zone": "", "browser_time_zone": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("url", [SETTINGS, PREVIEW, PREVIEW_EMAIL, PREVIEW_TEXT])
def test_pages_need_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Settings ----------------------------------------------------------------------------------


def test_settings_page(signed_in: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(10):
        response = signed_in.get(SETTINGS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The daily briefing is off." in html
    assert '<option value="" selected>This device&#x27;s time zone</option>' in html
    assert '<option value="Europe/London">Europe/London</option>' in html
    assert '<input type="hidden" name="browser_time_zone"' in html
    assert '<input type="time" name="send_time" value="07:00"' in html
    assert "briefing/timezone.js" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_subscribing_with_the_browsers_time_zone(signed_in: Client, reader: Any) -> None:
    response = signed_in.post(SETTINGS, _form(browser_time_zone="Europe/Berlin"), follow=True)
    assert response.redirect_chain == [(SETTINGS, 302)]
    pref = BriefingPreference.objects.get(user=reader)
    assert (pref.enabled, pref.send_time, pref.time_zone) == (True, time(7, 30), "Europe/Berlin")
    html = response.content.decode()
    assert "Saved. The daily briefing is on: the next one comes on" in html
    assert "at 07:30 (Europe/Berlin)" in html
    # The list now shows the saved zone.
    assert '<option value="Europe/Berlin" selected>' in html


def test_the_list_wins_over_the_browser(signed_in: Client, reader: Any) -> None:
    signed_in.post(SETTINGS, _form(time_zone="Asia/Tokyo", browser_time_zone="Europe/Berlin"))
    assert BriefingPreference.objects.get(user=reader).time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(time_zone="Mars/Olympus_Mons"), "“Mars/Olympus_Mons” is not a time zone we know"),
        (_form(browser_time_zone="Not/AZone"), "“Not/AZone” is not a time zone we know"),
        (_form(), "Choose your time zone from the list (this browser did not tell us its own)."),
        (_form(send_time="25:99", time_zone="UTC"), "Enter a time of day as hours and minutes"),
        (_form(send_time="", time_zone="UTC"), "Enter the time to send it, e.g. 07:00."),
        (_form(send_time="<script>", time_zone="UTC"), "Enter a time of day"),
    ],
)
def test_junk_gets_a_clear_error(signed_in: Client, data: dict[str, str], message: str) -> None:
    response = signed_in.post(SETTINGS, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    assert 'aria-invalid="true"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert not BriefingPreference.objects.exists()


def test_the_form_needs_its_csrf_token(reader: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(SETTINGS, _form(time_zone="UTC")).status_code == 403
    assert not BriefingPreference.objects.exists()


def test_turning_it_off_and_on_again(signed_in: Client, reader: Any) -> None:
    signed_in.post(SETTINGS, _form(time_zone="UTC"))
    signed_in.post(SETTINGS, _form(enabled=None, time_zone="UTC"))
    pref = BriefingPreference.objects.get(user=reader)
    assert (pref.enabled, pref.unsubscribed_via) == (False, "settings")
    response = signed_in.post(SETTINGS, _form(time_zone="UTC"), follow=True)
    assert "The daily briefing is on" in response.content.decode()
    assert BriefingPreference.objects.get(user=reader).enabled


# Preview -----------------------------------------------------------------------------------


def test_preview_shows_exactly_the_email(
    signed_in: Client, reader: Any, news: News, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    actions.subscribe_to_briefing(reader, send_time=time(6, 0), time_zone="UTC", now=now)
    signed_in.get(PREVIEW)  # For You's corpus of the window, loaded once per process
    with django_assert_max_num_queries(10):
        page = signed_in.get(PREVIEW)
    with django_assert_max_num_queries(10):
        email_part = signed_in.get(PREVIEW_EMAIL)
    with django_assert_max_num_queries(10):
        text_part = signed_in.get(PREVIEW_TEXT)

    html = page.content.decode()
    assert "Harbour bridge reopens after storm repairs" in html  # in the subject
    assert f'src="{PREVIEW_EMAIL}"' in html and f'href="{PREVIEW_TEXT}"' in html
    assert "List-Unsubscribe-Post" in html and "daily at 06:00 (UTC)" in html
    assert email_part["X-Frame-Options"] == "SAMEORIGIN"
    assert email_part["Content-Type"] == "text/html; charset=utf-8"
    assert text_part["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in email_part["Cache-Control"]

    outcome = actions.send_briefing(reader.pk, now.date(), due_at=now, now=now)
    assert outcome.outcome == "sent"
    (message,) = mail.outbox
    assert email_part.content.decode() == message.alternatives[0][0]
    assert text_part.content.decode() == message.body


def test_preview_with_nothing_to_send(signed_in: Client) -> None:
    response = signed_in.get(PREVIEW)
    assert response.status_code == 200
    assert "There is nothing to send right now" in response.content.decode()


# Unsubscribe -------------------------------------------------------------------------------


def _subscribed(reader: Any) -> BriefingPreference:
    return actions.subscribe_to_briefing(reader, time_zone="UTC")


def test_the_link_shows_one_button_and_changes_nothing(reader: Any) -> None:
    _subscribed(reader)
    url = reverse("briefing:unsubscribe", args=[unsubscribe_token(reader.pk)])
    for method in (Client().get, Client().head):
        response = method(url)
        assert response.status_code == 200
    html = Client().get(url).content.decode()
    assert "re•••@example.org" in html
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert main.count("<button") == 1
    assert '<button type="submit" class="button">Unsubscribe</button>' in main
    assert BriefingPreference.objects.get(user=reader).enabled  # a link scanner changes nothing


def test_one_click_unsubscribes_without_sign_in_or_csrf(
    reader: Any, django_assert_max_num_queries: Any
) -> None:
    _subscribed(reader)
    url = reverse("briefing:unsubscribe", args=[unsubscribe_token(reader.pk)])
    client = Client(enforce_csrf_checks=True)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    pref = BriefingPreference.objects.get(user=reader)
    assert (pref.enabled, pref.unsubscribed_via) == (False, "one-click")
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: fine


def test_the_pages_button_unsubscribes(reader: Any) -> None:
    _subscribed(reader)
    url = reverse("briefing:unsubscribe", args=[unsubscribe_token(reader.pk)])
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert BriefingPreference.objects.get(user=reader).unsubscribed_via == "link"


@pytest.mark.parametrize("token", ["nonsense", "MQ:forged", "Mg:1abcdefghijklmnopqrstuvwxyz"])
def test_a_bad_token_changes_nothing(reader: Any, token: str) -> None:
    _subscribed(reader)
    url = reverse("briefing:unsubscribe", args=[token])
    assert Client().get(url).status_code == 400
    response = Client().post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert BriefingPreference.objects.get(user=reader).enabled


def test_tokens_name_one_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    assert user_id_from_token(unsubscribe_token(42)) == 42
    # No timestamp in it: the same link in every email and in the preview, and it never expires.
    first = unsubscribe_token(42)
    monkeypatch.setattr("time.time", lambda: 4_000_000_000.0)
    assert unsubscribe_token(42) == first
    token = unsubscribe_token(42)
    assert user_id_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert user_id_from_token(unsubscribe_token(42).replace("NDI", "NDM")) is None


# Download my data --------------------------------------------------------------------------


def test_export_holds_the_preference_and_deliveries(
    signed_in: Client, reader: Any, news: News
) -> None:
    now = timezone.now()
    actions.subscribe_to_briefing(reader, send_time=time(6, 45), time_zone="Europe/Rome", now=now)
    actions.send_briefing(reader.pk, now.date(), due_at=now - timedelta(minutes=1), now=now)
    yesterday = now - timedelta(days=1)
    BriefingDelivery.objects.create(
        user=reader,
        local_date=yesterday.date(),
        state="failed",
        due_at=yesterday,
        claimed_at=yesterday,
        attempts=3,
    )
    data = json.loads(signed_in.get(reverse("accounts:export")).content)
    part = data["briefing"]
    assert part["preference"]["send_time"] == "06:45"
    assert part["preference"]["time_zone"] == "Europe/Rome"
    assert part["preference"]["enabled"] is True
    earlier, delivery = part["deliveries"]
    assert (earlier["state"], earlier["attempts"]) == ("failed", 3)
    assert delivery["state"] == "sent" and delivery["local_date"] == now.date().isoformat()


def test_export_without_a_preference(signed_in: Client) -> None:
    data = json.loads(signed_in.get(reverse("accounts:export")).content)
    assert data["briefing"] == {"preference": None, "deliveries": []}


def test_the_header_marks_account_not_settings(signed_in: Client) -> None:
    html = signed_in.get(SETTINGS).content.decode()
    assert '<a href="/account/" aria-current="page">Account</a>' in html
    assert '<a href="/settings/" aria-current="page">' not in html
