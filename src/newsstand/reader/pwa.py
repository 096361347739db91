"""Installable app: the web manifest, the service worker and the offline page.

The service worker is served from the site root (not /static/) so its scope covers every page.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

APP_NAME = "Newsstand"
APP_SHORT_NAME = "Newsstand"
# The light theme's page background and accent (reader.css --bg / --accent).
BACKGROUND_COLOUR = "#fbfaf7"
THEME_COLOUR = "#9e2a1c"
# (static path, size px, purpose) of the icons drawn by scripts/make_icons.py.
ICONS = (
    ("reader/icons/icon-192.png", 192, "any"),
    ("reader/icons/icon-512.png", 512, "any"),
    ("reader/icons/icon-maskable-512.png", 512, "maskable"),
)
# What the service worker stores on install, so the offline page looks like the app.
SHELL_STATIC = (
    "reader/reader.css",
    "reader/shortcuts.js",
    "reader/sw-register.js",
    "reader/icons/icon-192.png",
)
MANIFEST_MAX_AGE_S = 24 * 3600


def manifest_data() -> dict[str, object]:
    """The Web App Manifest (https://www.w3.org/TR/appmanifest/) as a dict."""
    home = reverse("reader:home")
    return {
        "name": APP_NAME,
        "short_name": APP_SHORT_NAME,
        "description": "All your news in one place.",
        "id": home,
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static(path), "sizes": f"{px}x{px}", "type": "image/png", "purpose": purpose}
            for path, px, purpose in ICONS
        ],
    }


@require_safe
@cache_control(max_age=MANIFEST_MAX_AGE_S, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        json.dumps(manifest_data(), indent=2), content_type="application/manifest+json"
    )


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of the shell's files: a deploy that changes them makes browsers refresh the cache.

    Static URLs carry no content hash here (CompressedStaticFilesStorage), so the name alone
    would never change.
    """
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": shell_version(),
        "offline_url": reverse("reader:offline"),
        "home_url": reverse("reader:home"),
        "shell_urls": [reverse("reader:offline")] + [static(p) for p in SHELL_STATIC],
    }
    response = render(request, "reader/sw.js", context, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows when a page is neither reachable nor cached."""
    return render(request, "reader/offline.html")
