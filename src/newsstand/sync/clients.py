"""Who an app is (its app password) and how fast it may call: shared by the three APIs.

Failed sign-ins are counted per client address (allauth's, which honours
NEWSSTAND_TRUSTED_PROXY_COUNT, an IPv6 /64 as one, as the JSON API's throttle counts) and per
account where the call names one (an email), as allauth limits the site's own sign-in. Past either
limit the call answers 429 before any password is checked: a flood of wrong passwords costs a
cache read each, not a password hash. An account that is over its limit still lets in a password
whose verdict is in the cache (one its app used within VERIFIED_CACHE_S), so a stranger sending
wrong passwords for someone's email cannot lock that reader's syncing app out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from allauth.core.internal.ratelimit import get_ip, parse_rates
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from newsstand.search.throttle import count_one, window_key
from newsstand.sync.actions import use_app_password
from newsstand.sync.models import AppPassword

logger = logging.getLogger(__name__)

RATE_WINDOW_S = 60
# The limits of the site's own sign-in (allauth's "login_failed" in settings.ACCOUNT_RATE_LIMITS,
# "10/m/ip,5/5m/key"): failures per client address, and per account named, in their windows.
_LOGIN_FAILED = {r.per: r for r in parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])}
FAILED_SIGN_INS_PER_ADDRESS = _LOGIN_FAILED["ip"].amount
FAILED_SIGN_IN_ADDRESS_WINDOW_S = int(_LOGIN_FAILED["ip"].duration)
FAILED_SIGN_INS_PER_ACCOUNT = _LOGIN_FAILED["key"].amount
FAILED_SIGN_IN_ACCOUNT_WINDOW_S = int(_LOGIN_FAILED["key"].duration)


def rate_per_minute() -> int:
    return int(getattr(settings, "NEWSSTAND_SYNC_RATE_PER_MINUTE", 600))


@dataclass(frozen=True)
class Throttled:
    retry_after_s: int


def throttle(client: AppPassword) -> Throttled | None:
    """Count one call of `client` (one app password) in this minute; Throttled past the rate.

    A fixed window in the default cache: per process unless the cache is shared (Redis).
    """
    # The window opens with the client's first call and lasts RATE_WINDOW_S (the key's life).
    calls = count_one(f"sync:rate:{client.pk}", RATE_WINDOW_S, timeout_s=RATE_WINDOW_S)
    if calls > rate_per_minute():
        return Throttled(retry_after_s=RATE_WINDOW_S)
    return None


def _window_key(kind: str, who: str, window_s: int, now_s: float) -> tuple[str, int]:
    """The cache key counting `who`'s failures in the current window, and seconds left in it."""
    # Hashed: an email is whatever the caller sent, and some caches refuse odd keys.
    digest = hashlib.sha256(f"{kind}:{who}".encode()).hexdigest()[:32]
    return window_key(f"sync:signin:{kind}:{digest}", window_s, now_s)


def sign_in[T](
    request: HttpRequest,
    api: str,
    attempt: Callable[[bool], T | None],
    email: str | None = None,
) -> T | Throttled | None:
    """`attempt(may_hash)` unless this address (or the account `email` names) failed too often.

    Only for calls that offer a credential. Past the address's limit `attempt` is not called;
    past the account's it is called with may_hash=False (only a verdict already in the cache
    counts). A failure is counted for the address and the account, and logged with the address.
    """
    now_s = time.time()
    address = get_ip(request)
    address_key, address_left_s = _window_key(
        "address", address, FAILED_SIGN_IN_ADDRESS_WINDOW_S, now_s
    )
    account_key, account_left_s = "", 0
    if email is not None:
        account_key, account_left_s = _window_key(
            "account", email.strip().lower(), FAILED_SIGN_IN_ACCOUNT_WINDOW_S, now_s
        )
    # Both counts in one read (one round trip to a shared cache), on every call that signs in.
    failures = cache.get_many([k for k in (address_key, account_key) if k])
    if int(failures.get(address_key) or 0) >= FAILED_SIGN_INS_PER_ADDRESS:
        return Throttled(retry_after_s=address_left_s)
    account_over = bool(account_key) and (
        int(failures.get(account_key) or 0) >= FAILED_SIGN_INS_PER_ACCOUNT
    )
    found = attempt(not account_over)
    if found is not None:
        return found
    if count_one(address_key, FAILED_SIGN_IN_ADDRESS_WINDOW_S) == FAILED_SIGN_INS_PER_ADDRESS:
        # Once a window, when the limit is reached: the calls refused after it write nothing.
        logger.warning(
            "sync sign-in limited api=%s address=%s limit=%d window_s=%d",
            api,
            address,
            FAILED_SIGN_INS_PER_ADDRESS,
            FAILED_SIGN_IN_ADDRESS_WINDOW_S,
        )
    if account_key and not account_over:
        count_one(account_key, FAILED_SIGN_IN_ACCOUNT_WINDOW_S)
    # The address, not the email: an email is whatever the caller typed.
    logger.warning(
        "sync sign-in failed api=%s address=%s account_limited=%s", api, address, account_over
    )
    return Throttled(retry_after_s=account_left_s) if account_over else None


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(user, password) from `Authorization: Basic …`, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def basic_or_token(
    request: HttpRequest, token_header: str, api: str
) -> AppPassword | Throttled | None:
    """The app password sent as `token_header`, or as Basic auth with the reader's email.

    Throttled when this address or account failed too often (`sign_in`); None without
    credentials or with wrong ones.
    """
    token = request.headers.get(token_header, "").strip()
    if token:
        return sign_in(request, api, lambda may_hash: use_app_password(token, may_hash=may_hash))
    creds = basic_credentials(request)
    if creds is None:
        return None
    email, password = creds
    return sign_in(
        request,
        api,
        lambda may_hash: use_app_password(password, email=email, may_hash=may_hash),
        email=email,
    )
