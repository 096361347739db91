from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from newsstand.ingest import scheduling as s

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _every(minutes: int, n: int) -> list[datetime]:
    return [NOW - timedelta(minutes=minutes * i) for i in range(n)]


def _interval(when: datetime) -> float:
    return (when - NOW).total_seconds()


def test_busy_feed_is_polled_often_but_not_below_five_minutes() -> None:
    assert s.publishing_interval_s(_every(2, 50), NOW) == s.MIN_INTERVAL_S
    assert s.publishing_interval_s(_every(60, 20), NOW) == pytest.approx(30 * 60)


def test_quiet_feed_is_polled_at_most_daily() -> None:
    assert s.publishing_interval_s(_every(60 * 24 * 3, 3), NOW) == s.MAX_INTERVAL_S
    assert s.publishing_interval_s([], NOW) <= s.MAX_INTERVAL_S


def test_future_and_missing_dates_are_ignored() -> None:
    future = [NOW + timedelta(days=400), None, *_every(60, 10)]
    assert s.publishing_interval_s(future, NOW) == pytest.approx(30 * 60)


def test_ttl_and_max_age_are_floors() -> None:
    rng = random.Random(1)
    plain = _interval(s.next_check_after_success(NOW, _every(10, 20), rng=random.Random(1)))
    with_ttl = _interval(s.next_check_after_success(NOW, _every(10, 20), ttl_minutes=120, rng=rng))
    assert with_ttl > plain
    assert 120 * 60 * 0.8 <= with_ttl <= 120 * 60 * 1.2
    with_age = _interval(s.next_check_after_success(NOW, _every(10, 20), max_age_s=3600, rng=rng))
    assert 3600 * 0.8 <= with_age <= 3600 * 1.2


def test_errors_back_off_exponentially_with_jitter_up_to_a_day() -> None:
    rng = random.Random(7)
    waits = [_interval(s.next_check_after_error(NOW, n, rng=rng)) for n in range(1, 12)]
    assert 240 <= waits[0] <= 360
    assert waits[3] > waits[1] > waits[0]
    assert max(waits) <= s.MAX_INTERVAL_S * 1.2
    # Jitter: two feeds failing together do not retry at the same instant.
    a = s.next_check_after_error(NOW, 3, rng=random.Random(1))
    b = s.next_check_after_error(NOW, 3, rng=random.Random(2))
    assert a != b


def test_retry_after_wins_when_longer() -> None:
    wait = _interval(s.next_check_after_error(NOW, 1, retry_after_s=7200, rng=random.Random(3)))
    assert wait >= 7200 * 0.8
