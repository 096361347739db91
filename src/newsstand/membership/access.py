"""Who may read full text: the one rule every channel asks (pages, API, feeds, search, print)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from newsstand.membership.models import Membership

State = Membership.State


def past_due_grace() -> timedelta:
    return timedelta(days=settings.NEWSSTAND_PAST_DUE_GRACE_DAYS)


def membership_grants_access(membership: Membership | None, now: datetime) -> bool:
    """Whether a membership row reads everything at `now`, judged by its dates, not only its state.

    - trial: until trial_ends_at;
    - active: until paid_until, or open-ended when no period end is known;
    - past_due (the provider is still retrying the card): until paid_until plus
      NEWSSTAND_PAST_DUE_GRACE_DAYS;
    - anything else: no.
    """
    if membership is None:
        return False
    if membership.state == State.TRIAL:
        return membership.trial_ends_at is not None and now < membership.trial_ends_at
    if membership.state == State.ACTIVE:
        return membership.paid_until is None or now < membership.paid_until
    if membership.state == State.PAST_DUE:
        return membership.paid_until is None or now < membership.paid_until + past_due_grace()
    return False


def user_membership(user: Any) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        membership: Membership = user.membership
        return membership
    except Membership.DoesNotExist:
        return None


def has_full_access(user: Any, now: datetime | None = None) -> bool:
    """True for a trial or paying member whose period has not ended. Anonymous: False."""
    return membership_grants_access(user_membership(user), now or timezone.now())
