"""Saved, History and Following pages, and the Save / Follow / Mute / history forms.

Every form is a plain POST with CSRF that redirects back (no JavaScript needed); when HTMX sends
it (HX-Request), the answer is the control alone, for HTMX to swap in place.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from newsstand.articles.models import Article
from newsstand.membership.access import has_full_access
from newsstand.personal import actions
from newsstand.personal.controls import (
    FOLLOW_BUTTONS_TEMPLATE,
    SAVE_BUTTON_TEMPLATE,
    follow_buttons_context,
    save_button_context,
)
from newsstand.personal.following import following_rows
from newsstand.personal.models import Follow, SavedArticle
from newsstand.personal.state import FollowState, card_flags
from newsstand.personal.targets import BadTarget, FollowTarget, normalise_key, resolve_target
from newsstand.web.listing import card_page, is_htmx_fragment, render_cards

FOLLOWS_PER_PAGE = 50
# The service worker keeps this many of the latest saved articles for reading offline.
SAVED_OFFLINE_LIMIT = 50


def _reader_id(request: HttpRequest) -> int:
    """The signed-in reader's id; the views asking are behind login_required or check first."""
    if request.user.pk is None:
        raise PermissionDenied
    return int(request.user.pk)


def _next_url(request: HttpRequest, fallback: str) -> str:
    """Where a form sends the reader back to: its `next` if it stays on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    # 303: the browser follows a POST's redirect with a GET, so reloading never re-posts.
    return HttpResponseRedirect(_next_url(request, fallback), status=303)


def _sign_in_first(request: HttpRequest, fallback: str) -> HttpResponse:
    """A signed-out reader (session expired) who posts a form goes to sign in, then back."""
    back = _next_url(request, fallback)
    if is_htmx_fragment(request):
        # A redirect would make HTMX swap the sign-in page into the button; send the page there.
        login = redirect_to_login(back)
        return HttpResponseClientRedirect(login["Location"])
    return redirect_to_login(back)


@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save (`action=save`) or unsave (`action=unsave`) one article."""
    article = get_object_or_404(Article.objects.only("id", "title"), pk=pk)
    fallback = article.get_absolute_url()
    if not request.user.is_authenticated:
        return _sign_in_first(request, fallback)
    action = request.POST.get("action", "")
    if action == "save":
        actions.save_article(request.user, article.pk)
    elif action == "unsave":
        actions.unsave_article(request.user, article.pk)
    else:
        return HttpResponseBadRequest(f"Unknown action {action!r}: use save or unsave.")
    if is_htmx_fragment(request):
        context = save_button_context(
            request,
            article.pk,
            article.title,
            saved=action == "save",
            next_url=_next_url(request, fallback),
        )
        return render(request, SAVE_BUTTON_TEMPLATE, context)
    return _back(request, fallback)


@require_POST
def change_follow(request: HttpRequest) -> HttpResponse:
    """Follow, unfollow, mute or unmute a publisher, section, topic or story."""
    fallback = reverse("personal:following")
    if not request.user.is_authenticated:
        return _sign_in_first(request, fallback)
    kind = request.POST.get("kind", "")
    action = request.POST.get("action", "")
    if action not in ("follow", "unfollow", "mute", "unmute"):
        return HttpResponseBadRequest(
            f"Unknown action {action!r}: use follow, unfollow, mute or unmute."
        )
    raw_key = request.POST.get("key", "")
    target: FollowTarget | None = None
    try:
        target = resolve_target(kind, raw_key)
    except BadTarget as exc:
        # Undoing must work for what has since gone (a story merged away, a renamed section).
        if action not in ("unfollow", "unmute") or kind not in Follow.Kind.values:
            return HttpResponseBadRequest(str(exc))
    key = target.key if target is not None else normalise_key(kind, raw_key)
    if action == "follow" and target is not None:
        actions.follow(request.user, target)
    elif action == "mute" and target is not None:
        actions.mute(request.user, target)
    elif action == "unfollow":
        actions.unfollow(request.user, kind, key)
    else:
        actions.unmute(request.user, kind, key)
    if is_htmx_fragment(request):
        state = FollowState(following=action == "follow", muted=action == "mute")
        label = target.label if target is not None else key
        context = follow_buttons_context(
            request, kind, key, label, state=state, next_url=_next_url(request, fallback)
        )
        return render(request, FOLLOW_BUTTONS_TEMPLATE, context)
    return _back(request, fallback)


