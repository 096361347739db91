"""Writing membership changes: the row (created with its first event), the lock, and a decided
change persisted with its MembershipEvent.

`ensure_membership` lives here rather than with the other verbs because locking a member's row
starts by making sure there is one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsstand.fields import fit
from newsstand.membership.models import Membership, MembershipEvent
from newsstand.membership.transitions import Change, Facts

log = logging.getLogger(__name__)

State = Membership.State

# Fields whose change alone is not worth an audit event.
BOOKKEEPING_FIELDS = frozenset({"provider_state_at"})


def persist_change(
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


def lock_membership(user: Any, now: datetime | None = None) -> Membership:
    """The user's row (created first if missing), locked; the caller holds the transaction."""
    ensure_membership(user, now=now)
    return Membership.objects.select_for_update().select_related("user").get(user=user)


def transition(
    user: Any,
    decide: Callable[[Facts], Change | None],
    now: datetime,
    *,
    actor: Any = None,
    provider_event_id: str = "",
) -> Membership:
    """Lock `user`'s row, decide a change from its facts and persist it, in one transaction."""
    with transaction.atomic():
        membership = lock_membership(user, now)
        change = decide(Facts.of(membership))
        persist_change(membership, change, now, actor=actor, provider_event_id=provider_event_id)
    # The caller's user object now reads the new state (user.membership is cached on it).
    user.membership = membership
    return membership


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
