"""Publishers' icons as Newsstand serves them: the stored copy of the site's icon, else a
monogram drawn here, at `/publishers/<slug>/icon?v=<version>`.

Pages put the version in the URL (`icon_url`) from a field already loaded with the publisher,
so a list of cards costs no query per icon, and browsers keep an icon for a year: a new icon, or
a renamed publisher's new monogram, has a new URL. A request for an outdated version still
gets the current icon, cached briefly.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from newsstand.sources.models import Publisher, PublisherIcon

__all__ = ["icon_url", "icon_version", "monogram_svg", "publisher_icon"]

# A versioned icon never changes: a year, and browsers need not ask again.
VERSIONED_MAX_AGE_S = 365 * 24 * 60 * 60
# An address without the current version (an old page, a typed URL) may change soon.
UNVERSIONED_MAX_AGE_S = 60 * 60
# The icon is an image and nothing else: no script, no styles from elsewhere, no plugins.
ICON_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
MONOGRAM_TYPE = "image/svg+xml"
# Monogram backgrounds: a hue from the name, dark enough for white letters (contrast > 4.5:1).
MONOGRAM_SATURATION = 0.55
MONOGRAM_LIGHTNESS = 0.28
# Part of the monogram's version: raise it when the drawing changes, so browsers holding the
# old one under the long cache fetch the new.
MONOGRAM_REVISION = 2
# Articles left out of initials ("The Guardian" → "G"). Not "los" or "las": they begin places
# (Los Angeles, Las Vegas) more often than papers' names, and "AT" read as no one's initials.
_SKIP_WORDS = frozenset({"the", "a", "an", "le", "la", "les", "el", "die", "der"})


def icon_version(publisher: Publisher) -> str:
    """The stored icon's version, else the monogram's (it changes with the name).

    A publisher loaded without `icon_version` (a query's `.only()` left it out) gets the
    monogram's version instead of a query of its own; the URL then serves the current icon
    under the short cache.
    """
    if "icon_version" not in publisher.get_deferred_fields() and publisher.icon_version:
        return publisher.icon_version
    drawn = f"{MONOGRAM_REVISION}:{publisher.name}"
    return "m" + hashlib.sha256(drawn.encode()).hexdigest()[:11]


def icon_url(publisher: Publisher) -> str:
    path = reverse("reader:publisher_icon", args=[publisher.slug])
    return f"{path}?v={icon_version(publisher)}"


def monogram_letters(name: str) -> str:
    """Initials: "Global Dispatch" → "GD", "The Guardian" → "G", "bdnews24.com" → "B"."""
    words = [w for w in re.findall(r"\w+", name) if w.casefold() not in _SKIP_WORDS]
    words = words or re.findall(r"\w+", name)
    if " " not in name.strip():
        words = words[:1]  # an address: "bdnews24.com" is one name, not two
    if not words:
        return "?"
    first = words[0][0]
    if len(words) > 1 and first.isascii() and words[1][0].isascii():
        return (first + words[1][0]).upper()
    return first.upper()


def monogram_colour(name: str) -> str:
    hue = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "big") / 0xFFFF
    red, green, blue = colorsys.hls_to_rgb(hue, MONOGRAM_LIGHTNESS, MONOGRAM_SATURATION)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def monogram_svg(name: str) -> bytes:
    """A square of the name's colour with its initials in white, labelled with the name."""
    letters = monogram_letters(name)
    font_px = 30 if len(letters) == 1 else 26
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" '
        f'role="img" aria-label="{escape(name, {chr(34): "&quot;"})}">'
        f"<title>{escape(name)}</title>"
        f'<rect width="64" height="64" rx="12" fill="{monogram_colour(name)}"/>'
        '<text x="32" y="33" dominant-baseline="middle" text-anchor="middle" '
        'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" '
        f'font-size="{font_px}" font-weight="700" fill="#fff">{escape(letters)}</text></svg>'
    ).encode()


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags or "*" in tags


@require_safe
def publisher_icon(request: HttpRequest, slug: str) -> HttpResponse:
    """The publisher's icon, or its monogram; 304 when the browser has this version."""
    publisher = Publisher.objects.only("id", "name", "slug", "icon_version").filter(slug=slug)
    found = publisher.first()
    if found is None:
        raise Http404("No such publisher.")
    version = icon_version(found)
    etag = f'"{version}"'
    max_age = VERSIONED_MAX_AGE_S if request.GET.get("v") == version else UNVERSIONED_MAX_AGE_S
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}"
        + (", immutable" if max_age == VERSIONED_MAX_AGE_S else ""),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": ICON_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return HttpResponse(status=304, headers=headers)
    icon = None
    if found.icon_version:
        icon = (
            PublisherIcon.objects.filter(publisher_id=found.pk).only("data", "content_type").first()
        )
    if icon is None:
        return HttpResponse(monogram_svg(found.name), content_type=MONOGRAM_TYPE, headers=headers)
    return HttpResponse(bytes(icon.data), content_type=icon.content_type, headers=headers)
