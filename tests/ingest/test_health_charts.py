"""The fetch-outcome chart: counted per hour/day in the database, drawn as accessible SVG."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from newsstand.ingest.health_charts import (
    Span,
    integer_ticks,
    outcome_series,
    render_outcome_svg,
)
from newsstand.ingest.models import FeedCheck
from tests.reader.factories import make_feed, make_publisher

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 3, 10, 12, 30, tzinfo=UTC)


def _check(feed, outcome: str, at: datetime, ms: int = 100) -> None:
    FeedCheck.objects.create(feed=feed, outcome=outcome, checked_at=at, duration_ms=ms)


@pytest.fixture
def two_feeds():
    a = make_feed(make_publisher("Alpha"))
    b = make_feed(make_publisher("Beta"))
    this_hour = NOW.replace(minute=5)
    two_hours_ago = NOW - timedelta(hours=2)
    for _ in range(3):
        _check(a, "ok", this_hour, ms=200)
    _check(a, "not_modified", this_hour, ms=50)
    _check(b, "error", this_hour, ms=1000)
    _check(b, "gone", two_hours_ago, ms=300)
    _check(a, "ok", NOW - timedelta(days=3))  # outside 48 h, inside 30 d
    _check(a, "ok", NOW - timedelta(days=40))  # outside both
    return a, b


def test_hourly_series_counts_per_outcome(two_feeds, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = outcome_series(Span.HOURS_48, now=NOW)
    assert len(series.buckets) == 48
    last = series.buckets[-1]
    assert last.start == datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    assert (last.ok, last.not_modified, last.error, last.gone) == (3, 1, 1, 0)
    assert last.avg_duration_ms == pytest.approx((3 * 200 + 50 + 1000) / 5)
    assert series.buckets[-3].gone == 1
    assert series.totals.total == 6
    assert sum(b.total for b in series.buckets[:-3]) == 0


def test_daily_series_and_per_feed_filter(two_feeds):
    _, beta = two_feeds
    daily = outcome_series(Span.DAYS_30, now=NOW)
    assert len(daily.buckets) == 30
    assert daily.buckets[-1].start == datetime(2024, 3, 10, tzinfo=UTC)
    assert daily.totals.total == 7  # the 40-day-old check is out of range
    assert daily.buckets[-4].ok == 1

    only_beta = outcome_series(Span.HOURS_48, feed_id=beta.pk, now=NOW)
    assert (only_beta.totals.ok, only_beta.totals.error, only_beta.totals.gone) == (0, 1, 1)


def test_svg_is_accessible_and_self_contained(two_feeds):
    series = outcome_series(Span.HOURS_48, now=NOW)
    svg = render_outcome_svg(series, title="Fetch outcomes for all feeds")
    assert re.match(r"<svg [^>]*role=\"img\"", svg)
    assert "<title>Fetch outcomes for all feeds</title>" in svg
    assert "<script" not in svg  # no JavaScript, no third-party request
    assert "<?xml" not in svg
    # Every outcome has its own pattern and legend entry.
    for pattern in ("ns-pat-ok", "ns-pat-not-modified", "ns-pat-error", "ns-pat-gone"):
        assert f'id="{pattern}"' in svg
    for label in ("New content", "Not modified", "Error", "Gone (410)"):
        assert f">{label}<" in svg
    # pygal writes each bar's value in a <desc>: 3 ok, 1 not modified, 1 error, 1 gone.
    values = [int(v) for v in re.findall(r'<desc class="value">(\d+)</desc>', svg)]
    assert len(values) == 4 * 48
    assert sorted(v for v in values if v) == [1, 1, 1, 3]


def _y_labels(svg: str) -> list[str]:
    axis = svg[svg.index('class="axis y') :]
    axis = axis[: axis.index('class="axis x')] if 'class="axis x' in axis else axis[:4000]
    return re.findall(r"<text[^>]*>([^<]*)</text>", axis)


@pytest.mark.parametrize("top", [0, 1, 2, 3, 7, 16, 48, 230])
def test_counts_axis_has_whole_ticks_only(top):
    feed = make_feed(make_publisher("Counted"))
    for i in range(top):
        _check(feed, "ok" if i % 2 else "not_modified", NOW.replace(minute=5))
    svg = render_outcome_svg(outcome_series(Span.HOURS_48, now=NOW), title="Checks")
    labels = _y_labels(svg)
    assert labels, svg[:500]
    assert all(label.isdigit() for label in labels), labels  # no 0.4, 0.8, 1.6 …
    assert int(labels[-1]) >= top


def test_integer_ticks_are_few_round_and_cover_the_top():
    assert integer_ticks(0) == [0, 1]
    assert integer_ticks(2) == [0, 1, 2]
    assert integer_ticks(7) == [0, 2, 4, 6, 8]
    assert integer_ticks(16) == [0, 5, 10, 15, 20]
    assert integer_ticks(230) == [0, 50, 100, 150, 200, 250]
    for top in range(0, 2000, 7):
        ticks = integer_ticks(top)
        assert len(ticks) <= 6 and ticks[-1] >= top and ticks[0] == 0


def test_health_page_shows_chart_and_numbers(client, two_feeds, settings):
    alpha, _ = two_feeds
    staff = get_user_model().objects.create_user("ops", password="pw-not-used", is_staff=True)
    client.force_login(staff)
    FeedCheck.objects.update(checked_at=datetime.now(UTC))  # into the current hour
    html = client.get(reverse("reader:staff:feeds")).content.decode()
    assert len(re.findall(r'<svg [^>]*role="img"', html)) == 2  # outcomes and average duration
    assert "New content: <strong>5</strong>" in html
    assert "Gone (410): <strong>1</strong>" in html
    assert "The numbers behind the charts" in html

    daily = client.get(reverse("reader:staff:feeds"), {"span": "30d"}).content.decode()
    assert "per day, last 30 days" in daily
    assert "New content: <strong>5</strong>" in daily

    detail = client.get(reverse("reader:staff:feed", args=[alpha.pk])).content.decode()
    assert "Fetch outcomes for this feed" in detail
    assert "New content: <strong>5</strong>" in detail
    assert "Error: <strong>0</strong>" in detail
