"""Read side of metering: the month a read counts against and a user's state for one article."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from newsstand.gate.models import MeteredRead
from newsstand.gate.policy import METER_OFF, MeterState, Viewer


def free_articles_a_month() -> int:
    return max(0, int(getattr(settings, "NEWSSTAND_METERED_FREE_ARTICLES", 0)))


def month_of(now: datetime) -> date:
    """The first day of `now`'s calendar month in the site's time zone."""
    return timezone.localdate(now).replace(day=1)


def meter_state(viewer: Viewer, user: Any, article_id: int, now: datetime) -> MeterState:
    """The meter for a signed-in non-member, in one query; METER_OFF for anyone else."""
    limit = free_articles_a_month()
    if limit <= 0 or not viewer.signed_in or viewer.full_access:
        return METER_OFF
    counts = MeteredRead.objects.filter(user=user, month=month_of(now)).aggregate(
        used=Count("id"), this=Count("id", filter=Q(article_id=article_id))
    )
    return MeterState(limit=limit, used=counts["used"], already_read=counts["this"] > 0)
