"""Sending the briefing against the real database: once, never twice, retries after failures."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from newsstand.briefing import actions
from newsstand.briefing.models import BriefingDelivery, BriefingPreference
from newsstand.briefing.schedule import RETRY_WAIT, UnknownTimeZone
from newsstand.personal.actions import note_article_opened
from newsstand.personal.models import Follow
from tests.briefing.conftest import BODY_ONLY, SITE, News, SlowBackend, make_news, make_reader
from tests.databases import database_url

MINUTE = timedelta(minutes=1)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def _now() -> datetime:
    return timezone.now()


def _subscribed(user: Any, now: datetime, zone: str = "UTC") -> BriefingPreference:
    """On, with a send time five minutes ago, chosen long ago: due now."""
    local = (now - 5 * MINUTE).astimezone(ZoneInfo(zone))
    pref = actions.subscribe_to_briefing(
        user, send_time=time(local.hour, local.minute), time_zone=zone, now=LONG_AGO
    )
    return pref


def _send(user: Any, now: datetime) -> actions.SendOutcome:
    return actions.send_briefing(user.pk, now.date(), due_at=now - MINUTE, now=now)


# Preferences -------------------------------------------------------------------------------


def test_subscribe_and_unsubscribe(reader: Any) -> None:
    now = _now()
    pref = actions.subscribe_to_briefing(
        reader, send_time=time(6, 30), time_zone="Europe/Paris", now=now
    )
    assert (pref.enabled, pref.send_time, pref.time_zone, pref.schedule_since) == (
        True,
        time(6, 30),
        "Europe/Paris",
        now,
    )
    later = now + timedelta(hours=1)
    # Saving the same choice again does not restart the schedule; moving the time does.
    pref = actions.subscribe_to_briefing(
        reader, send_time=time(6, 30), time_zone="Europe/Paris", now=later
    )
    assert pref.schedule_since == now
    pref = actions.subscribe_to_briefing(
        reader, send_time=time(7, 0), time_zone="Europe/Paris", now=later
    )
    assert pref.schedule_since == later

    assert actions.unsubscribe_from_briefing(reader.pk, via="one-click") is True
    assert actions.unsubscribe_from_briefing(reader.pk, via="one-click") is False  # repeat: no-op
    pref.refresh_from_db()
    assert (pref.enabled, pref.unsubscribed_via) == (False, "one-click")
    assert pref.unsubscribed_at is not None


def test_a_bad_time_zone_is_refused(reader: Any) -> None:
    with pytest.raises(UnknownTimeZone):
        actions.subscribe_to_briefing(reader, time_zone="Mars/Olympus_Mons")
    assert not BriefingPreference.objects.exists()


# One briefing ------------------------------------------------------------------------------


def test_the_briefing_email(reader: Any, news: News) -> None:
    now = _now()
    _subscribed(reader, now)
    note_article_opened(reader, news.read)
    Follow.objects.create(user=reader, kind="publisher", key=str(news.muted_pub.pk), muted=True)

    assert _send(reader, now).outcome == "sent"

    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert message.subject.endswith(": Harbour bridge reopens after storm repairs")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    text = message.body
    for part in (text, html):
        assert "Harbour bridge reopens after storm repairs" in part  # top story
        assert "Orchard harvest best in a decade" in part
        assert "The last night train to the coast" in part  # a pick
        assert "Our editor&#x27;s favourite long read" in part or "Our editor's" in part
        assert f"{SITE}/stories/{news.top.pk}/" in part  # absolute links to this site
        assert f"{SITE}/articles/{news.picked.pk}/" in part
        assert "An article the reader already read" not in part
        assert "From a muted publisher" not in part
        assert BODY_ONLY not in part  # teasers only, never the full text
        assert f"{SITE}/briefing/unsubscribe/" in part
    assert (
        '<img src="https://images.example/bridge.jpg" alt="The bridge at dawn" width="552"' in html
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/briefing/unsubscribe/")

    row = BriefingDelivery.objects.get()
    assert (row.state, row.local_date, row.attempts, row.items) == ("sent", now.date(), 1, 3)
    assert row.sent_at == now


def test_the_same_day_is_never_sent_twice(reader: Any, news: News) -> None:
    now = _now()
    _subscribed(reader, now)
    assert _send(reader, now).outcome == "sent"
    assert _send(reader, now + MINUTE).outcome == "not_claimed"
    assert actions.due_briefings(now + MINUTE) == []
    assert actions.send_due_briefings(now + 2 * MINUTE) == []
    assert len(mail.outbox) == 1


def test_an_empty_briefing_is_skipped_for_the_day(reader: Any) -> None:
    now = _now()
    _subscribed(reader, now)
    assert _send(reader, now).outcome == "skipped"
    assert mail.outbox == []
    assert BriefingDelivery.objects.get().state == "skipped"
    assert actions.due_briefings(now + MINUTE) == []


def test_a_reader_who_unsubscribed_after_the_tick_gets_nothing(reader: Any, news: News) -> None:
    now = _now()
    _subscribed(reader, now)
    (due,) = actions.due_briefings(now)
    actions.unsubscribe_from_briefing(reader.pk)
    outcome = actions.send_briefing(due.user_id, due.local_date, due_at=due.due_at, now=now)
    assert outcome.outcome == "unsubscribed"
    assert mail.outbox == [] and not BriefingDelivery.objects.exists()


def test_a_task_that_waited_too_long_is_dropped(reader: Any, news: News) -> None:
    now = _now()
    _subscribed(reader, now)
    outcome = actions.send_briefing(reader.pk, now.date(), due_at=now - timedelta(hours=7), now=now)
    assert outcome.outcome == "too_late"
    assert mail.outbox == []


def test_a_failed_send_is_recorded_then_retried(reader: Any, news: News, settings: Any) -> None:
    now = _now()
    _subscribed(reader, now)
    settings.MAILERS = {"default": {"BACKEND": "tests.briefing.conftest.FailingBackend"}}
    outcome = _send(reader, now)
    assert outcome.outcome == "failed"
    row = BriefingDelivery.objects.get()
    assert row.state == "failed"
    assert row.error == "ConnectionRefusedError: the mail server refused the connection"
    assert row.sent_at is None

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert actions.send_due_briefings(now + MINUTE) == []  # waits RETRY_WAIT first
    (outcome,) = actions.send_due_briefings(now + RETRY_WAIT)
    assert outcome.outcome == "sent"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_a_crash_after_the_claim_never_leads_to_a_second_email(
    reader: Any, news: News, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: the worker dies (a BaseException nothing catches) right after the claim."""

    class WorkerKilled(BaseException):
        pass

    def die(*args: Any, **kwargs: Any) -> None:
        raise WorkerKilled

    now = _now()
    _subscribed(reader, now)
    monkeypatch.setattr(actions, "build_briefing", die)
    with pytest.raises(WorkerKilled):
        _send(reader, now)
    monkeypatch.undo()
    assert BriefingDelivery.objects.get().state == "sending"

    # The restarted worker's tick finds nothing to do, and a duplicate task sends nothing.
    assert actions.due_briefings(now + timedelta(hours=1)) == []
    assert _send(reader, now + MINUTE).outcome == "not_claimed"
    assert mail.outbox == []


