"""A member's reads for the account data export (the export registry calls `export_reads`)."""

from __future__ import annotations

from typing import Any

from newsstand.ledger.models import FullRead


def export_reads(user: Any) -> list[dict[str, Any]]:
    """Every full read the ledger holds for `user`, oldest first, as JSON-ready dicts."""
    reads = (
        FullRead.objects.filter(user=user)
        .select_related("article", "publisher")
        .order_by("read_at", "id")
    )
    return [
        {
            "day": read.day.isoformat(),
            "read_at": read.read_at.isoformat(),
            "opened_at": read.opened_at.isoformat(),
            "how": read.via,
            # A read during the free trial is recorded but pays no publisher.
            "during_trial": read.trial,
            "publisher": read.publisher.name,
            "article_id": read.article_id,
            "article_title": read.article.title if read.article else None,
            "article_url": read.article.url if read.article else None,
        }
        for read in reads
    ]
