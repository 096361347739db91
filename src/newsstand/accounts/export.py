"""The "Download my data" registry: each package adds the part of a reader's data it owns.

A package registers once, in its AppConfig.ready():

    from newsstand.accounts.export import register_exporter
    register_exporter("membership", membership_export)

`fn(user)` returns what that part holds for the user, as JSON-ready values (datetimes, dates,
Decimals and UUIDs are fine too: the download is written with DjangoJSONEncoder). The export is
`{"exported_at": ..., "<name>": fn(user), ...}` in registration order (actions.export_user_data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Importable from any module, even before the app registry is ready: no models at import time.
Exporter = Callable[["User"], Any]

# Keys export_user_data writes itself; a part may not take them.
RESERVED_NAMES = frozenset({"exported_at", "format"})

_exporters: dict[str, Exporter] = {}


def register_exporter(name: str, fn: Exporter) -> None:
    """Add `fn`'s result to every export under `name`. Registering the same pair again is a
    no-op (a module imported twice); another function under a taken name is a mistake."""
    if not name or not name.isidentifier():
        raise ValueError(f"exporter name {name!r}: use a short identifier, e.g. 'membership'")
    if name in RESERVED_NAMES:
        raise ValueError(f"exporter name {name!r} is reserved")
    current = _exporters.get(name)
    if current is not None and current is not fn:
        raise ValueError(f"an exporter named {name!r} is already registered ({current!r})")
    _exporters[name] = fn


def unregister_exporter(name: str) -> None:
    """Remove a part (tests that register a temporary one)."""
    _exporters.pop(name, None)


def registered_exporters() -> dict[str, Exporter]:
    """The registered parts, in registration order (a copy)."""
    return dict(_exporters)


def export_account(user: User) -> dict[str, Any]:
    """The account's own part: its email address and when it was made and last used."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, primary=True).first()
    return {
        "email": address.email if address else user.email,
        "email_verified": bool(address and address.verified),
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }
