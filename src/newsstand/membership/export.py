"""The membership part of a reader's data export (registered with accounts' exporter registry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from newsstand.membership.access import user_membership
from newsstand.membership.models import Payment
from newsstand.membership.status import describe


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_membership(user: Any) -> dict[str, Any]:
    """Everything Newsstand keeps about a reader's membership, as JSON-ready values."""
    membership = user_membership(user)
    payments = [
        {
            "paid_at": _iso(p.paid_at),
            "amount_minor": p.amount_minor,
            "currency": p.currency,
            "provider": p.provider,
            "provider_payment_id": p.provider_payment_id,
            "description": p.description,
        }
        for p in Payment.objects.filter(user=user).order_by("paid_at")
    ]
    if membership is None:
        return {"membership": None, "events": [], "reminders": [], "payments": payments}
    status = describe(membership, timezone.now())
    return {
        "membership": {
            "state": membership.state,
            "summary": status.summary,
            "trial_started_at": _iso(membership.trial_started_at),
            "trial_ends_at": _iso(membership.trial_ends_at),
            "paid_until": _iso(membership.paid_until),
            "plan": membership.plan,
            "provider": membership.provider,
            "provider_customer_id": membership.provider_customer_id,
            "provider_subscription_id": membership.provider_subscription_id,
            "created_at": _iso(membership.created_at),
        },
        "events": [
            {
                "at": _iso(e.at),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "by_staff": e.actor_id is not None,
            }
            for e in membership.events.order_by("at", "pk")
        ],
        "reminders": [
            {"kind": r.kind, "sent_at": _iso(r.sent_at)}
            for r in membership.reminders.order_by("sent_at")
        ],
        "payments": payments,
    }
