"""Briefing pages: the settings form, the preview, and the unsubscribe link of every email."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.dateformat import format as format_date
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsstand.briefing import actions, schedule
from newsstand.briefing.content import build_briefing
from newsstand.briefing.emails import (
    RenderedBriefing,
    briefing_message,
    render_briefing,
    user_id_from_token,
)
from newsstand.briefing.forms import BriefingForm
from newsstand.briefing.models import BriefingDelivery, BriefingPreference

log = logging.getLogger(__name__)

# The email as mail clients get it: inline styles (most clients drop <link> stylesheets), images
# over https, no script at all; framed only by the preview page.
EMAIL_PREVIEW_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "https:"],
    "frame-ancestors": [CSP.SELF],
}


def _user(request: HttpRequest) -> User:
    # login_required has run: the user is a signed-in auth.User.
    user = request.user
    assert isinstance(user, User)
    return user


def _zone_of(pref: BriefingPreference) -> str:
    try:
        schedule.zone_named(pref.time_zone)
    except schedule.UnknownTimeZone:
        return "UTC"
    return pref.time_zone


def _next_send(pref: BriefingPreference, now: datetime) -> datetime | None:
    """When the reader's next briefing goes, in their zone (None when it is off)."""
    if not pref.enabled or pref.pk is None:
        return None
    zone = schedule.zone_named(_zone_of(pref))
    done = set(
        BriefingDelivery.objects.filter(
            user_id=pref.user_id, local_date__gte=now.astimezone(zone).date()
        ).values_list("local_date", flat=True)
    )
    return schedule.next_send(pref.send_time, zone, pref.schedule_since, now, done)


def _status(pref: BriefingPreference, now: datetime) -> str:
    moment = _next_send(pref, now)
    if moment is None:
        return "The daily briefing is off."
    day = format_date(moment, "l j F")
    return (
        f"The daily briefing is on: the next one comes on {day} at {moment:%H:%M} "
        f"({pref.time_zone})."
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pref = actions.preference_for(user)
    initial = {
        "enabled": pref.enabled,
        "send_time": pref.send_time,
        # A reader who never chose gets "this device's time zone", which the script fills in.
        "time_zone": pref.time_zone if pref.pk else "",
    }
    form = BriefingForm(data=request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        pref = actions.set_briefing_preference(
            user,
            enabled=form.cleaned_data["enabled"],
            send_time=form.cleaned_data["send_time"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "Saved. " + _status(pref, timezone.now()))
        return redirect("briefing:preferences")
    now = timezone.now()
    context = {"form": form, "pref": pref, "status": _status(pref, now)}
    return render(request, "briefing/settings.html", context, status=400 if form.errors else 200)


def _preview(request: HttpRequest) -> tuple[RenderedBriefing, int, BriefingPreference, str]:
    """The briefing the signed-in reader would get if it went now, rendered as the email."""
    user = _user(request)
    pref = actions.preference_for(user)
    zone_name = _zone_of(pref)
    now = timezone.now()
    local_date = now.astimezone(schedule.zone_named(zone_name)).date()
    briefing = build_briefing(user, now, local_date)
    rendered = render_briefing(user, briefing, send_time=pref.send_time, time_zone=zone_name)
    return rendered, briefing.item_count, pref, zone_name


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def preview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rendered, items, pref, zone_name = _preview(request)
    message = briefing_message(user, rendered, timezone.now().date())
    headers = [
        (name, message.extra_headers[name])
        for name in ("List-Unsubscribe", "List-Unsubscribe-Post")
    ]
    context = {
        "subject": rendered.subject,
        "to": user.email,
        "items": items,
        "pref": pref,
        "time_zone": zone_name,
        "headers": headers,
    }
    return render(request, "briefing/preview.html", context)


@never_cache
@xframe_options_sameorigin  # shown in the preview page's frame
@csp_override(EMAIL_PREVIEW_CSP)
@login_required
@require_http_methods(["GET", "HEAD"])
def preview_email(request: HttpRequest) -> HttpResponse:
    """Exactly the HTML part of the email, as it would go now."""
    rendered, *_ = _preview(request)
    return HttpResponse(rendered.html, content_type="text/html; charset=utf-8")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def preview_text(request: HttpRequest) -> HttpResponse:
    """Exactly the plain-text part of the email, as it would go now."""
    rendered, *_ = _preview(request)
    return HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")


def _masked(email: str) -> str:
    """ "re•••@example.org": enough for the reader to recognise, little for a forwarded email."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}•••@{domain}" if domain else "your address"


# Exempt from CSRF: RFC 8058 one-click requests come from mail clients and providers, with no
# session or token, and must work without signing in. The signed token in the URL is what
# authorises the change, and the change is only ever "stop sending me email".
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners and prefetchers must not unsubscribe anyone); POST,
    from that button or a mail client's one-click request, unsubscribes."""
    user_id = user_id_from_token(token)
    if user_id is None:
        log.info("briefing unsubscribe: bad token")
        return render(request, "briefing/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        actions.unsubscribe_from_briefing(user_id, via="one-click" if one_click else "link")
        return render(request, "briefing/unsubscribed.html")
    email = (
        get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).first() or ""
    )
    return render(request, "briefing/unsubscribe.html", {"email": _masked(email)})
