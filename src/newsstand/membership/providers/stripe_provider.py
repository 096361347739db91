"""Stripe: Checkout for subscribing, the customer portal for managing, webhooks for state.

Webhook events are verified with Stripe's own signature check, translated into a neutral
ProviderUpdate here (pure); the webhook view hands it to membership.actions, which apply it
(idempotent, order-independent). This module never changes a membership itself.
Both the old (subscription.current_period_end, invoice.subscription) and the current
(items' current_period_end, invoice.parent.subscription_details) payload shapes are read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings

from newsstand.membership.models import Membership
from newsstand.membership.plans import Plan, plan_for_stripe_price
from newsstand.membership.providers.base import (
    CheckoutUnavailable,
    PaymentFacts,
    PaymentProvider,
    ProviderUpdate,
    SubscriptionCancelFailed,
    WebhookRejected,
)

log = logging.getLogger(__name__)

State = Membership.State

PROVIDER = "stripe"
# Stripe refuses a trial_end less than 48 hours ahead; a shorter rest of our trial is dropped.
MIN_TRIAL_END_S = 49 * 3600
# Network retries on Checkout, portal and cancel calls (Stripe makes them idempotent).
MAX_NETWORK_RETRIES = 2
# Every call runs while a reader waits (checkout, the portal, the delete page): with the retries
# and their backoff (0.5-1 s, then 1 s) a Stripe that never answers costs about 3 x 5 + 2 = 17 s,
# inside a worker's usual 30 s, instead of the SDK's 80 s a try.
API_TIMEOUT_S = 5.0
CANCEL_TIMEOUT_S = API_TIMEOUT_S

# Stripe subscription status → membership state ("" = nothing changes for us).
STATUS_TO_STATE: dict[str, str] = {
    "active": State.ACTIVE,
    "trialing": State.ACTIVE,
    "past_due": State.PAST_DUE,
    "unpaid": State.CANCELED,
    "paused": State.CANCELED,
    "canceled": State.CANCELED,
    "incomplete": "",
    "incomplete_expired": "",
}

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
}


class StripeProvider(PaymentProvider):
    name = PROVIDER
    label = "Stripe"

    def _client(self, *, timeout_s: float = API_TIMEOUT_S) -> stripe.StripeClient:
        key = settings.NEWSSTAND_STRIPE_SECRET_KEY
        if not key:
            raise CheckoutUnavailable("Stripe is not configured: set NEWSSTAND_STRIPE_SECRET_KEY")
        base = settings.NEWSSTAND_STRIPE_API_BASE or None
        return stripe.StripeClient(
            key,
            base_addresses={"api": base} if base else None,
            max_network_retries=MAX_NETWORK_RETRIES,
            # requests is a dependency of the stripe SDK, and its default client.
            http_client=stripe.RequestsClient(timeout=timeout_s),
        )

    def start_checkout(
        self, user: Any, plan: Plan, *, membership: Membership, return_url: str
    ) -> str:
        if not plan.stripe_price_id:
            env = f"NEWSSTAND_STRIPE_PRICE_{plan.key.upper()}"
            raise CheckoutUnavailable(f"The {plan.name} plan has no Stripe price: set {env}")
        metadata = {"user_id": str(user.pk), "plan": plan.key}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "client_reference_id": str(user.pk),
            "success_url": f"{return_url}?checkout=success",
            "cancel_url": f"{return_url}?checkout=canceled",
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
        if membership.provider_customer_id:
            params["customer"] = membership.provider_customer_id
        elif user.email:
            params["customer_email"] = user.email
        trial_end = _trial_end_for_checkout(membership)
        if trial_end is not None:
            # Subscribing during the free trial starts billing when the trial would have ended.
            params["subscription_data"]["trial_end"] = trial_end
        try:
            session = self._client().v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]  # a plain dict of Stripe's documented params
        except stripe.StripeError as exc:
            log.error("stripe checkout failed user_id=%s plan=%s: %s", user.pk, plan.key, exc)
            raise CheckoutUnavailable(f"Stripe could not start checkout: {exc}") from exc
        if not session.url:
            raise CheckoutUnavailable("Stripe returned a checkout session without a URL")
        log.info(
            "stripe checkout started user_id=%s plan=%s session=%s", user.pk, plan.key, session.id
        )
        return str(session.url)

    def portal_url(self, user: Any, *, membership: Membership, return_url: str) -> str | None:
        if not membership.provider_customer_id:
            return None
        try:
            session = self._client().v1.billing_portal.sessions.create(
                params={"customer": membership.provider_customer_id, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            log.error("stripe portal failed user_id=%s: %s", user.pk, exc)
            raise CheckoutUnavailable(f"Stripe could not open the billing portal: {exc}") from exc
        return str(session.url)

    def cancel_subscription(self, membership: Membership) -> None:
        """Cancel now (DELETE /v1/subscriptions/<id>): no further invoice, no proration.

        Stripe answers 404 resource_missing for a subscription that is already canceled (or
        never existed in this account): nothing bills it, so that counts as done.
        """
        sub_id = membership.provider_subscription_id
        if not sub_id:
            return
        try:
            client = self._client(timeout_s=CANCEL_TIMEOUT_S)
        except CheckoutUnavailable as exc:
            raise SubscriptionCancelFailed(self.label, sub_id, str(exc)) from exc
        try:
            client.v1.subscriptions.cancel(sub_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404 and exc.code == "resource_missing":
                log.info(
                    "stripe subscription already gone user_id=%s subscription=%s",
                    membership.user_id,
                    sub_id,
                )
                return
            raise self._cancel_failed(membership, exc) from exc
        except stripe.StripeError as exc:
            raise self._cancel_failed(membership, exc) from exc
        log.info(
            "stripe subscription canceled user_id=%s subscription=%s",
            membership.user_id,
            sub_id,
        )

    def _cancel_failed(
        self, membership: Membership, exc: stripe.StripeError
    ) -> SubscriptionCancelFailed:
        sub_id = membership.provider_subscription_id
        log.error(
            "stripe cancel failed user_id=%s subscription=%s status=%s request=%s: %r",
            membership.user_id,
            sub_id,
            exc.http_status,
            exc.request_id,
            exc,
        )
        return SubscriptionCancelFailed(self.label, sub_id, _cancel_reason(exc))

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderUpdate:
        secret = settings.NEWSSTAND_STRIPE_WEBHOOK_SECRET
        if not secret:
            log.error("stripe webhook refused: NEWSSTAND_STRIPE_WEBHOOK_SECRET is not set")
            raise WebhookRejected(400, "webhook secret not configured")
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature")
        try:
            event = stripe.Webhook.construct_event(body.decode("utf-8"), signature, secret)
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
            log.warning(
                "stripe webhook signature check failed (bad or missing Stripe-Signature header, "
                "or the wrong NEWSSTAND_STRIPE_WEBHOOK_SECRET): %s",
                exc,
            )
            raise WebhookRejected(400, "invalid signature") from exc
        try:
            update = parse_event(json.loads(body))
        except (KeyError, TypeError, ValueError) as exc:
            log.error("stripe webhook malformed event=%s: %s", getattr(event, "id", "?"), exc)
            raise WebhookRejected(400, f"malformed event: {exc}") from exc
        return update


def _cancel_reason(exc: stripe.StripeError) -> str:
    """What went wrong, in one clause a reader can be shown; the full error goes to the log."""
    if isinstance(exc, stripe.APIConnectionError):
        # The SDK's own text is several lines addressed to developers.
        return "Stripe could not be reached or did not answer in time"
    detail = (exc.user_message or "").strip().rstrip(".") or type(exc).__name__
    if exc.http_status:
        return f"Stripe answered {exc.http_status} ({detail})"
    return f"Stripe refused it ({detail})"


def _trial_end_for_checkout(membership: Membership) -> int | None:
    if membership.state != State.TRIAL or membership.trial_ends_at is None:
        return None
    end = int(membership.trial_ends_at.timestamp())
    if end - datetime.now(UTC).timestamp() < MIN_TRIAL_END_S:
        return None
    return end


# Translating events (pure) -----------------------------------------------------------------


def _ts(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _id(value: Any) -> str:
    """An expandable field: an id string, or the expanded object carrying one."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _user_id(*candidates: Any) -> int | None:
    for value in candidates:
        if value not in (None, ""):
            try:
                return int(value)
            except (TypeError, ValueError):
                continue
    return None


