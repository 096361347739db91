"""Manual payments: no payment integration; the operator grants memberships (staff page, admin,
`newsstand members grant`). Checkout explains that to the reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from newsstand.membership.models import Membership
from newsstand.membership.plans import Plan
from newsstand.membership.providers.base import PaymentProvider, ProviderUpdate, WebhookRejected


class ManualProvider(PaymentProvider):
    name = "manual"
    label = "manual payments"

    def start_checkout(
        self, user: Any, plan: Plan, *, membership: Membership, return_url: str
    ) -> str:
        return f"{reverse('membership:manual_checkout')}?plan={plan.key}"

    def portal_url(self, user: Any, *, membership: Membership, return_url: str) -> str | None:
        return None

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        raise WebhookRejected(404, "payments are manual: there is no webhook")

    def cancel_subscription(self, membership: Membership) -> None:
        # Nothing bills a manual member: staff grant periods, which simply run out.
        return None