KILLED_WORKER = """
import os, sys
from datetime import date, datetime
import django
django.setup()
from django.core.mail.backends.filebased import EmailBackend
def killed(self, messages):
    os._exit(9)  # the process dies in the middle of the send: no cleanup, no except, no finally
EmailBackend.send_messages = killed
from newsstand.briefing import actions
actions.send_briefing(int(sys.argv[1]), date.fromisoformat(sys.argv[2]),
                      due_at=datetime.fromisoformat(sys.argv[3]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_not_sent_again_after_restart(tmp_path: Path) -> None:
    """A real process, killed between claim and send; then the restarted worker runs."""
    make_news()
    reader = make_reader()
    now = _now()
    _subscribed(reader, now)
    env = {
        **os.environ,
        "NEWSSTAND_DATABASE_URL": database_url(),
        "NEWSSTAND_EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DJANGO_SETTINGS_MODULE": "newsstand.settings",
        "NEWSSTAND_LOG_LEVEL": "WARNING",
    }
    args = [str(reader.pk), now.date().isoformat(), (now - MINUTE).isoformat()]
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, *args],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 9, result.stderr.decode()[-2000:]
    assert BriefingDelivery.objects.get().state == "sending"

    assert actions.send_due_briefings() == []
    assert _send(reader, now).outcome == "not_claimed"
    assert mail.outbox == []
    assert not (tmp_path / "mail").exists() or not any((tmp_path / "mail").iterdir())


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_one_email(settings: Any) -> None:
    make_news()
    reader = make_reader()
    now = _now()
    _subscribed(reader, now)
    settings.MAILERS = {"default": {"BACKEND": "tests.briefing.conftest.SlowBackend"}}
    SlowBackend.sent.clear()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sender() -> None:
        try:
            start.wait()
            outcomes.append(_send(reader, now).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["not_claimed", "sent"]
    assert len(SlowBackend.sent) == 1
    assert BriefingDelivery.objects.get().state == "sent"


# The tick ----------------------------------------------------------------------------------


def test_the_tick_sends_through_the_task_queue(reader: Any, news: News) -> None:
    from huey.contrib.djhuey import HUEY

    from newsstand.briefing.tasks import enqueue_due_briefings

    now = _now()
    _subscribed(reader, now)
    was = HUEY.immediate
    HUEY.immediate = True  # run enqueued tasks in-process, through the real django.tasks backend
    try:
        assert enqueue_due_briefings(now) == 1
        assert enqueue_due_briefings(now + MINUTE) == 0
    finally:
        HUEY.immediate = was
    assert len(mail.outbox) == 1
    assert BriefingDelivery.objects.get().state == "sent"


def test_the_tick_is_registered_with_huey() -> None:
    from huey.contrib.djhuey import HUEY

    import newsstand.briefing.tasks  # noqa: F401 - registers the periodic task

    assert "briefing_tick" in {t.__name__ for t in HUEY._registry._periodic_tasks}


def test_members_get_teasers_too(reader: Any, news: News) -> None:
    """Full access on the site is not full text in the inbox: emails are forwarded and kept."""
    from newsstand.membership.access import has_full_access
    from newsstand.membership.actions import start_trial

    now = _now()
    start_trial(reader, now=now)
    assert has_full_access(reader, now)
    _subscribed(reader, now)
    assert _send(reader, now).outcome == "sent"
    (message,) = mail.outbox
    assert BODY_ONLY not in message.body + message.alternatives[0][0]
    assert "Engineers finished the repairs a week early." in message.body


def test_the_command(reader: Any, news: News) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("briefing", "preview", "reader@example.org", stdout=out)
    assert "Subject: " in out.getvalue() and "TOP STORIES" in out.getvalue()
    assert mail.outbox == []
    with pytest.raises(CommandError, match=r"No account has the email nobody@example\.org"):
        call_command("briefing", "preview", "nobody@example.org")

    _subscribed(reader, _now())
    out = StringIO()
    call_command("briefing", "send-due", stdout=out)
    assert out.getvalue().endswith("1 briefing sent.\n")
    call_command("briefing", "send-due", stdout=StringIO())
    assert len(mail.outbox) == 1
