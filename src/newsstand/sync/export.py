"""A reader's app passwords for the account data export (the export registry calls
`export_app_passwords`)."""

from __future__ import annotations

from typing import Any

from newsstand.sync.models import AppPassword


def export_app_passwords(user: Any) -> list[dict[str, Any]]:
    """Which apps can sign in as `user`, newest first: name and dates only. The hash, its lookup
    and the Fever key stay out, so a leaked export signs no app in."""
    rows = AppPassword.objects.filter(user=user).order_by("-created_at", "-pk")
    return [
        {
            "name": row.name,
            "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        }
        for row in rows
    ]
