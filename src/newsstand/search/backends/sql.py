"""SQL the backends share: the filters, written against `articles_article AS a`."""

from __future__ import annotations

from typing import Any

from django.db import connection

from newsstand.search.backends import SearchFilters

# When an article has no publication date, its fetch time stands in (ranking and dates).
ARTICLE_TIME = "COALESCE(a.published_at, a.fetched_at)"


def filter_clauses(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE clauses and their parameters for `filters` (none for an inactive filter)."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.publisher_id:
        clauses.append("a.publisher_id = %s")
        params.append(filters.publisher_id)
    if filters.section:
        clauses.append("LOWER(a.section) = LOWER(%s)")
        params.append(filters.section)
    if filters.language:
        # "en" is the reader's choice; articles say "en", "en-GB" or "en_US".
        clauses.append(
            "(LOWER(REPLACE(a.language, '_', '-')) = %s"
            " OR LOWER(REPLACE(a.language, '_', '-')) LIKE %s)"
        )
        params += [filters.language.lower(), filters.language.lower() + "-%"]
    if filters.since:
        clauses.append(f"{ARTICLE_TIME} >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.since))
    if filters.until:
        clauses.append(f"{ARTICLE_TIME} < %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.until))
    return clauses, params
