"""The membership verbs: start a trial, activate, mark past due, cancel, grant, end, expire, and
end billing before an account is deleted. Each locks the row, decides (membership.transitions) and
persists the change with its MembershipEvent in one transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from newsstand.accounts.deletion import DeletionBlocked
from newsstand.membership.access import past_due_grace
from newsstand.membership.actions.persistence import lock_membership, persist_change, transition
from newsstand.membership.models import Membership
from newsstand.membership.providers.base import SubscriptionCancelFailed, get_provider
from newsstand.membership.transitions import (
    Facts,
    IllegalTransition,
    ProviderRef,
    decide_activate,
    decide_cancel,
    decide_end,
    decide_expire,
    decide_grant,
    decide_mark_past_due,
    decide_start_trial,
)

log = logging.getLogger(__name__)

State = Membership.State


def start_trial(user: Any, now: datetime | None = None) -> Membership:
    """The free trial (NEWSSTAND_TRIAL_DAYS, no card); raises IllegalTransition if taken before."""
    now = now or timezone.now()
    days = settings.NEWSSTAND_TRIAL_DAYS
    return transition(user, lambda f: decide_start_trial(f, now, days), now)


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
    return transition(
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
    return transition(
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
    return transition(
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
        membership = lock_membership(user)
        try:
            # No ProviderRef: the provider's own cancellation event keeps ordering its news.
            change = decide_cancel(Facts.of(membership), reason=reason)
        except IllegalTransition as exc:
            # A registered row with a subscription id: nothing to move, the log keeps the fact.
            log.info("membership not moved user_id=%s: %s", membership.user_id, exc)
            change = None
        persist_change(membership, change, now)
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
    return transition(user, lambda f: decide_grant(f, now, days, reason=reason), now, actor=actor)


def end_membership(
    user: Any, actor: Any = None, *, now: datetime | None = None, reason: str = ""
) -> Membership:
    """End any trial or membership now (membership.transitions.decide_end).

    Only our record changes: a subscription the payment provider still bills goes on billing,
    and its next renewal event activates the membership again. The caller tells the operator.
    """
    now = now or timezone.now()
    return transition(user, lambda f: decide_end(f, now, reason=reason), now, actor=actor)


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
            persist_change(membership, change, now)
            expired += 1
    if expired:
        log.info("memberships expired count=%d", expired)
    return expired
