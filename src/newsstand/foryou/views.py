"""For You (/for-you/) and Start reading (/start/). Views only call `live`, `start`, `actions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from newsstand.articles.models import Article
from newsstand.foryou import actions, live
from newsstand.foryou.start import BadChoice, Offer, followed_keys, read_choices, start_offer
from newsstand.web.listing import page_number, render_cards
from newsstand.web.presentation import make_teaser

FOR_YOU_PER_PAGE = 30
WHY_TEMPLATE = "foryou/_why.html"


@dataclass(frozen=True)
class ForYouCard:
    """A card of web/_cards.html, with why it is there (foryou/_why.html shows it)."""

    article: Article
    teaser: str
    reason: str
    reasons: tuple[str, ...]


def cards_of(entries: list[live.ForYouEntry]) -> list[ForYouCard]:
    return [
        ForYouCard(
            article=e.article,
            teaser=make_teaser(
                e.article.summary,
                getattr(e.article, "text_head", ""),
                body_words=e.article.word_count,
            ),
            reason=e.reason,
            reasons=e.reasons,
        )
        for e in entries
    ]


@login_required
@require_safe
def for_you(request: HttpRequest) -> HttpResponse:
    """The reader's own feed, best first, each card saying why it is there."""
    user: Any = request.user
    number = page_number(request.GET.get("page"))
    result = live.feed_page(user, offset=(number - 1) * FOR_YOU_PER_PAGE, limit=FOR_YOU_PER_PAGE)
    page = Paginator(range(result.total), FOR_YOU_PER_PAGE).get_page(number)
    if page.number != number:
        # Past the last page (an old link): the last one, as Paginator.get_page does for lists.
        result = live.feed_page(
            user,
            offset=(page.number - 1) * FOR_YOU_PER_PAGE,
            limit=FOR_YOU_PER_PAGE,
            reader=result.reader,
        )
    context = {
        "page": page,
        "cards": cards_of(result.entries),
        "card_extra": WHY_TEMPLATE,
        "follows_anything": bool(result.reader.follows),
        "preparing": result.preparing,
    }
    return render_cards(request, "foryou/for_you.html", context)


def _start_context(offer: Offer, ticked: set[tuple[str, str]], error: str = "") -> dict[str, Any]:
    return {"offer": offer, "ticked": {f"{k}:{v}" for k, v in ticked}, "error": error}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Start reading: tick topics and publishers to follow; For You starts from them."""
    user: Any = request.user
    offer = start_offer()
    if request.method == "POST":
        try:
            chosen = read_choices(request.POST, offer)
        except BadChoice as exc:
            posted = {("topic", v) for v in request.POST.getlist("topic")} | {
                ("publisher", v) for v in request.POST.getlist("publisher")
            }
            context = _start_context(offer, posted, str(exc))
            return render(request, "foryou/start.html", context, status=400)
        actions.apply_start_choices(
            user, chosen=[c.target for c in chosen], offered=[c.target for c in offer.all()]
        )
        actions.mark_start_seen(user)
        return HttpResponseRedirect(reverse("foryou:feed"), status=303)
    actions.mark_start_seen(user)
    return render(request, "foryou/start.html", _start_context(offer, followed_keys(user.pk)))
