"""export_membership(user): everything about a reader's membership, JSON-ready."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsstand.membership import actions
from newsstand.membership.export import export_membership
from newsstand.membership.models import Payment
from tests.membership.conftest import make_user

pytestmark = pytest.mark.django_db

T = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_export_has_state_trail_and_payments_and_serialises() -> None:
    user = make_user("export@example.org")
    staff = make_user("staff@example.org", is_staff=True)
    actions.start_trial(user, now=T)
    actions.grant_membership(user, 30, staff, now=T)
    Payment.objects.create(
        user=user,
        amount_minor=1299,
        currency="USD",
        paid_at=T,
        provider="stripe",
        provider_payment_id="in_1",
    )
    other = make_user("other@example.org")
    Payment.objects.create(
        user=other,
        amount_minor=1,
        currency="USD",
        paid_at=T,
        provider="stripe",
        provider_payment_id="in_2",
    )
    data = export_membership(user)
    json.dumps(data)  # JSON-ready
    assert data["membership"]["state"] == "active"
    assert data["membership"]["trial_ends_at"] == "2026-12-12T10:00:00+00:00"
    assert data["membership"]["paid_until"] == "2027-01-11T10:00:00+00:00"
    assert [(e["from_state"], e["to_state"]) for e in data["events"]] == [
        ("", "registered"),
        ("registered", "trial"),
        ("trial", "active"),
    ]
    assert data["events"][-1]["by_staff"] is True
    assert "staff@example.org" not in json.dumps(data["events"][:2])
    assert [p["provider_payment_id"] for p in data["payments"]] == ["in_1"]


def test_export_of_a_user_without_membership() -> None:
    assert export_membership(make_user()) == {
        "membership": None,
        "events": [],
        "reminders": [],
        "payments": [],
    }
