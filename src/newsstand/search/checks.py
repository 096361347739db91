"""Start-up check: the configured search backend speaks the configured database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.db import connection


@register("newsstand")
def check_search_backend(**kwargs: Any) -> list[Error]:
    from newsstand.search.backends import get_backend

    try:
        backend = get_backend()
    except ImportError as exc:
        return [
            Error(
                f"NEWSSTAND_SEARCH_BACKEND={settings.NEWSSTAND_SEARCH_BACKEND!r} cannot be "
                f"imported: {exc}",
                id="newsstand.search.E001",
            )
        ]
    if backend.vendor != connection.vendor:
        return [
            Error(
                f"NEWSSTAND_SEARCH_BACKEND={settings.NEWSSTAND_SEARCH_BACKEND!r} works with "
                f"{backend.vendor}, but the database is {connection.vendor}.",
                hint="Unset NEWSSTAND_SEARCH_BACKEND: settings.py picks the database's own.",
                id="newsstand.search.E002",
            )
        ]
    return []
