"""Reader-facing membership pages: plans and the reader's state, checkout, portal, webhook.

Thin: they read, ask the provider in use for its pages (checkout, portal) or to verify and
translate a webhook, and hand every state change to membership.actions.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from num2words import num2words

from newsstand.membership import actions
from newsstand.membership.access import user_membership
from newsstand.membership.models import Membership
from newsstand.membership.plans import UnknownPlan, all_plans, get_plan
from newsstand.membership.providers.base import (
    CheckoutUnavailable,
    WebhookRejected,
    get_provider,
)
from newsstand.membership.status import describe
from newsstand.membership.transitions import IllegalTransition

log = logging.getLogger(__name__)

State = Membership.State

CHECKOUT_NOTES = {
    "success": "Thank you for subscribing. Your membership starts as soon as the payment clears.",
    "canceled": "Checkout was canceled; nothing was charged.",
    "trial": "Your free trial has started: every article is yours to read in full.",
}


def _trial_headline() -> str:
    days = settings.NEWSSTAND_TRIAL_DAYS
    words = str(num2words(days, lang="en")).capitalize()
    return f"{words} day{'s' if days != 1 else ''} free"


def _render_plans(
    request: HttpRequest, *, error: str = "", status: int = 200, **extra: Any
) -> HttpResponse:
    membership = user_membership(request.user)
    provider = get_provider()
    current = describe(membership, timezone.now())
    can_manage = (
        membership is not None
        and provider.name == "stripe"
        and membership.provider == "stripe"
        and bool(membership.provider_customer_id)
    )
    paying = current.state in (State.ACTIVE, State.PAST_DUE) and current.has_access
    context = {
        "can_start_trial": may_start_trial(request.user, membership),
        "membership": membership,
        "current": current,
        "plans": all_plans(),
        "trial_headline": _trial_headline(),
        "trial_days": settings.NEWSSTAND_TRIAL_DAYS,
        "can_subscribe": not paying,
        "can_manage": can_manage,
        "provider": provider.name,
        "note": CHECKOUT_NOTES.get(request.GET.get("checkout", ""), ""),
        "error": error,
        **extra,
    }
    return render(request, "membership/plans.html", context, status=status)


@require_safe
def plans(request: HttpRequest) -> HttpResponse:
    return _render_plans(request)


def may_start_trial(user: Any, membership: Membership | None) -> bool:
    """A signed-in reader who never had a trial, e.g. an account made with `newsstand users
    add` or in the admin (sign-up starts one by itself): the page offers it."""
    if not user.is_authenticated or settings.NEWSSTAND_TRIAL_DAYS <= 0:
        return False
    return membership is None or (
        membership.state == State.REGISTERED and membership.trial_started_at is None
    )


@login_required
@require_POST
def start_trial(request: HttpRequest) -> HttpResponse:
    """The free trial, started by the reader (docs/decisions.md: trials for accounts made
    without signing up)."""
    try:
        actions.start_trial(request.user)
    except IllegalTransition:
        return _render_plans(
            request,
            error="The free trial is for readers who have not had one; subscribe to read on.",
            status=409,
        )
    return HttpResponseRedirect(reverse("membership:plans") + "?checkout=trial")


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    try:
        plan = get_plan(request.POST.get("plan", ""))
    except UnknownPlan as exc:
        return _render_plans(request, error=f"Choose a plan: {exc}.", status=400)
    current = describe(user_membership(request.user), timezone.now())
    if current.has_access and current.state in (State.ACTIVE, State.PAST_DUE):
        # A second subscription would charge twice; changing plans is the portal's job.
        return _render_plans(
            request,
            error="You are already a member. Change your plan under Manage your subscription.",
            status=409,
        )
    return_url = request.build_absolute_uri(reverse("membership:plans"))
    membership = actions.ensure_membership(request.user)
    try:
        url = get_provider().start_checkout(
            request.user, plan, membership=membership, return_url=return_url
        )
    except CheckoutUnavailable as exc:
        log.error("checkout unavailable user_id=%s plan=%s: %s", request.user.pk, plan.key, exc)
        return _render_plans(
            request,
            error="Subscribing is not available right now. Please try again later.",
            status=503,
        )
    return HttpResponseRedirect(url)


@login_required
@require_POST
def portal(request: HttpRequest) -> HttpResponse:
    return_url = request.build_absolute_uri(reverse("membership:plans"))
    membership = actions.ensure_membership(request.user)
    try:
        url = get_provider().portal_url(request.user, membership=membership, return_url=return_url)
    except CheckoutUnavailable as exc:
        log.error("billing portal unavailable user_id=%s: %s", request.user.pk, exc)
        url = None
    if url is None:
        return _render_plans(
            request,
            error="Managing your subscription is not available right now.",
            status=503,
        )
    return HttpResponseRedirect(url)


@require_safe
def manual_checkout(request: HttpRequest) -> HttpResponse:
    try:
        plan = get_plan(request.GET.get("plan", ""))
    except UnknownPlan:
        plan = None
    return render(
        request,
        "membership/manual_checkout.html",
        {"plan": plan, "provider": get_provider().name},
    )


@csrf_exempt  # Stripe cannot send our CSRF token; its signature authenticates the request
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    provider = get_provider()
    if provider.name != "stripe":
        return HttpResponse(
            "Stripe is not the payment provider here.", status=404, content_type="text/plain"
        )
    try:
        update = provider.parse_webhook(request.body, request.headers)
    except WebhookRejected as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    # Answered 200 whatever the outcome (a replay, no such member, not applied): the event is
    # recorded, and a retry from the provider would change nothing.
    result = actions.apply_provider_update(update)
    return HttpResponse(result.outcome, status=200, content_type="text/plain")
