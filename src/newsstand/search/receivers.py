"""Search's listeners (connected in SearchConfig.ready)."""

from __future__ import annotations

from typing import Any

from newsstand.search.backends import get_backend


def ensure_index_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a migration that rebuilds the articles table (SQLite copies a table to
    alter it) drops the triggers that keep the index in step; put them back."""
    from django.db import connections

    from newsstand.search.actions import repair_index

    using = kwargs.get("using", "default")
    if connections[using].vendor == get_backend().vendor:
        repair_index()
