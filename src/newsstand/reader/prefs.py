"""Reading preferences (text size, theme), kept in cookies so they work without accounts or JS.

Parsing is pure: `read_prefs` turns cookie values into `ReaderPrefs`, falling back to the
defaults for anything missing or tampered with.

The form that sets them takes no CSRF token (docs/decisions.md): the worst a forged POST can do is
change a visitor's theme or text size, and a token in the header's theme toggle would make every
page per-visitor and so uncacheable (reader/pagecache.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)

TEXT_SIZES = {"s": "Small", "m": "Medium", "l": "Large", "xl": "Extra large"}
THEMES = {"system": "Same as my device", "light": "Light", "dark": "Dark"}
DEFAULT_TEXT_SIZE = "m"
DEFAULT_THEME = "system"
TEXT_SIZE_COOKIE = "newsstand_text_size"
THEME_COOKIE = "newsstand_theme"
PREFS_COOKIE_MAX_AGE_S = 365 * 24 * 3600


@dataclass(frozen=True)
class ReaderPrefs:
    text_size: str = DEFAULT_TEXT_SIZE
    theme: str = DEFAULT_THEME


class PrefsError(ValueError):
    """A submitted preference is not one of the offered choices."""


def read_prefs(cookies: Mapping[str, str]) -> ReaderPrefs:
    size = cookies.get(TEXT_SIZE_COOKIE, "")
    theme = cookies.get(THEME_COOKIE, "")
    return ReaderPrefs(
        text_size=size if size in TEXT_SIZES else DEFAULT_TEXT_SIZE,
        theme=theme if theme in THEMES else DEFAULT_THEME,
    )


def apply_choices(current: ReaderPrefs, data: Mapping[str, str]) -> ReaderPrefs:
    """`current` with the submitted fields changed; a field left out keeps its value.

    The header's theme button sends only `theme`, so a missing field must not reset the other.
    """
    size = data.get("text_size", current.text_size)
    theme = data.get("theme", current.theme)
    if size not in TEXT_SIZES:
        raise PrefsError(f"Unknown text size {size!r}; choose one of {', '.join(TEXT_SIZES)}.")
    if theme not in THEMES:
        raise PrefsError(f"Unknown theme {theme!r}; choose one of {', '.join(THEMES)}.")
    return ReaderPrefs(text_size=size, theme=theme)


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("reader:settings")


# Exempt: it only sets two cosmetic cookies, and its form is in every page's header (see above).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """Text size and theme: a plain form; POST sets the cookies and goes back where it came from."""
    prefs = read_prefs(request.COOKIES)
    error = ""
    if request.method == "POST":
        try:
            chosen = apply_choices(prefs, request.POST)
        except PrefsError as exc:
            logger.info("settings: rejected preference", extra={"error": str(exc)})
            error = str(exc)
        else:
            response = HttpResponseRedirect(_back_to(request))
            for name, value in ((TEXT_SIZE_COOKIE, chosen.text_size), (THEME_COOKIE, chosen.theme)):
                response.set_cookie(
                    name,
                    value,
                    max_age=PREFS_COOKIE_MAX_AGE_S,
                    samesite="Lax",
                    secure=request.is_secure(),
                    httponly=True,
                )
            return response
    context = {"prefs": prefs, "text_sizes": TEXT_SIZES, "themes": THEMES, "error": error}
    return render(request, "reader/settings.html", context, status=400 if error else 200)
