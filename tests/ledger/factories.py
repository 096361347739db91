"""Members and non-members for the ledger's tests, made straight in the database."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from newsstand.membership.models import Membership

_seq = itertools.count(1)


def make_user(name: str = "reader") -> object:
    n = next(_seq)
    email = f"{name}{n}@example.org"
    return get_user_model().objects.create_user(email, email=email, password="pw-not-used")


def make_member(name: str = "member", *, trial_ends_at: datetime | None = None) -> object:
    """A user in a free trial that has not ended (by default 14 days from now)."""
    user = make_user(name)
    ends = trial_ends_at or timezone.now() + timedelta(days=14)
    Membership.objects.create(
        user=user,
        state=Membership.State.TRIAL,
        trial_started_at=ends - timedelta(days=14),
        trial_ends_at=ends,
    )
    return user


def make_paying_member(name: str = "payer", *, paid_until: datetime | None = None) -> object:
    """A user with an active paid membership (by default paid for 30 days from now)."""
    user = make_user(name)
    Membership.objects.create(
        user=user,
        state=Membership.State.ACTIVE,
        paid_until=paid_until or timezone.now() + timedelta(days=30),
    )
    return user


def make_non_member(name: str = "visitor") -> object:
    """A registered user without a trial or a paid membership."""
    user = make_user(name)
    Membership.objects.create(user=user, state=Membership.State.REGISTERED)
    return user
