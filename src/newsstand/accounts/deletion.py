"""Steps that must succeed before an account is deleted: each package ends what it started.

Most of a reader's rows go with the user by cascade. Some things live outside our database and
do not: a subscription a payment provider keeps billing. A package registers a step once, in
its AppConfig.ready():

    from newsstand.accounts.deletion import register_deletion_step
    register_deletion_step("membership", end_billing_for_deletion)

`fn(user)` runs before the user is deleted and outside any transaction (it may wait on the
network). Raising DeletionBlocked stops the deletion with nothing deleted; its message is shown
to the reader as it is. Steps run in registration order and must be safe to run again (the
reader retries after a failure, and a step before the failing one has already run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Importable from any module, even before the app registry is ready: no models at import time.
DeletionStep = Callable[["User"], object]

_steps: dict[str, DeletionStep] = {}


class DeletionBlocked(Exception):
    """A step could not finish, so the account must stay; the message is for the reader."""


def register_deletion_step(name: str, fn: DeletionStep) -> None:
    """Run `fn(user)` before every account deletion. Registering the same pair again is a no-op
    (a module imported twice); another function under a taken name is a mistake."""
    if not name or not name.isidentifier():
        raise ValueError(f"deletion step name {name!r}: use a short identifier, e.g. 'membership'")
    current = _steps.get(name)
    if current is not None and current is not fn:
        raise ValueError(f"a deletion step named {name!r} is already registered ({current!r})")
    _steps[name] = fn


def unregister_deletion_step(name: str) -> None:
    """Remove a step (tests that register a temporary one)."""
    _steps.pop(name, None)


def registered_deletion_steps() -> dict[str, DeletionStep]:
    """The registered steps, in registration order (a copy)."""
    return dict(_steps)