@login_required
@require_safe
def saved(request: HttpRequest) -> HttpResponse:
    """The reader's saved articles, latest saved first."""
    articles = Article.objects.filter(saved_by__user_id=_reader_id(request)).annotate(
        saved_at=F("saved_by__saved_at")
    )
    page, cards = card_page(
        request, articles, order_by=("-saved_at", "-id"), flags=card_flags(request.user)
    )
    context = {"page": page, "cards": cards, "offline_limit": SAVED_OFFLINE_LIMIT}
    return render_cards(request, "personal/saved.html", context)


@never_cache
@require_safe
def saved_offline(request: HttpRequest) -> HttpResponse:
    """For the service worker: the pages to keep offline, the latest saved articles and Saved.

    `access` says whether the copies it fetches now carry full text ("full") or the gate's
    teaser ("teaser"); when it changes (a membership ended), the worker drops every copy and
    fetches them again, so no member-only text outlives the membership on the device.
    401 when signed out, which tells the worker to drop what it kept.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to keep saved articles offline."}, status=401)
    ids = (
        SavedArticle.objects.filter(user_id=_reader_id(request))
        .order_by("-saved_at")
        .values_list("article_id", flat=True)
    )
    urls = [reverse("reader:article", args=[pk]) for pk in ids[:SAVED_OFFLINE_LIMIT]]
    access = "full" if has_full_access(request.user) else "teaser"
    return JsonResponse({"urls": [reverse("personal:saved"), *urls], "access": access})


@login_required
@require_safe
def history(request: HttpRequest) -> HttpResponse:
    """Articles the reader opened, latest first, each with how often."""
    articles = Article.objects.filter(reading_history__user_id=_reader_id(request)).annotate(
        last_read_at=F("reading_history__last_read_at"),
        read_count=F("reading_history__read_count"),
    )
    page, cards = card_page(
        request,
        articles,
        order_by=("-last_read_at", "-id"),
        counted=True,
        flags=card_flags(request.user),
    )
    context = {"page": page, "cards": cards, "card_extra": "personal/_history_entry.html"}
    return render_cards(request, "personal/history.html", context)


@require_POST
def remove_from_history(request: HttpRequest, pk: int) -> HttpResponse:
    fallback = reverse("personal:history")
    if not request.user.is_authenticated:
        return _sign_in_first(request, fallback)
    actions.remove_from_history(request.user, pk)
    if is_htmx_fragment(request):
        # Swapped for the entry's list item: the card goes, and a line says so.
        return HttpResponse(
            '<li class="history-removed"><p role="status">Removed from your history.</p></li>'
        )
    return _back(request, fallback)


@require_POST
def clear_history(request: HttpRequest) -> HttpResponse:
    fallback = reverse("personal:history")
    if not request.user.is_authenticated:
        return _sign_in_first(request, fallback)
    if request.POST.get("confirm") != "yes":
        return HttpResponseBadRequest("Confirm clearing the history (confirm=yes).")
    actions.clear_history(request.user)
    return _back(request, fallback)


@login_required
@require_safe
def following(request: HttpRequest) -> HttpResponse:
    """What the reader follows and mutes, with Unfollow and Unmute."""
    rows = Follow.objects.filter(user_id=_reader_id(request)).order_by(
        "muted", "kind", "label", "id"
    )
    page = Paginator(rows, FOLLOWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": following_rows(request, list(page.object_list))}
    return render(request, "personal/following.html", context)
