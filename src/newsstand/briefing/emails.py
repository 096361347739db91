"""The briefing as an email: subject, plain text and HTML from Django templates, and the
headers mail clients use to offer "Unsubscribe" (RFC 2369 List-Unsubscribe, RFC 8058 one-click).

The preview page renders through the same `render_briefing`, so it shows exactly what would go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.text import Truncator

from newsstand.briefing.content import Briefing, absolute

UNSUBSCRIBE_SALT = "newsstand.briefing.unsubscribe"
SUBJECT_CHARS = 110


@dataclass(frozen=True)
class RenderedBriefing:
    subject: str
    text: str
    html: str


def unsubscribe_token(user_id: int) -> str:
    """A signed, non-expiring token naming the reader: an old email's link must still work.

    Deterministic (no timestamp), so the preview shows the very links the email carries.
    """
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(user_id)


def user_id_from_token(token: str) -> int | None:
    """The reader a token names, or None for a forged, damaged or foreign token."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def unsubscribe_url(user_id: int) -> str:
    return absolute(reverse("briefing:unsubscribe", args=[unsubscribe_token(user_id)]))


def site_domain() -> str:
    return urlsplit(settings.NEWSSTAND_SITE_URL).hostname or "localhost"


def message_id(user_id: int, local_date: date) -> str:
    """The same Message-ID for the same reader and date: were a copy ever to go out twice,
    mail clients and servers would fold the copies into one."""
    return f"<briefing.{user_id}.{local_date:%Y%m%d}@{site_domain()}>"


def _subject(briefing: Briefing) -> str:
    day = format_date(briefing.local_date, "l j F")
    lead = briefing.lead
    text = f"{day}: {lead.title}" if lead else f"Your briefing for {day}"
    return " ".join(Truncator(text).chars(SUBJECT_CHARS).split())


def render_briefing(
    user: Any, briefing: Briefing, *, send_time: time, time_zone: str
) -> RenderedBriefing:
    """Subject, text and HTML of `briefing` for `user` (pure rendering; no queries)."""
    footer = f"You get this briefing at {send_time:%H:%M} ({time_zone}) because you asked for it"
    footer += f" at {user.email}." if user.email else "."
    context = {
        "briefing": briefing,
        "sections": (
            ("TOP STORIES", briefing.top),
            ("OUR PICKS", briefing.picks),
            ("FOR YOU", briefing.for_you),
        ),
        "footer": footer,
        "date_label": format_date(briefing.local_date, "l j F Y"),
        "lead_teaser": briefing.lead.teaser if briefing.lead else "",
        "send_time": send_time,
        "time_zone": time_zone,
        "email": user.email,
        "site_url": absolute("/"),
        "settings_url": absolute(reverse("briefing:preferences")),
        "unsubscribe_url": unsubscribe_url(user.pk),
    }
    return RenderedBriefing(
        subject=_subject(briefing),
        text=render_to_string("briefing/email/briefing.txt", context),
        html=render_to_string("briefing/email/briefing.html", context),
    )


def briefing_message(
    user: Any, rendered: RenderedBriefing, local_date: date
) -> EmailMultiAlternatives:
    """The email: plain text first, HTML as the alternative, with the unsubscribe headers."""
    link = unsubscribe_url(user.pk)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            # RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to that URL, no page shown.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Newsstand daily briefing <briefing.{site_domain()}>",
            "Message-ID": message_id(user.pk, local_date),
            # RFC 3834: an automatic message, so vacation responders stay quiet.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
