"""When a briefing is due: pure tests of `schedule` (no database), daylight saving included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsstand.briefing.schedule import (
    FAILED,
    MAX_ATTEMPTS,
    MAX_LATE,
    RETRY_WAIT,
    SENDING,
    SENT,
    SKIPPED,
    DeliveryFacts,
    Due,
    PreferenceFacts,
    UnknownTimeZone,
    due,
    is_repeated_time,
    is_skipped_time,
    next_send,
    send_moment,
    zone_named,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pref(
    send_time: time = time(7, 0),
    zone: str = "Europe/London",
    since: datetime = LONG_AGO,
    deliveries: tuple[DeliveryFacts, ...] = (),
    user_id: int = 1,
) -> PreferenceFacts:
    return PreferenceFacts(user_id, send_time, zone, since, deliveries)


# Send moments and daylight saving ----------------------------------------------------------


def test_send_moment_is_local_time_in_the_readers_zone() -> None:
    assert send_moment(date(2026, 11, 28), time(7, 0), LONDON) == utc(2026, 11, 28, 7, 0)
    assert send_moment(date(2026, 7, 1), time(7, 0), LONDON) == utc(2026, 7, 1, 6, 0)  # BST
    assert send_moment(date(2026, 11, 28), time(7, 0), NEW_YORK) == utc(2026, 11, 28, 12, 0)
    # Either side of the date line: the same local date is a day apart in UTC.
    kiritimati = ZoneInfo("Pacific/Kiritimati")  # UTC+14
    pago_pago = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
    assert send_moment(date(2026, 11, 28), time(7, 0), kiritimati) == utc(2026, 11, 27, 17, 0)
    assert send_moment(date(2026, 11, 28), time(7, 0), pago_pago) == utc(2026, 11, 28, 18, 0)


def test_a_time_the_clocks_skip_goes_as_long_after_the_jump() -> None:
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 never happens.
    spring = date(2026, 3, 8)
    assert is_skipped_time(spring, time(2, 30), NEW_YORK)
    moment = send_moment(spring, time(2, 30), NEW_YORK)
    assert moment == utc(2026, 3, 8, 7, 30)
    assert moment.astimezone(NEW_YORK).time() == time(3, 30)
    assert not is_skipped_time(spring, time(3, 30), NEW_YORK)
    assert not is_skipped_time(spring, time(7, 0), NEW_YORK)


def test_a_time_that_happens_twice_goes_at_the_first() -> None:
    # New York, 1 November 2026: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
    autumn = date(2026, 11, 1)
    assert is_repeated_time(autumn, time(1, 30), NEW_YORK)
    assert send_moment(autumn, time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)  # EDT, -4
    assert not is_repeated_time(autumn, time(7, 0), NEW_YORK)
    assert not is_repeated_time(date(2026, 3, 8), time(2, 30), NEW_YORK)  # skipped, not twice


def test_the_repeated_hour_sends_once() -> None:
    reader = pref(time(1, 30), "America/New_York")
    first = utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    second = utc(2026, 11, 1, 6, 30)  # 01:30 EST, an hour later
    assert due([reader], first) == [Due(1, date(2026, 11, 1), first)]
    sent = DeliveryFacts(date(2026, 11, 1), SENT, sent_at=first)
    assert due([pref(time(1, 30), "America/New_York", deliveries=(sent,))], second) == []


def test_the_skipped_time_still_sends_that_day() -> None:
    reader = pref(time(2, 30), "America/New_York")
    assert due([reader], utc(2026, 3, 8, 7, 29)) == []
    assert due([reader], utc(2026, 3, 8, 7, 30)) == [
        Due(1, date(2026, 3, 8), utc(2026, 3, 8, 7, 30))
    ]


def test_days_are_23_and_25_hours_long_around_the_changes() -> None:
    before, on = (send_moment(date(2026, 3, d), time(7, 0), NEW_YORK) for d in (7, 8))
    assert on - before == timedelta(hours=23)
    before = send_moment(date(2026, 10, 31), time(7, 0), NEW_YORK)
    on = send_moment(date(2026, 11, 1), time(7, 0), NEW_YORK)
    assert on - before == timedelta(hours=25)


def test_zone_names_are_checked_against_zoneinfo() -> None:
    assert zone_named("Europe/London") == LONDON
    assert zone_named(" UTC ").key == "UTC"
    for junk, message in [
        ("", "Choose your time zone"),
        ("Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a time zone we know"),
        ("../../etc/passwd", "is not a time zone we know"),
        ("europe/london", "is not a time zone we know"),  # IANA names are case-sensitive
        ("x" * 500, "..."),
    ]:
        with pytest.raises(UnknownTimeZone, match=message.replace(".", r"\.")):
            zone_named(junk)


# Who is due --------------------------------------------------------------------------------


def test_due_once_the_local_time_has_passed() -> None:
    reader = pref()
    assert due([reader], utc(2026, 11, 28, 6, 59)) == []
    assert due([reader], utc(2026, 11, 28, 7, 0)) == [
        Due(1, date(2026, 11, 28), utc(2026, 11, 28, 7, 0))
    ]
    assert due([reader], utc(2026, 11, 28, 9, 0))[0].local_date == date(2026, 11, 28)


def test_too_late_is_skipped() -> None:
    moment = utc(2026, 11, 28, 7, 0)
    assert due([pref()], moment + MAX_LATE - MINUTE) != []
    assert due([pref()], moment + MAX_LATE) == []


def test_only_send_times_after_the_choice_count() -> None:
    """Subscribing at 10:00 for 07:00: the first briefing is tomorrow's, not one at once."""
    reader = pref(since=utc(2026, 11, 28, 10, 0))
    assert due([reader], utc(2026, 11, 28, 10, 1)) == []
    assert due([reader], utc(2026, 11, 29, 7, 0)) == [
        Due(1, date(2026, 11, 29), utc(2026, 11, 29, 7, 0))
    ]


