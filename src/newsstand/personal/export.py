"""The reader's part of "Download my data" (accounts.export): saved, history, following."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsstand.personal.models import Follow, ReadingHistory, SavedArticle

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def export_saved(user: User) -> list[dict[str, Any]]:
    rows = (
        SavedArticle.objects.filter(user=user)
        .order_by("-saved_at")
        .values("saved_at", "article_id", "article__title", "article__url")
    )
    return [
        {
            "saved_at": r["saved_at"],
            "article_id": r["article_id"],
            "title": r["article__title"],
            "url": r["article__url"],
        }
        for r in rows
    ]


def export_history(user: User) -> list[dict[str, Any]]:
    rows = (
        ReadingHistory.objects.filter(user=user)
        .order_by("-last_read_at")
        .values(
            "first_read_at",
            "last_read_at",
            "read_count",
            "article_id",
            "article__title",
            "article__url",
        )
    )
    return [
        {
            "first_read_at": r["first_read_at"],
            "last_read_at": r["last_read_at"],
            "read_count": r["read_count"],
            "article_id": r["article_id"],
            "title": r["article__title"],
            "url": r["article__url"],
        }
        for r in rows
    ]


def export_following(user: User) -> list[dict[str, Any]]:
    rows = Follow.objects.filter(user=user).order_by("muted", "kind", "label", "id")
    return [
        {
            "kind": f.kind,
            "key": f.key,
            "name": f.label,
            "muted": f.muted,
            "since": f.created_at,
        }
        for f in rows
    ]
