"""State changes of search. The index follows articles by itself (database triggers, see
backends/); these are for operators: after a restore, a bulk load with triggers off, or a check
that reported problems."""

from __future__ import annotations

from newsstand.search.backends import get_backend


def rebuild_index() -> int:
    """Index every article again; returns how many. Safe to run while the site serves."""
    return get_backend().rebuild()


def repair_index() -> bool:
    """Put back triggers a schema change dropped, rebuilding if it had to; True when it did."""
    return get_backend().ensure_index()
