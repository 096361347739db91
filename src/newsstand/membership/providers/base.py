"""The payment provider interface, and what a provider's webhook tells us in neutral terms.

One provider is in use at a time (settings.NEWSSTAND_PAYMENT_PROVIDER): `manual` (staff grant
memberships, the default) or `stripe`; callers find it with `get_provider()`.

A provider translates and makes API calls; it never changes a membership. Its webhook deliveries
become `ProviderUpdate`s, which the webhook view hands to membership.actions; the actions ask the
provider to cancel a subscription when one must end. So nothing here imports membership.actions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from newsstand.membership.models import Membership
    from newsstand.membership.plans import Plan


class CheckoutUnavailable(Exception):
    """Checkout or the billing portal cannot start; the message says why, for the log and page."""


class SubscriptionCancelFailed(Exception):
    """The provider could not confirm a subscription is canceled, so billing may go on.

    `provider_label` names the provider for people ("Stripe"); `reason` says what went wrong in
    one clause a reader can be shown (no trailing full stop).
    """

    def __init__(self, provider_label: str, subscription_id: str, reason: str) -> None:
        super().__init__(
            f"{provider_label} subscription {subscription_id or '(none)'} not canceled: {reason}"
        )
        self.provider_label = provider_label
        self.subscription_id = subscription_id
        self.reason = reason


class WebhookRejected(Exception):
    """A webhook delivery refused before anything was applied: answer `status` with `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status to answer the provider with
        self.message = message


@dataclass(frozen=True)
class PaymentFacts:
    payment_id: str  # the provider's id (an invoice id): unique, so a replay records nothing
    amount_minor: int
    currency: str
    paid_at: datetime
    description: str = ""


@dataclass(frozen=True)
class ProviderUpdate:
    """One verified provider event, translated: what it says about whom.

    kind: checkout_completed | subscription | invoice_paid | payment_failed | ignored.
    target_state (subscription events): the membership state the provider's status maps to,
    or "" when the status changes nothing for us (incomplete checkout).
    """

    provider: str
    event_id: str
    event_type: str
    created: datetime
    kind: str
    user_id: int | None = None
    customer_id: str = ""
    subscription_id: str = ""
    target_state: str = ""
    provider_status: str = ""
    period_end: datetime | None = None
    plan: str = ""
    payment: PaymentFacts | None = None


class PaymentProvider(ABC):
    name: str
    label: str  # the provider's name for people, in messages ("Stripe")

    @abstractmethod
    def start_checkout(
        self, user: Any, plan: Plan, *, membership: Membership, return_url: str
    ) -> str:
        """Where to send the reader to pay for `plan`; raises CheckoutUnavailable.

        `membership` is the reader's row; `return_url` is the absolute URL of the membership page
        the provider sends them back to.
        """

    @abstractmethod
    def portal_url(self, user: Any, *, membership: Membership, return_url: str) -> str | None:
        """Where the reader manages their subscription (card, cancel), or None if nowhere."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        """Verify one webhook delivery and translate it; raises WebhookRejected.

        Pure translation: applying the update is membership.actions' job.
        """

    @abstractmethod
    def cancel_subscription(self, membership: Membership) -> None:
        """End `membership`'s subscription at once, so the provider bills nothing more.

        Returns only once the provider has confirmed it (or says there is nothing left to
        cancel); raises SubscriptionCancelFailed otherwise. Abstract on purpose: every provider
        must decide what cancelling means for it, or deleting an account could leave billing on.
        """


# Chosen by NEWSSTAND_PAYMENT_PROVIDER; named, not imported, so this interface never depends on
# the providers that implement it (and Stripe's SDK loads only where Stripe is used).
PROVIDERS = {
    "manual": "newsstand.membership.providers.manual.ManualProvider",
    "stripe": "newsstand.membership.providers.stripe_provider.StripeProvider",
}


def get_provider() -> PaymentProvider:
    name = settings.NEWSSTAND_PAYMENT_PROVIDER
    if name not in PROVIDERS:
        raise ImproperlyConfigured(
            f"NEWSSTAND_PAYMENT_PROVIDER={name!r}: expected {' or '.join(PROVIDERS)}"
        )
    provider: PaymentProvider = import_string(PROVIDERS[name])()
    return provider
