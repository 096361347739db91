"""For You's part of "Download my data": when the reader was offered Start reading."""

from __future__ import annotations

from typing import Any

from newsstand.foryou.models import Onboarding


def export_foryou(user: Any) -> dict[str, Any]:
    row = Onboarding.objects.filter(user_id=user.pk).first()
    if row is None:
        return {"start_reading": None}
    return {"start_reading": {"offered_at": row.created_at, "seen_at": row.started_at}}
