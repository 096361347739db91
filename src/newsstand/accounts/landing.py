"""Where a reader lands after signing up or in, when no `next` says otherwise.

Packages above accounts register a page for readers who still have a step to take, in their
AppConfig.ready() (For You registers Start reading for a new reader):

    from newsstand.accounts.landing import register_landing
    register_landing("foryou", start_url_if_pending)

`fn(user)` returns a URL or "" when it has nothing to ask; the first URL in registration order
wins. accounts stays below the packages it serves: it never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Landing = Callable[["User"], str]

_landings: dict[str, Landing] = {}


def register_landing(name: str, fn: Landing) -> None:
    """Ask `fn` where a signed-in reader should land; registering the same pair again is a no-op."""
    current = _landings.get(name)
    if current is not None and current is not fn:
        raise ValueError(f"a landing named {name!r} is already registered ({current!r})")
    _landings[name] = fn


def landing_url(user: User) -> str:
    """The first registered page this reader still has to see, or ""."""
    for fn in _landings.values():
        if url := fn(user):
            return url
    return ""
