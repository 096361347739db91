"""Staff pages for stories: why the top stories rank where they do, and curating Our Picks.

Views query and render; state changes go through `stories.actions`. Staff only, like staff.py.
"""

from __future__ import annotations

import logging
from typing import Literal

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from newsstand.stories import actions
from newsstand.stories.models import Pick, Story
from newsstand.stories.pick_forms import PickForm
from newsstand.stories.picks import (
    expired_picks,
    pick_item,
    queued_picks,
    search_articles,
    search_stories,
)
from newsstand.stories.ranking import RankingSettings
from newsstand.stories.top import COVERED_PUBLISHERS, HOME_LEAD_CANDIDATES, ranking_rows

logger = logging.getLogger(__name__)

RANKING_ROWS = 50
SEARCH_MAX_CHARS = 200


@staff_member_required
@require_safe
def ranking(request: HttpRequest) -> HttpResponse:
    rows = ranking_rows(RANKING_ROWS)
    context = {
        "rows": rows,
        "config": RankingSettings.from_settings(),
        "covered_publishers": COVERED_PUBLISHERS,
        "lead_candidates": HOME_LEAD_CANDIDATES,
        "last_ranked": Story.objects.aggregate(last=Max("ranked_at"))["last"],
    }
    return render(request, "stories/staff/ranking.html", context)


def _picks_page(request: HttpRequest, form: PickForm, status: int = 200) -> HttpResponse:
    now = timezone.now()
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    queue = queued_picks(now)
    context = {
        "form": form,
        "query": query,
        "queue": queue,
        "expired": expired_picks(now),
        "found_stories": search_stories(query, now),
        "found_articles": search_articles(query, now),
        "now": now,
    }
    return render(request, "stories/staff/picks.html", context, status=status)


@staff_member_required
def picks(request: HttpRequest) -> HttpResponse:
    """The queue of picks, the expired ones, and the form to add one (POST)."""
    if request.method == "POST":
        form = PickForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pick = actions.add_pick(
                    story=data["story"],
                    article=data["article"],
                    blurb=data["blurb"],
                    starts_at=data["starts_at"],
                    expires_at=data["expires_at"],
                    created_by=request.user,
                )
            except actions.PickError as exc:
                form.add_error(exc.field or None, exc.message)
            else:
                messages.success(request, f"Picked “{pick_item(pick).title}”.")
                return redirect("reader:staff:picks")
        return _picks_page(request, form)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    initial = {k: request.GET[k] for k in ("story", "article") if request.GET.get(k)}
    return _picks_page(request, PickForm(initial=initial))


@staff_member_required
@require_POST
def pick_move(request: HttpRequest, pk: int) -> HttpResponse:
    pick = get_object_or_404(Pick, pk=pk)
    direction: Literal["up", "down"]
    match request.POST.get("direction"):
        case "up":
            direction = "up"
        case "down":
            direction = "down"
        case _:
            messages.error(request, "Move a pick up or down.")
            return redirect("reader:staff:picks")
    if not actions.move_pick(pick, direction):
        end = "top" if direction == "up" else "bottom"
        messages.info(request, f"That pick is already at the {end}.")
    return redirect("reader:staff:picks")


@staff_member_required
@require_POST
def pick_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pick = get_object_or_404(Pick.objects.select_related("story", "article__publisher"), pk=pk)
    title = pick_item(pick).title
    actions.remove_pick(pick)
    messages.success(request, f"Removed “{title}” from Our Picks.")
    return redirect("reader:staff:picks")
