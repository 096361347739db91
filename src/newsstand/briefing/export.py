"""The briefing part of a reader's data export (registered with accounts' exporter registry)."""

from __future__ import annotations

from typing import Any

from newsstand.briefing.models import BriefingDelivery, BriefingPreference


def export_briefing(user: Any) -> dict[str, Any]:
    """The reader's briefing choice and every delivery on record."""
    pref = BriefingPreference.objects.filter(user=user).first()
    preference = None
    if pref is not None:
        preference = {
            "enabled": pref.enabled,
            "send_time": f"{pref.send_time:%H:%M}",
            "time_zone": pref.time_zone,
            "schedule_since": pref.schedule_since,
            "unsubscribed_at": pref.unsubscribed_at,
            "unsubscribed_via": pref.unsubscribed_via,
            "created_at": pref.created_at,
        }
    deliveries = [
        {
            "local_date": d.local_date,
            "state": d.state,
            "due_at": d.due_at,
            "sent_at": d.sent_at,
            "attempts": d.attempts,
            "items": d.items,
        }
        for d in BriefingDelivery.objects.filter(user=user).order_by("local_date")
    ]
    return {"preference": preference, "deliveries": deliveries}