def _subscription_period_end(sub: Mapping[str, Any]) -> datetime | None:
    ends = [
        item.get("current_period_end")
        for item in (sub.get("items") or {}).get("data") or []
        if item.get("current_period_end")
    ]
    if ends:
        return _ts(max(ends))
    if sub.get("current_period_end"):
        return _ts(sub["current_period_end"])
    return _ts(sub.get("trial_end")) if sub.get("status") == "trialing" else None


def _subscription_plan(sub: Mapping[str, Any]) -> str:
    for item in (sub.get("items") or {}).get("data") or []:
        plan = plan_for_stripe_price(_id((item.get("price") or {}).get("id")))
        if plan is not None:
            return plan.key
    return str((sub.get("metadata") or {}).get("plan") or "")


def _invoice_subscription(invoice: Mapping[str, Any]) -> str:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(details.get("subscription") or invoice.get("subscription"))


def _invoice_period_end(invoice: Mapping[str, Any]) -> datetime | None:
    ends = [
        int(end)
        for line in (invoice.get("lines") or {}).get("data") or []
        if (end := (line.get("period") or {}).get("end"))
    ]
    return _ts(max(ends)) if ends else None


def parse_event(event: Mapping[str, Any]) -> ProviderUpdate:
    """One Stripe event (as JSON) → what it means for a membership."""
    event_type = str(event["type"])
    obj: Mapping[str, Any] = event["data"]["object"]
    base: dict[str, Any] = {
        "provider": PROVIDER,
        "event_id": str(event["id"]),
        "event_type": event_type,
        "created": _ts(event["created"]),
    }
    if event_type == "checkout.session.completed":
        if obj.get("mode") != "subscription":
            return ProviderUpdate(kind="ignored", **base)
        metadata = obj.get("metadata") or {}
        return ProviderUpdate(
            kind="checkout_completed",
            user_id=_user_id(obj.get("client_reference_id"), metadata.get("user_id")),
            customer_id=_id(obj.get("customer")),
            subscription_id=_id(obj.get("subscription")),
            plan=str(metadata.get("plan") or ""),
            **base,
        )
    if event_type in SUBSCRIPTION_EVENTS:
        status = str(obj.get("status") or "")
        if event_type == "customer.subscription.deleted":
            status = "canceled"
        return ProviderUpdate(
            kind="subscription",
            user_id=_user_id((obj.get("metadata") or {}).get("user_id")),
            customer_id=_id(obj.get("customer")),
            subscription_id=str(obj["id"]),
            target_state=STATUS_TO_STATE.get(status, ""),
            provider_status=status,
            period_end=_subscription_period_end(obj),
            plan=_subscription_plan(obj),
            **base,
        )
    if event_type in ("invoice.paid", "invoice.payment_failed"):
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        payment = None
        if event_type == "invoice.paid":
            paid_at = _ts((obj.get("status_transitions") or {}).get("paid_at")) or base["created"]
            payment = PaymentFacts(
                payment_id=str(obj["id"]),
                amount_minor=int(obj.get("amount_paid") or 0),
                currency=str(obj.get("currency") or settings.NEWSSTAND_CURRENCY).upper(),
                paid_at=paid_at,
                description=str(obj.get("number") or obj.get("description") or ""),
            )
        return ProviderUpdate(
            kind="invoice_paid" if event_type == "invoice.paid" else "payment_failed",
            user_id=_user_id((details.get("metadata") or {}).get("user_id")),
            customer_id=_id(obj.get("customer")),
            subscription_id=_invoice_subscription(obj),
            period_end=_invoice_period_end(obj),
            payment=payment,
            **base,
        )
    return ProviderUpdate(kind="ignored", **base)
