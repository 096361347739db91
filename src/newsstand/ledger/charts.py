"""Reads and payouts over months, drawn on the server by pygal like the feed-health charts.

The same accessible, script-free SVG as the feed-health charts (`web.charts` draws both, so
both staff charts follow the theme the same way). Reads are a solid line on the left
axis, money a dashed line on the right one, so the two are told apart without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pygal

from newsstand.web.charts import CHART_WIDTH_PX, chart_style, render_svg

HISTORY_HEIGHT_PX = 320
PAYOUT_DASH = "6, 4"
READS_TICKS = 5


@dataclass(frozen=True)
class HistoryPoint:
    label: str  # "Nov 2026"
    reads: int
    money: Decimal  # in the currency's major unit


def render_history_svg(
    points: Sequence[HistoryPoint], *, title: str, money_label: str, nonce: str = ""
) -> str:
    """A line of reads per month and a dashed line of money per month, as inline SVG markup."""
    labels = [p.label for p in points]
    most = max((p.reads for p in points), default=0)
    # Whole numbers on the reads axis: a read is never 0.8 of one.
    step = max(1, math.ceil(most / READS_TICKS))
    chart = pygal.Line(
        style=chart_style(("var(--chart-reads)", "var(--chart-payout)")),
        width=CHART_WIDTH_PX,
        height=HISTORY_HEIGHT_PX,
        title=title,
        y_title="Full reads",
        js=[],  # a picture, no script: the table beside it holds the numbers
        disable_xml_declaration=True,
        x_labels=labels,
        y_labels=list(range(0, most + step, step)),
        truncate_label=-1,
        show_legend=False,  # the page's key above the chart names the lines and their axes
        include_x_axis=True,  # axes from zero, so a small month does not look like a collapse
        dots_size=3,
        margin=12,
    )
    chart.add("Full reads", [p.reads for p in points])
    chart.add(
        money_label,
        [float(p.money) for p in points],
        secondary=True,
        stroke_style={"dasharray": PAYOUT_DASH, "width": 2},
    )
    return render_svg(chart, nonce=nonce)
