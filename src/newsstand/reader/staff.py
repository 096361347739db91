"""The staff area's landing page; its pages live with the data they show (`ingest.staff`: feed
health and sources, `stories.staff`: ranking and Our Picks, `ledger.staff`: payouts)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe


@staff_member_required
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    return redirect("reader:staff:feeds")
