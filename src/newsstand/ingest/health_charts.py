"""Fetch outcomes over time for the feed-health pages: counted in the database, drawn as SVG.

The page must work without JavaScript, so pygal renders the chart on the server and the SVG is
inlined. Each outcome is a pattern (solid, dots, stripes, cross-hatch) as well as a colour, and
its colour comes from a CSS custom property in staff.css, so the chart follows the light or dark
theme and is readable without telling colours apart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pygal
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from newsstand.ingest.models import FeedCheck
from newsstand.web.charts import CHART_WIDTH_PX, chart_style, render_svg

__all__ = [
    "OUTCOMES",
    "Bucket",
    "OutcomeSeries",
    "Span",
    "integer_ticks",
    "outcome_series",
    "render_duration_svg",
    "render_outcome_svg",
]

CHART_HEIGHT_PX = 340
DURATION_HEIGHT_PX = 220
# One x label every so many buckets keeps 48 hours or 30 days legible at page width.
HOURLY_LABEL_EVERY = 6
DAILY_LABEL_EVERY = 5


class Span(enum.StrEnum):
    HOURS_48 = "48h"
    DAYS_30 = "30d"

    @property
    def label(self) -> str:
        return "per hour, last 48 hours" if self is Span.HOURS_48 else "per day, last 30 days"

    @classmethod
    def parse(cls, value: str | None) -> Span:
        try:
            return cls(value or cls.HOURS_48)
        except ValueError:
            return cls.HOURS_48


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    pattern: str  # the <pattern> id the bar is filled with


OUTCOMES = (
    Outcome("ok", "New content", "ns-pat-ok"),
    Outcome("not_modified", "Not modified", "ns-pat-not-modified"),
    Outcome("error", "Error", "ns-pat-error"),
    Outcome("gone", "Gone (410)", "ns-pat-gone"),
)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    ok: int = 0
    not_modified: int = 0
    error: int = 0
    gone: int = 0
    avg_duration_ms: float | None = None

    @property
    def total(self) -> int:
        return self.ok + self.not_modified + self.error + self.gone

    def count(self, outcome: str) -> int:
        return int(getattr(self, outcome))


@dataclass(frozen=True)
class OutcomeSeries:
    span: Span
    buckets: list[Bucket]

    @property
    def totals(self) -> Bucket:
        durations = [(b.avg_duration_ms, b.total) for b in self.buckets if b.avg_duration_ms]
        weight = sum(n for _, n in durations)
        return Bucket(
            start=self.buckets[0].start if self.buckets else timezone.now(),
            ok=sum(b.ok for b in self.buckets),
            not_modified=sum(b.not_modified for b in self.buckets),
            error=sum(b.error for b in self.buckets),
            gone=sum(b.gone for b in self.buckets),
            avg_duration_ms=sum(ms * n for ms, n in durations) / weight if weight else None,
        )

    def label(self, bucket: Bucket) -> str:
        local = timezone.localtime(bucket.start)
        return f"{local:%H:00}" if self.span is Span.HOURS_48 else f"{local.day} {local:%b}"


def _bucket_starts(span: Span, now: datetime) -> list[datetime]:
    """The start of every bucket in the window, oldest first, in the current time zone."""
    local = timezone.localtime(now)
    if span is Span.HOURS_48:
        last = local.replace(minute=0, second=0, microsecond=0)
        return [last - timedelta(hours=h) for h in range(47, -1, -1)]
    today = local.date()
    tz = timezone.get_current_timezone()
    return [
        datetime.combine(today - timedelta(days=d), datetime.min.time(), tzinfo=tz)
        for d in range(29, -1, -1)
    ]


def outcome_series(
    span: Span, *, feed_id: int | None = None, now: datetime | None = None
) -> OutcomeSeries:
    """Count checks per outcome per hour or day in one grouped query; empty buckets are zeros."""
    starts = _bucket_starts(span, now or timezone.now())
    checks = FeedCheck.objects.filter(checked_at__gte=starts[0])
    if feed_id is not None:
        checks = checks.filter(feed_id=feed_id)
    trunc = TruncHour if span is Span.HOURS_48 else TruncDay
    rows = (
        checks.annotate(bucket=trunc("checked_at"))
        .values("bucket")
        .annotate(
            **{o.key: Count("id", filter=Q(outcome=o.key)) for o in OUTCOMES},
            avg_duration_ms=Avg("duration_ms"),
        )
        .order_by("bucket")
    )
    # The django-stubs plugin types these rows from the literal keys only; read them as a mapping.
    by_start: dict[datetime, dict[str, Any]] = {row["bucket"]: dict(row) for row in rows}
    buckets = []
    for start in starts:
        row = by_start.get(start)
        if row is None:
            buckets.append(Bucket(start=start))
            continue
        buckets.append(
            Bucket(
                start=start,
                **{o.key: row[o.key] for o in OUTCOMES},
                avg_duration_ms=row["avg_duration_ms"],
            )
        )
    return OutcomeSeries(span=span, buckets=buckets)


# The count axis: at most this many tick marks, each a whole number of checks.
MAX_COUNT_TICKS = 6
_NICE_STEPS = (1, 2, 5)


def integer_ticks(top: int, max_ticks: int = MAX_COUNT_TICKS) -> list[int]:
    """Whole-number tick marks from 0 to at least `top`, a 1-2-5 step apart, at most `max_ticks`.

    Left to itself pygal divides the axis evenly (0.4, 0.8, 1.2 … for a top of 2); a count of
    checks has no fractions.
    """
    top = max(int(top), 1)
    magnitude = 1
    while True:
        for nice in _NICE_STEPS:
            step = nice * magnitude
            count = -(-top // step)  # ceil: the last tick at or above top
            if count + 1 <= max_ticks:
                return list(range(0, count * step + 1, step))
        magnitude *= 10


def _pattern_defs() -> list[str]:
    # Every pattern paints its outcome's colour, then a texture of its own on top.
    size = 8
    marks = {
        "ns-pat-ok": "",
        "ns-pat-not-modified": '<circle cx="4" cy="4" r="1.4" class="ns-pat-mark"/>',
        "ns-pat-error": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" class="ns-pat-line"/>',
        "ns-pat-gone": '<path d="M0,0 L8,8 M8,0 L0,8" class="ns-pat-line"/>',
    }
    return [
        f'<pattern id="{pid}" width="{size}" height="{size}" patternUnits="userSpaceOnUse">'
        f'<rect width="{size}" height="{size}" class="{pid}-bg"/>{mark}</pattern>'
        for pid, mark in marks.items()
    ]


def _common_config(series: OutcomeSeries) -> dict[str, object]:
    every = HOURLY_LABEL_EVERY if series.span is Span.HOURS_48 else DAILY_LABEL_EVERY
    labels = [series.label(b) for b in series.buckets]
    return {
        "width": CHART_WIDTH_PX,
        "js": [],  # no script from anywhere: the chart is a picture, the table holds the numbers
        "disable_xml_declaration": True,
        "x_labels": labels,
        "x_labels_major": labels[::every],
        "show_minor_x_labels": False,
        "truncate_label": -1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": len(OUTCOMES),
        "print_values": False,
        "show_y_guides": True,
        "margin": 12,
    }


def render_outcome_svg(series: OutcomeSeries, *, title: str, nonce: str = "") -> str:
    """A stacked bar per bucket of ok / not modified / error / gone, as inline SVG markup."""
    chart = pygal.StackedBar(
        style=chart_style(tuple(f"url(#{o.pattern})" for o in OUTCOMES)),
        height=CHART_HEIGHT_PX,
        title=title,
        defs=_pattern_defs(),
        y_title="Checks",
        y_labels=integer_ticks(max((b.total for b in series.buckets), default=0)),
        **_common_config(series),
    )
    for outcome in OUTCOMES:
        chart.add(outcome.label, [b.count(outcome.key) for b in series.buckets])
    return render_svg(chart, nonce=nonce)


def render_duration_svg(series: OutcomeSeries, *, title: str, nonce: str = "") -> str:
    """Average check duration per bucket, in milliseconds, as inline SVG markup."""
    chart = pygal.Line(
        style=chart_style(("var(--chart-duration)",)),
        height=DURATION_HEIGHT_PX,
        title=title,
        y_title="ms",
        show_legend=False,
        allow_interruptions=True,
        include_x_axis=True,  # a y axis from zero, so a small wobble does not look like a spike
        dots_size=2.5,
        min_scale=2,
        max_scale=5,
        **_common_config(series),
    )
    chart.add(
        "Average duration (ms)",
        [
            round(b.avg_duration_ms) if b.avg_duration_ms is not None else None
            for b in series.buckets
        ],
    )
    return render_svg(chart, nonce=nonce)
