"""The reads-and-payouts chart: a static, accessible SVG with whole numbers of reads."""

from __future__ import annotations

import re
from decimal import Decimal

from newsstand.ledger.charts import HistoryPoint, render_history_svg


def test_history_svg_is_a_labelled_picture_with_whole_read_ticks():
    points = [
        HistoryPoint("Oct 2026", 0, Decimal("0")),
        HistoryPoint("Nov 2026", 7, Decimal("19.68")),
    ]
    svg = render_history_svg(points, title="Alpha: reads and payout", money_label="Payout (EUR)")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<script" not in svg
    assert "<title>Alpha: reads and payout</title>" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"Oct 2026", "Nov 2026", "19.68"} <= set(texts)
    # The reads axis comes first: whole steps of 2 up to 8 (7 reads / 5 ticks, rounded up).
    assert texts[:5] == ["0", "2", "4", "6", "8"]
    assert "dasharray" in svg  # the payout line is dashed, not only another colour
