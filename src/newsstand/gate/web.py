"""The gate on the web: what the article page's gate block shows, and how responses are cached.

A response carrying full text is `Cache-Control: private, no-store`: no shared cache (a CDN,
Django's page cache, a proxy) keeps it, the browser does not store it, and the service worker
(reader/sw.js) refuses to cache it. Gated responses carry only the teaser, so any cache may
keep them; they vary on Cookie and Authorization so a cache never answers a member with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from num2words import num2words

from newsstand.gate.policy import GateDecision, Reason
from newsstand.gate.teaser import Teaser

# The page where a signed-in reader without a membership starts one. The membership app owns
# it; where the name does not resolve, the gate still makes the offer, without a link.
JOIN_URL_NAME = "membership:plans"


def trial_phrase(days: int) -> str:
    """ "Fourteen days free" for 14: the offer as the gate says it."""
    if days <= 0:
        return ""
    words = str(num2words(days, lang="en"))
    unit = "day" if days == 1 else "days"
    return f"{words[:1].upper()}{words[1:]} {unit} free"


def _with_next(url_name: str, next_path: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_path})}"


def join_url() -> str | None:
    try:
        return reverse(JOIN_URL_NAME)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class ArticleGate:
    """What an article page needs to know about the gate (context variable `gate`)."""

    decision: GateDecision
    teaser: Teaser
    signed_in: bool
    signup_url: str
    login_url: str
    join_url: str | None
    trial: str

    @property
    def full(self) -> bool:
        return self.decision.full

    @property
    def headline(self) -> str:
        """The gate's heading for a signed-in reader without full access."""
        d = self.decision
        noun = "article" if d.free_limit == 1 else "articles"
        if d.reason is Reason.METER_USED_UP:
            return f"You have read your {d.free_limit} free {noun} this month"
        if d.reason is Reason.NOT_SPENT:
            # A copy fetched ahead (a saved article kept offline): opening it spends one.
            return f"Open this article to read it free: {d.free_left} of {d.free_limit} left"
        return "Become a member to read this article"

    @property
    def meter_note(self) -> str:
        """ "3 of 5 free articles left this month" on a metered read; empty otherwise."""
        d = self.decision
        if d.reason is not Reason.METERED or d.free_left is None:
            return ""
        noun = "article" if d.free_limit == 1 else "articles"
        return f"{d.free_left} of {d.free_limit} free {noun} left this month"


def article_gate(request: HttpRequest, decision: GateDecision, teaser: Teaser) -> ArticleGate:
    next_path = request.get_full_path()
    signed_in = bool(request.user.is_authenticated)
    return ArticleGate(
        decision=decision,
        teaser=teaser,
        signed_in=signed_in,
        signup_url=_with_next("account_signup", next_path),
        login_url=_with_next("account_login", next_path),
        join_url=join_url(),
        # A signed-in non-member has usually had the one trial an account gets; the plans page
        # behind "Become a member" says what is open to them.
        trial="" if signed_in else trial_phrase(int(settings.NEWSSTAND_TRIAL_DAYS)),
    )


def mark_response(response: HttpResponse, decision: GateDecision) -> HttpResponse:
    """Cache headers for a response whose content `decision` chose."""
    patch_vary_headers(response, ("Cookie", "Authorization"))
    if decision.shows_full_text:
        patch_cache_control(response, private=True, no_store=True)
    return response
