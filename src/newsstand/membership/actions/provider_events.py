"""Applying what a payment provider's webhook says: each event at most once, never letting an
older event undo a newer state, and cancelling a subscription whose account is gone.

The provider only translates its events (`ProviderUpdate`) and makes API calls when asked; the
webhook view hands each update to `apply_provider_update`. A cancellation goes to the provider in
use (`get_provider()`), after the event is recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsstand.fields import fit
from newsstand.membership.actions.persistence import ensure_membership, persist_change
from newsstand.membership.models import Membership, Payment, ProviderEvent
from newsstand.membership.plans import UnknownPlan, get_plan
from newsstand.membership.providers.base import (
    ProviderUpdate,
    SubscriptionCancelFailed,
    get_provider,
)
from newsstand.membership.transitions import (
    Change,
    Facts,
    IllegalTransition,
    ProviderRef,
    decide_activate,
    decide_cancel,
    decide_mark_past_due,
    is_stale,
)

log = logging.getLogger(__name__)

State = Membership.State


@dataclass(frozen=True)
class ProviderOutcome:
    replay: bool
    outcome: str


def _is_orphaned_subscription(update: ProviderUpdate) -> bool:
    """A live subscription our checkout created (it names our user) for a user who is gone:
    the account was deleted between checkout and this event, and nothing else would stop the
    billing. A subscription without our user id (made in the provider's dashboard, say) is
    never touched."""
    return (
        update.kind == "subscription"
        and bool(update.subscription_id)
        and update.user_id is not None
        and update.target_state in {Membership.State.ACTIVE, Membership.State.PAST_DUE}
        and not get_user_model().objects.filter(pk=update.user_id).exists()
    )


def cancel_orphaned_subscription(update: ProviderUpdate) -> bool:
    """Cancel a subscription whose account was deleted (see `_is_orphaned_subscription`).

    True once the provider confirmed it. A failure is logged as an error for the operator (the
    webhook was answered already; the provider's next event for it tries again).
    """
    if update.user_id is None:
        return False  # not one of ours: never cancelled
    provider = get_provider()
    if provider.name != update.provider:
        log.error(
            "orphaned subscription not cancelled provider=%s subscription=%s: "
            "NEWSSTAND_PAYMENT_PROVIDER is %s",
            update.provider,
            update.subscription_id,
            provider.name,
        )
        return False
    stand_in = Membership(
        user_id=update.user_id,
        provider=update.provider,
        provider_customer_id=update.customer_id,
        provider_subscription_id=update.subscription_id,
    )
    try:
        provider.cancel_subscription(stand_in)
    except SubscriptionCancelFailed as exc:
        log.error(
            "orphaned subscription not cancelled provider=%s subscription=%s user_id=%s: %s",
            update.provider,
            update.subscription_id,
            update.user_id,
            exc.reason,
        )
        return False
    log.warning(
        "orphaned subscription cancelled provider=%s subscription=%s deleted user_id=%s",
        update.provider,
        update.subscription_id,
        update.user_id,
    )
    return True


def apply_provider_update(update: ProviderUpdate, now: datetime | None = None) -> ProviderOutcome:
    """Apply one verified provider event, at most once (its id is recorded in the same
    transaction), and never letting an older event undo a newer state."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProviderEvent.objects.create(
                    provider=update.provider,
                    event_id=update.event_id,
                    event_type=fit(ProviderEvent, "event_type", update.event_type),
                    created_at=update.created,
                    received_at=now,
                )
        except IntegrityError:
            log.info(
                "provider event replayed provider=%s event=%s type=%s",
                update.provider,
                update.event_id,
                update.event_type,
            )
            return ProviderOutcome(replay=True, outcome="already processed")
        outcome = _apply_update(update, now)
        record.outcome = fit(ProviderEvent, "outcome", outcome)
        record.save(update_fields=["outcome"])
    log.info(
        "provider event provider=%s event=%s type=%s outcome=%r",
        update.provider,
        update.event_id,
        update.event_type,
        outcome,
    )
    return ProviderOutcome(replay=False, outcome=outcome)


def _find_membership(update: ProviderUpdate, now: datetime) -> Membership | None:
    """The member an event is about: by our user id (sent to the provider at checkout), else by
    the provider's subscription, else its customer."""
    locked = Membership.objects.select_for_update().select_related("user")
    if update.user_id is not None:
        user = get_user_model().objects.filter(pk=update.user_id).first()
        if user is not None:
            # The event's own time: a row created here must not sort after the change made from it.
            ensure_membership(user, now=now)
            return locked.get(user=user)
    if update.subscription_id:
        found = locked.filter(provider_subscription_id=update.subscription_id).first()
        if found is not None:
            return found
    if update.customer_id:
        return locked.filter(provider_customer_id=update.customer_id).first()
    return None


def _record_payment(update: ProviderUpdate, membership: Membership | None) -> str:
    payment = update.payment
    if payment is None:
        return ""
    _, created = Payment.objects.get_or_create(
        provider_payment_id=payment.payment_id,
        defaults={
            "user": membership.user if membership else None,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency.upper(),
            "paid_at": payment.paid_at,
            "provider": update.provider,
            "description": fit(Payment, "description", payment.description),
        },
    )
    return "payment recorded" if created else "payment already recorded"


def _apply_update(update: ProviderUpdate, now: datetime) -> str:
    if update.kind == "ignored":
        return f"ignored: {update.event_type} is not an event Newsstand uses"
    membership = _find_membership(update, now)
    paid = _record_payment(update, membership)
    if membership is None:
        log.warning(
            "provider event for no known member provider=%s event=%s customer=%s",
            update.provider,
            update.event_id,
            update.customer_id or "-",
        )
        orphan = ""
        if _is_orphaned_subscription(update):
            # Once this event is on the books: the provider call is no part of the transaction.
            transaction.on_commit(lambda: cancel_orphaned_subscription(update))
            orphan = "subscription of a deleted account: cancelling it"
        return "; ".join(filter(None, [paid, "no member for this customer", orphan]))
    try:
        outcome = _apply_to_membership(update, membership, now)
    except IllegalTransition as exc:
        log.warning(
            "provider event not applied provider=%s event=%s user_id=%s: %s",
            update.provider,
            update.event_id,
            membership.user_id,
            exc,
        )
        outcome = f"not applied: {exc}"
    return "; ".join(filter(None, [paid, outcome]))


def _apply_to_membership(update: ProviderUpdate, membership: Membership, now: datetime) -> str:
    facts = Facts.of(membership)
    ref = ProviderRef(
        provider=update.provider,
        customer_id=update.customer_id,
        subscription_id=update.subscription_id,
        state_at=update.created,
    )

    def persist(change: Change | None) -> str:
        persist_change(membership, change, now, provider_event_id=update.event_id)
        return f"{change.before.state} → {change.after.state}" if change else "no change"

    if update.kind == "checkout_completed":
        return persist(_decide_checkout(update, facts, now))

    same_subscription = facts.provider_subscription_id == update.subscription_id
    if update.kind == "subscription":
        other_subscription = bool(facts.provider_subscription_id) and not same_subscription
        if other_subscription and update.target_state != State.ACTIVE:
            return "ignored: not the member's current subscription"
        ended = same_subscription and facts.state == State.CANCELED
        if ended and update.target_state != State.CANCELED:
            return "ignored: this subscription has already ended"
        if is_stale(facts, update.created, first_of_its_kind=update.event_type.endswith("created")):
            return "stale: a newer state is already applied"
        if update.target_state == State.ACTIVE:
            return persist(
                decide_activate(
                    facts,
                    now,
                    paid_until=update.period_end,
                    plan=update.plan,
                    ref=ref,
                    reason=f"subscription {update.provider_status}",
                )
            )
        if update.target_state == State.PAST_DUE:
            return persist(decide_mark_past_due(facts, ref=ref))
        if update.target_state == State.CANCELED:
            reason = f"subscription {update.provider_status or 'canceled'}"
            return persist(decide_cancel(facts, ref=ref, reason=reason))
        return f"no change: subscription {update.provider_status}"

    if not same_subscription and facts.provider_subscription_id and update.subscription_id:
        return "ignored: not the member's current subscription"
    if is_stale(facts, update.created):
        return "stale: a newer state is already applied"
    if update.kind == "invoice_paid":
        # A renewal or a retry that finally went through; a first payment is the subscription
        # events' business (they carry the plan).
        if facts.state in (State.ACTIVE, State.PAST_DUE) and update.period_end is not None:
            paid_until = max(update.period_end, facts.paid_until or update.period_end)
            return persist(
                decide_activate(facts, now, paid_until=paid_until, ref=ref, reason="invoice paid")
            )
        return "no change"
    if update.kind == "payment_failed":
        if facts.state in (State.ACTIVE, State.PAST_DUE):
            return persist(decide_mark_past_due(facts, ref=ref))
        return "no change"
    return f"ignored: {update.kind}"


def _decide_checkout(update: ProviderUpdate, facts: Facts, now: datetime) -> Change | None:
    """Checkout finished: link the provider's ids and let the reader in at once.

    The subscription's own events carry the real period; this grants one plan interval until
    they do. It never sets provider_state_at, so those events (created a moment before this one)
    still apply after it. A checkout whose subscription already has state applied changes
    nothing: that state is newer news.
    """
    known = (
        bool(update.subscription_id) and update.subscription_id == facts.provider_subscription_id
    )
    if known and facts.provider_state_at is not None:
        return None
    try:
        plan = get_plan(update.plan) if update.plan else None
    except UnknownPlan:
        plan = None
    provisional = plan.period_end(update.created) if plan else update.created + timedelta(days=1)
    paid_until = max(provisional, facts.paid_until) if facts.paid_until else provisional
    ref = ProviderRef(
        provider=update.provider,
        customer_id=update.customer_id,
        subscription_id=update.subscription_id,
    )
    return decide_activate(
        facts,
        now,
        paid_until=paid_until,
        plan=update.plan,
        ref=ref,
        reason="checkout completed",
    )