def test_the_readers_own_date_counts() -> None:
    # 08:00 UTC on the 28th is already 22:00 on the 28th in Kiritimati: its 07:00 is long gone
    # (15 hours, past MAX_LATE); Pago Pago's 28th has not begun its morning.
    now = utc(2026, 11, 28, 8, 0)
    assert due([pref(zone="Pacific/Kiritimati")], now) == []
    assert due([pref(zone="Pacific/Pago_Pago")], now) == []
    assert due([pref(zone="Pacific/Pago_Pago")], utc(2026, 11, 28, 18, 0))[0].local_date == date(
        2026, 11, 28
    )


def test_a_late_evening_briefing_still_goes_after_midnight() -> None:
    reader = pref(time(23, 50))
    now = utc(2026, 11, 29, 0, 5)
    assert due([reader], now) == [Due(1, date(2026, 11, 28), utc(2026, 11, 28, 23, 50))]


@pytest.mark.parametrize("state", [SENT, SENDING, SKIPPED])
def test_a_delivery_that_is_done_or_under_way_blocks_the_day(state: str) -> None:
    """SENDING stays after a crash mid-send: the day is never sent again (at most once)."""
    row = DeliveryFacts(date(2026, 11, 28), state, claimed_at=utc(2026, 11, 28, 7, 0))
    assert due([pref(deliveries=(row,))], utc(2026, 11, 28, 9, 0)) == []


def test_a_failed_send_is_retried_after_a_wait_until_attempts_run_out() -> None:
    claimed = utc(2026, 11, 28, 7, 0)
    failed = DeliveryFacts(date(2026, 11, 28), FAILED, attempts=1, claimed_at=claimed)
    reader = pref(deliveries=(failed,))
    assert due([reader], claimed + RETRY_WAIT - MINUTE) == []
    assert due([reader], claimed + RETRY_WAIT) == [Due(1, date(2026, 11, 28), claimed, retry=True)]
    second = DeliveryFacts(date(2026, 11, 28), FAILED, attempts=2, claimed_at=claimed)
    assert due([pref(deliveries=(second,))], claimed + RETRY_WAIT) == []  # waits longer
    assert due([pref(deliveries=(second,))], claimed + 2 * RETRY_WAIT) != []
    spent = DeliveryFacts(date(2026, 11, 28), FAILED, attempts=MAX_ATTEMPTS, claimed_at=claimed)
    assert due([pref(deliveries=(spent,))], claimed + 5 * RETRY_WAIT) == []


def test_never_two_briefings_within_hours_when_the_reader_moves_east() -> None:
    # Sent at 07:00 in London on the 28th; the reader then moves to Tokyo, whose 07:00 on the
    # 29th is 22:00 UTC on the 28th: 15 hours later, so it goes.
    sent = DeliveryFacts(date(2026, 11, 28), SENT, sent_at=utc(2026, 11, 28, 7, 0))
    tokyo = pref(zone="Asia/Tokyo", deliveries=(sent,))
    assert due([tokyo], utc(2026, 11, 28, 22, 0))[0].local_date == date(2026, 11, 29)
    # Moving to Kiritimati (UTC+14) instead: its 29th at 07:00 is 17:00 UTC on the 28th, only
    # ten hours after the last one.
    kiritimati = pref(zone="Pacific/Kiritimati", deliveries=(sent,))
    assert due([kiritimati], utc(2026, 11, 28, 17, 0)) == []


def test_due_is_ordered_and_per_reader() -> None:
    now = utc(2026, 11, 28, 12, 30)
    readers = [
        pref(time(12, 0), "UTC", user_id=3),
        pref(time(7, 0), "America/New_York", user_id=2),  # 12:00 UTC
        pref(time(11, 0), "UTC", user_id=1),
        pref(time(13, 0), "UTC", user_id=4),  # not yet
        pref(time(7, 0), "Nowhere/Atlantis", user_id=5),  # a zone the system lost
    ]
    assert [d.user_id for d in due(readers, now)] == [1, 2, 3]


def test_next_send() -> None:
    now = utc(2026, 11, 28, 9, 0)
    assert next_send(time(7, 0), LONDON, LONG_AGO, now, {date(2026, 11, 28)}) == datetime(
        2026, 11, 29, 7, 0, tzinfo=LONDON
    )
    # Today's is still due (within MAX_LATE, not done): it goes now.
    assert next_send(time(7, 0), LONDON, LONG_AGO, now).date() == date(2026, 11, 28)
    # Chosen at 09:00 for 07:00: tomorrow.
    assert next_send(time(7, 0), LONDON, now, now).date() == date(2026, 11, 29)
    assert next_send(time(18, 0), LONDON, now, now) == datetime(2026, 11, 28, 18, 0, tzinfo=LONDON)
