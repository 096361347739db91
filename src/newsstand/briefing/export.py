"""The briefing part of a reader's data export (registered with accounts' exporter registry)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

PREFERENCE = ("enabled", "send_time", "time_zone", "schedule_since", "unsubscribed_at")
PREFERENCE_MORE = ("unsubscribed_via", "created_at")
DELIVERY = ("local_date", "state", "due_at", "sent_at", "attempts", "items")


def export_briefing(user: Any) -> dict[str, Any]:
    """The reader's briefing choice and every delivery on record, in one query (the user row
    left-joined to both: one row per delivery, or one row of nulls)."""
    pref_cols = [f"briefing_preference__{c}" for c in (*PREFERENCE, *PREFERENCE_MORE)]
    delivery_cols = [f"briefing_deliveries__{c}" for c in DELIVERY]
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .values("briefing_preference__id", *pref_cols, *delivery_cols)
        .order_by("briefing_deliveries__local_date")
    )
    preference = None
    if rows and rows[0]["briefing_preference__id"] is not None:
        first = rows[0]
        preference = {
            c: first[f"briefing_preference__{c}"] for c in (*PREFERENCE, *PREFERENCE_MORE)
        }
        preference["send_time"] = f"{preference['send_time']:%H:%M}"
    deliveries = [
        {c: row[f"briefing_deliveries__{c}"] for c in DELIVERY}
        for row in rows
        if row["briefing_deliveries__local_date"] is not None
    ]
    return {"preference": preference, "deliveries": deliveries}
