"""Signing out empties what the browser keeps for the site, so the next reader of a shared
device cannot page back into a member's articles or open their saved copies offline.

`"cache"` is the HTTP cache and the back-forward cache (member pages are `no-store` already;
this covers anything kept despite that). `"storage"` reaches the service worker's Cache Storage,
where personal/ keeps saved articles for offline reading, and unregisters the worker, which the
next page registers again. The worker also empties its caches itself when it sees the sign-out
go by (reader/sw.js); the header covers a page the worker did not control. Cookies stay, so
reading preferences (theme, text size) survive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

CLEAR_SITE_DATA = '"cache", "storage"'


# Set on the request by `note_sign_out` (user_logged_out); read once the view has answered.
SIGNED_OUT_ATTR = "newsstand_signed_out"


def note_sign_out(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_out receiver: marks the request whose response must clear the cache."""
    if request is not None:
        setattr(request, SIGNED_OUT_ATTR, True)


class ClearCacheOnSignOutMiddleware:
    """Adds `Clear-Site-Data` to the response of any request that signed a user out.

    Django's user_logged_out signal marks the request, so allauth's logout, the admin's and any
    later sign-out view are all covered, and other requests pay nothing (no session lookup).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, SIGNED_OUT_ATTR, False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
            logger.info("gate.signed_out clear_site_data=cache,storage path=%s", request.path)
        return response
