"""Every membership state change: lock the row, decide (membership.transitions), persist the new
facts and their MembershipEvent in one transaction.

Views, the webhook, tasks and commands call these and nothing else that writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsstand.accounts.deletion import DeletionBlocked
from newsstand.fields import fit
from newsstand.membership.access import past_due_grace
from newsstand.membership.emails import trial_reminder_message
from newsstand.membership.models import (
    Membership,
    MembershipEvent,
    Payment,
    ProviderEvent,
    TrialReminder,
)
from newsstand.membership.plans import UnknownPlan, get_plan
from newsstand.membership.providers.base import (
    ProviderUpdate,
    SubscriptionCancelFailed,
    get_provider,
)
from newsstand.membership.reminders import due_reminder, reminder_kind
from newsstand.membership.transitions import (
    Change,
    Facts,
    IllegalTransition,
    ProviderRef,
    decide_activate,
    decide_cancel,
    decide_expire,
    decide_grant,
    decide_mark_past_due,
    decide_start_trial,
    is_stale,
)

log = logging.getLogger(__name__)

State = Membership.State

# Fields whose change alone is not worth an audit event.
BOOKKEEPING_FIELDS = frozenset({"provider_state_at"})

__all__ = [
    "IllegalTransition",
    "activate",
    "apply_provider_update",
    "cancel",
    "end_billing_for_deletion",
    "ensure_membership",
    "expire_due_memberships",
    "grant_membership",
    "mark_past_due",
    "send_trial_reminders",
    "start_trial",
]


# Persistence -------------------------------------------------------------------------------


def _persist(
    membership: Membership,
    change: Change | None,
    now: datetime,
    *,
    actor: Any = None,
    provider_event_id: str = "",
) -> Membership:
    """Write a decided change and its audit event; the caller holds the transaction and lock."""
    if change is None:
        return membership
    fields = change.changed_fields()
    for name in fields:
        setattr(membership, name, getattr(change.after, name))
    membership.save(update_fields=[*fields, "updated_at"])
    if set(fields) <= BOOKKEEPING_FIELDS:
        # Only the provider's clock moved (news that changed nothing): no audit event.
        return membership
    MembershipEvent.objects.create(
        membership=membership,
        at=now,
        from_state=change.before.state,
        to_state=change.after.state,
        reason=fit(MembershipEvent, "reason", change.reason),
        actor=actor if getattr(actor, "pk", None) else None,
        provider_event_id=provider_event_id,
    )
    log.info(
        "membership change user_id=%s from=%s to=%s reason=%r provider_event=%s",
        membership.user_id,
        change.before.state,
        change.after.state,
        change.reason,
        provider_event_id or "-",
    )
    return membership


def _locked(user: Any, now: datetime | None = None) -> Membership:
    ensure_membership(user, now=now)
    return Membership.objects.select_for_update().select_related("user").get(user=user)


def _transition(
    user: Any,
    decide: Callable[[Facts], Change | None],
    now: datetime,
    *,
    actor: Any = None,
    provider_event_id: str = "",
) -> Membership:
    with transaction.atomic():
        membership = _locked(user, now)
        change = decide(Facts.of(membership))
        _persist(membership, change, now, actor=actor, provider_event_id=provider_event_id)
    # The caller's user object now reads the new state (user.membership is cached on it).
    user.membership = membership
    return membership


# The verbs ---------------------------------------------------------------------------------


def ensure_membership(user: Any, *, now: datetime | None = None) -> Membership:
    """The user's membership row, created as `registered` (with its first event) if missing.

    `now`: when, for the first event; an action that creates the row on its way passes its own
    time, so "registered" never sorts after the change made from it (events order by time).
    """
    try:
        existing: Membership = Membership.objects.get(user=user)
        return existing
    except Membership.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, state=State.REGISTERED)
            MembershipEvent.objects.create(
                membership=membership,
                at=now or timezone.now(),
                from_state="",
                to_state=State.REGISTERED,
                reason="account created",
            )
            return membership
    except IntegrityError:  # created by a concurrent request meanwhile
        return Membership.objects.get(user=user)


def start_trial(user: Any, now: datetime | None = None) -> Membership:
    """The free trial (NEWSSTAND_TRIAL_DAYS, no card); raises IllegalTransition if taken before."""
    now = now or timezone.now()
    days = settings.NEWSSTAND_TRIAL_DAYS
    return _transition(user, lambda f: decide_start_trial(f, now, days), now)


def activate(
    user: Any,
    *,
    paid_until: datetime | None,
    plan: str = "",
    ref: ProviderRef | None = None,
    reason: str = "",
    now: datetime | None = None,
    provider_event_id: str = "",
) -> Membership:
    """A provider says the reader pays: active until `paid_until`."""
    now = now or timezone.now()
    return _transition(
        user,
        lambda f: decide_activate(f, now, paid_until=paid_until, plan=plan, ref=ref, reason=reason),
        now,
        provider_event_id=provider_event_id,
    )


def mark_past_due(
    user: Any,
    *,
    ref: ProviderRef | None = None,
    reason: str = "",
    now: datetime | None = None,
    provider_event_id: str = "",
) -> Membership:
    now = now or timezone.now()
    return _transition(
        user,
        lambda f: decide_mark_past_due(f, ref=ref, reason=reason),
        now,
        provider_event_id=provider_event_id,
    )


def cancel(
    user: Any,
    *,
    reason: str = "",
    actor: Any = None,
    ref: ProviderRef | None = None,
    now: datetime | None = None,
    provider_event_id: str = "",
) -> Membership:
    now = now or timezone.now()
    return _transition(
        user,
        lambda f: decide_cancel(f, ref=ref, reason=reason),
        now,
        actor=actor,
        provider_event_id=provider_event_id,
    )


def end_billing_for_deletion(user: Any, *, now: datetime | None = None) -> Membership | None:
    """Before an account is deleted: cancel its subscription at the provider, at once.

    The deletion step membership registers (accounts.deletion). A membership with no
    subscription id (trial, staff-granted, never subscribed) needs nothing. Otherwise the
    provider in use cancels it; if it cannot, DeletionBlocked carries the reason to the reader
    and nothing in our database has changed. Once cancelled, the membership moves to canceled
    with its audit event, so should the deletion itself fail afterwards, the row still tells
    the truth; a retry asks the provider again, which answers "already gone".
    """
    membership = Membership.objects.filter(user=user).first()
    if membership is None or not membership.provider_subscription_id:
        return membership
    provider = get_provider()
    sub_id = membership.provider_subscription_id
    try:
        if membership.provider and membership.provider != provider.name:
            # Cancelling takes the provider that bills: one Newsstand no longer talks to cannot.
            log.error(
                "cannot cancel user_id=%s subscription=%s: it is with %s but "
                "NEWSSTAND_PAYMENT_PROVIDER=%s",
                membership.user_id,
                sub_id,
                membership.provider,
                provider.name,
            )
            label = membership.provider.capitalize()
            raise SubscriptionCancelFailed(
                label,
                sub_id,
                f"this site no longer takes payments through {label}, "
                "so please ask its operator to cancel it",
            )
        provider.cancel_subscription(membership)
    except SubscriptionCancelFailed as exc:
        raise DeletionBlocked(
            f"We could not cancel your subscription with {exc.provider_label}, so your account "
            f"was not deleted: {exc.reason}. Try again in a few minutes, or cancel it from "
            "Manage subscription first."
        ) from exc
    now = now or timezone.now()
    reason = f"subscription {sub_id} canceled at {provider.label}: account deleted"
    with transaction.atomic():
        membership = _locked(user)
        try:
            # No ProviderRef: the provider's own cancellation event keeps ordering its news.
            change = decide_cancel(Facts.of(membership), reason=reason)
        except IllegalTransition as exc:
            # A registered row with a subscription id: nothing to move, the log keeps the fact.
            log.info("membership not moved user_id=%s: %s", membership.user_id, exc)
            change = None
        _persist(membership, change, now)
    log.info(
        "billing ended for account deletion user_id=%s provider=%s subscription=%s",
        membership.user_id,
        provider.name,
        sub_id,
    )
    return membership


def grant_membership(
    user: Any, days: int, actor: Any, *, now: datetime | None = None, reason: str = ""
) -> Membership:
    """Staff give `days` of membership, extending from the later of now and what the reader has."""
    now = now or timezone.now()
    who = getattr(actor, "email", "") or getattr(actor, "username", "") or "the command line"
    reason = reason or f"granted {days} days by {who}"
    return _transition(user, lambda f: decide_grant(f, now, days, reason=reason), now, actor=actor)


def expire_due_memberships(now: datetime | None = None) -> int:
    """Write down the trials and paid periods that have run out; returns how many expired.

    Access already ends at the dates (membership.access); this makes the state say so too, for
    the pages, the admin and the reminders.
    """
    now = now or timezone.now()
    grace = past_due_grace()
    due = Membership.objects.filter(
        Q(state=State.TRIAL, trial_ends_at__lte=now)
        | Q(state=State.ACTIVE, paid_until__lte=now)
        | Q(state=State.PAST_DUE, paid_until__lte=now - grace)
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            membership = Membership.objects.select_for_update().get(pk=pk)
            try:
                change = decide_expire(Facts.of(membership), now, grace)
            except IllegalTransition:
                continue  # renewed or changed since the query: nothing to expire
            _persist(membership, change, now)
            expired += 1
    if expired:
        log.info("memberships expired count=%d", expired)
    return expired


# Trial reminders ---------------------------------------------------------------------------


def send_trial_reminders(now: datetime | None = None) -> int:
    """Email each trial reader whose reminder day has come; each kind at most once, ever.

    The TrialReminder row is written first, in the transaction that sends: a second worker
    running at the same moment fails on the unique constraint instead of sending again, and a
    failed send rolls the row back so the next run tries again.
    """
    now = now or timezone.now()
    days: tuple[int, ...] = tuple(settings.NEWSSTAND_TRIAL_REMINDER_DAYS)
    if not days:
        return 0
    earliest_start = now - timedelta(days=min(days) - 1)
    candidates = (
        Membership.objects.filter(
            state=State.TRIAL, trial_started_at__lte=earliest_start, trial_ends_at__gt=now
        )
        .select_related("user")
        .prefetch_related("reminders")
    )
    sent = 0
    for membership in candidates:
        day = due_reminder(membership.trial_started_at, membership.trial_ends_at, now, days)
        if day is None or not membership.user.email:
            continue
        kind = reminder_kind(day)
        if any(r.kind == kind for r in membership.reminders.all()):
            continue
        try:
            with transaction.atomic():
                TrialReminder.objects.create(membership=membership, kind=kind, sent_at=now)
                trial_reminder_message(membership, day, now).send()
        except IntegrityError:
            continue  # another worker sent it
        except OSError as exc:  # SMTP errors are OSErrors; the next run tries this one again
            log.error("trial reminder failed user_id=%s kind=%s: %s", membership.user_id, kind, exc)
            continue
        sent += 1
        log.info("trial reminder sent user_id=%s kind=%s", membership.user_id, kind)
    return sent


# Provider events ---------------------------------------------------------------------------


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


def _find_membership(update: ProviderUpdate) -> Membership | None:
    """The member an event is about: by our user id (sent to the provider at checkout), else by
    the provider's subscription, else its customer."""
    locked = Membership.objects.select_for_update().select_related("user")
    if update.user_id is not None:
        user = get_user_model().objects.filter(pk=update.user_id).first()
        if user is not None:
            ensure_membership(user)
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
    membership = _find_membership(update)
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
        _persist(membership, change, now, provider_event_id=update.event_id)
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
