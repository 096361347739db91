"""Staff pages for publisher payouts: the month's report, its CSV, and one publisher's history.

Views query (reports.py, three grouped queries for all twelve months) and render; the money is
decided in payouts.py. Staff only; anonymous visitors are sent to the admin login.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from newsstand.ledger.charts import HistoryPoint, render_history_svg
from newsstand.ledger.csvfile import write_report_csv
from newsstand.ledger.payouts import Month, PayoutReport, last_months, major_units
from newsstand.ledger.reports import current_month, month_reports
from newsstand.sources.models import Publisher
from newsstand.web.charts import chart_nonce

HISTORY_MONTHS = 12
# The month picker offers this many months back from the current one.
PICKER_MONTHS = 24


def _month(request: HttpRequest) -> Month | str:
    """The month asked for (default: last month, the latest complete one), or why it is bad."""
    raw = request.GET.get("month", "").strip()
    if not raw:
        return current_month().shifted(-1)
    try:
        return Month.parse(raw[:20])
    except ValueError as exc:
        return str(exc)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "ledger/staff/bad_month.html", {"message": message}, status=400)


def _picker(month: Month) -> dict[str, object]:
    now = current_month()
    choices = last_months(PICKER_MONTHS, now)[::-1]
    if month not in choices:
        choices.append(month)
    return {
        "month": month,
        "month_choices": choices,
        "previous_month": month.shifted(-1),
        "next_month": month.shifted(1) if month < now else None,
        "in_progress": month == now,
    }


def _history_svg(
    reports: Sequence[PayoutReport], *, title: str, nonce: str, publisher_id: int | None = None
) -> str:
    points = []
    for report in reports:
        if publisher_id is None:
            reads, minor = report.reads, report.allocated_minor
        else:
            row = report.row_for(publisher_id)
            reads, minor = (row.reads, row.payout_minor) if row else (0, 0)
        points.append(
            HistoryPoint(
                label=report.month.first_day.strftime("%b %Y"),
                reads=reads,
                money=major_units(minor, report.currency),
            )
        )
    currency = reports[-1].currency
    label = f"Paid out ({currency})" if publisher_id is None else f"Payout ({currency})"
    # pygal builds the SVG from numbers and our labels; text it draws is escaped by lxml.
    svg = render_history_svg(points, title=title, money_label=label, nonce=nonce)
    return mark_safe(svg)  # noqa: S308


@staff_member_required
@require_safe
def payouts(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if isinstance(month, str):
        return _bad_request(request, month)
    wanted = request.GET.get("format", "html")
    if wanted not in ("html", "csv"):
        return _bad_request(request, f"Unknown format {wanted[:20]!r}: use csv, or leave it out.")
    if wanted == "csv":
        report = month_reports([month])[0]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_report_csv(report, response)
        response["Content-Disposition"] = f'attachment; filename="newsstand-payouts-{month}.csv"'
        return response
    reports = month_reports(last_months(HISTORY_MONTHS, month))
    context = {
        **_picker(month),
        "report": reports[-1],
        "history": reports,
        "history_svg": _history_svg(
            reports,
            title=f"Full reads and payouts, {HISTORY_MONTHS} months to {month.label}",
            nonce=chart_nonce(request),
        ),
    }
    return render(request, "ledger/staff/payouts.html", context)


@staff_member_required
@require_safe
def publisher_payouts(request: HttpRequest, pk: int) -> HttpResponse:
    publisher = get_object_or_404(Publisher, pk=pk)
    month = _month(request) if request.GET.get("month") else current_month()
    if isinstance(month, str):
        return _bad_request(request, month)
    reports = month_reports(last_months(HISTORY_MONTHS, month))
    rows = [(report, report.row_for(publisher.pk)) for report in reports]
    context = {
        **_picker(month),
        "publisher": publisher,
        "rows": rows[::-1],
        "total_reads": sum(row.reads for _, row in rows if row),
        "total_minor": sum(row.payout_minor for _, row in rows if row),
        "currency": reports[-1].currency,
        "history_svg": _history_svg(
            reports,
            title=f"{publisher.name}: full reads and payout, {HISTORY_MONTHS} months to "
            f"{month.label}",
            publisher_id=publisher.pk,
            nonce=chart_nonce(request),
        ),
    }
    return render(request, "ledger/staff/publisher.html", context)
