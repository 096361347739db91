"""Trial countdown and the day-11 / day-14 reminder emails (frozen `now`, mail.outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from newsstand.membership import actions
from newsstand.membership.models import TrialReminder
from newsstand.membership.reminders import due_reminder, trial_day, trial_days_left
from tests.membership.conftest import NOW, make_user

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
START = NOW
END = NOW + 14 * DAY


def test_days_left_counts_whole_days_up() -> None:
    assert trial_days_left(END, START) == 14
    assert trial_days_left(END, START + 10 * DAY) == 4  # day 11
    assert trial_days_left(END, START + 13 * DAY) == 1  # day 14, the last
    assert trial_days_left(END, END - SECOND) == 1
    assert trial_days_left(END, END) == 0
    assert trial_days_left(None, START) == 0


def test_trial_days_start_at_one() -> None:
    assert trial_day(START, START) == 1
    assert trial_day(START, START + DAY - SECOND) == 1
    assert trial_day(START, START + 10 * DAY) == 11


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (10 * DAY - SECOND, None),  # still day 10
        (10 * DAY, 11),
        (12 * DAY, 11),
        (13 * DAY, 14),
        (14 * DAY - SECOND, 14),
        (14 * DAY, None),  # the trial is over: no reminder after the fact
    ],
)
def test_due_reminder(offset: timedelta, expected: int | None) -> None:
    assert due_reminder(START, END, START + offset, (11, 14)) == expected


@pytest.fixture
def trial_reader(db, settings):
    settings.NEWSSTAND_TRIAL_REMINDER_DAYS = (11, 14)
    settings.NEWSSTAND_SITE_URL = "https://news.example.org"
    user = make_user("trial@example.org")
    actions.start_trial(user, now=START)
    return user


def test_day_11_and_day_14_emails_each_go_out_once(trial_reader) -> None:
    assert actions.send_trial_reminders(START + 9 * DAY) == 0
    assert mail.outbox == []

    assert actions.send_trial_reminders(START + 10 * DAY + 3600 * SECOND) == 1
    assert actions.send_trial_reminders(START + 10 * DAY + 7200 * SECOND) == 0  # hourly rerun
    assert actions.send_trial_reminders(START + 12 * DAY) == 0
    assert len(mail.outbox) == 1
    day11 = mail.outbox[0]
    assert day11.to == ["trial@example.org"]
    assert day11.subject == "4 days left in your Newsstand free trial"
    assert "There are 4 days left in your free trial" in day11.body
    assert "https://news.example.org/membership/" in day11.body
    html, mimetype = day11.alternatives[0]
    assert mimetype == "text/html"
    assert "4 days left in your free trial" in html
    assert 'href="https://news.example.org/membership/"' in html

    assert actions.send_trial_reminders(START + 13 * DAY + 60 * SECOND) == 1
    assert actions.send_trial_reminders(START + 13 * DAY + 120 * SECOND) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Your Newsstand free trial ends today"
    assert set(TrialReminder.objects.values_list("kind", flat=True)) == {
        "trial_day_11",
        "trial_day_14",
    }


def test_a_missed_day_11_is_not_sent_late_alongside_day_14(trial_reader) -> None:
    assert actions.send_trial_reminders(START + 13 * DAY) == 1
    assert actions.send_trial_reminders(START + 13 * DAY + 3600 * SECOND) == 0
    assert [m.subject for m in mail.outbox] == ["Your Newsstand free trial ends today"]


def test_no_reminders_for_readers_who_subscribed_or_whose_trial_ended(trial_reader) -> None:
    staff = make_user("staff@example.org", is_staff=True)
    actions.grant_membership(trial_reader, 30, staff, now=START + DAY)
    assert actions.send_trial_reminders(START + 10 * DAY) == 0
    other = make_user("late@example.org")
    actions.start_trial(other, now=START)
    assert actions.send_trial_reminders(END) == 0
    assert mail.outbox == []


def test_the_unique_row_means_never_twice_even_if_the_prefetch_was_stale(trial_reader) -> None:
    membership = trial_reader.membership
    TrialReminder.objects.create(membership=membership, kind="trial_day_11", sent_at=START)
    assert actions.send_trial_reminders(START + 10 * DAY) == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_no_row_so_the_next_run_retries(
    trial_reader, settings, caplog
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "tests.membership.failing_mail.Backend"}}
    assert actions.send_trial_reminders(START + 10 * DAY) == 0
    assert not TrialReminder.objects.exists()
    assert "trial reminder failed" in caplog.text and "refused" in caplog.text
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert actions.send_trial_reminders(START + 10 * DAY + 3600 * SECOND) == 1
