"""How often the API may be called: per client address when anonymous, per user when signed in.

Ninja's own throttles do not fit: its `AnonRateThrottle` skips any request with an `auth`, and
every API call has one (`SessionOrAnonymous` answers `AnonymousUser`, so Ninja lets the call
through), so anonymous calls fell to `AuthRateThrottle`, whose key is `str(request.auth)`: one
"AnonymousUser" bucket shared by every anonymous caller in the world.
"""

from __future__ import annotations

from typing import Any

from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


def _user(request: HttpRequest) -> Any | None:
    user = getattr(request, "auth", None)
    return user if user is not None and user.is_authenticated else None


class _SettingsRateThrottle(SimpleRateThrottle):
    """A rate read from settings at each call, so an operator's (or a test's) value applies."""

    setting = ""

    def __init__(self) -> None:
        super().__init__(rate=getattr(settings, self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonymousPerAddress(_SettingsRateThrottle):
    """Anonymous calls, counted per client address.

    The address is the one allauth's sign-in limits count (`NEWSSTAND_TRUSTED_PROXY_COUNT`
    hops of X-Forwarded-For, an IPv6 address by its /64), so there is one notion of "a client".
    """

    setting = "NEWSSTAND_API_ANON_RATE"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if _user(request) is not None:
            return None
        return f"throttle_api_anon_{get_ip(request)}"


class SignedInPerUser(_SettingsRateThrottle):
    """Calls by a signed-in reader (session or token), counted per user whatever the address."""

    setting = "NEWSSTAND_API_SIGNED_IN_RATE"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = _user(request)
        if user is None:
            return None
        return f"throttle_api_user_{user.pk}"
