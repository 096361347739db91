"""The reader's part of "Download my data": saved articles, reading history, follows and mutes."""

from __future__ import annotations

from typing import Any

from newsstand.personal.models import Follow, ReadingHistory, SavedArticle


def _article(article: Any) -> dict[str, Any]:
    return {"id": article.pk, "title": article.title, "url": article.url}


def export_personal(user: Any) -> dict[str, Any]:
    saved = SavedArticle.objects.filter(user=user).select_related("article").order_by("saved_at")
    history = (
        ReadingHistory.objects.filter(user=user).select_related("article").order_by("first_read_at")
    )
    follows = Follow.objects.filter(user=user).order_by("created_at")
    return {
        "saved": [{"saved_at": s.saved_at, "article": _article(s.article)} for s in saved],
        "history": [
            {
                "first_read_at": h.first_read_at,
                "last_read_at": h.last_read_at,
                "read_count": h.read_count,
                "article": _article(h.article),
            }
            for h in history
        ],
        "following": [
            {
                "kind": f.kind,
                "key": f.key,
                "label": f.label,
                "muted": f.muted,
                "since": f.created_at,
            }
            for f in follows
        ],
    }
