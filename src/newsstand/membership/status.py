"""A membership in words, for the reader's page, the staff page, the CLI and the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model

from newsstand.membership.access import membership_grants_access, past_due_grace
from newsstand.membership.models import Membership
from newsstand.membership.reminders import trial_days_left
from newsstand.membership.transitions import Facts, expiry_due_at

State = Membership.State


@dataclass(frozen=True)
class MembershipStatus:
    state: str  # a Membership.State value, or "" for no membership (anonymous)
    label: str
    has_access: bool
    access_ends_at: datetime | None  # None: no access, or no known end
    trial_days_left: int
    summary: str  # one line, dates in UTC: "trial until 2026-12-12 10:00 UTC"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def describe(membership: Membership | None, now: datetime) -> MembershipStatus:
    if membership is None:
        return MembershipStatus("", "No membership", False, None, 0, "no membership")
    state = State(membership.state)
    has_access = membership_grants_access(membership, now)
    ends = expiry_due_at(Facts.of(membership), past_due_grace())
    days_left = trial_days_left(membership.trial_ends_at, now) if state == State.TRIAL else 0
    if state == State.REGISTERED:
        summary = "registered, no trial or subscription"
    elif state in (State.TRIAL, State.ACTIVE):
        summary = f"{state.value} until {utc(ends)}" if ends else f"{state.value}, no end date"
    elif state == State.PAST_DUE:
        paid = utc(membership.paid_until) if membership.paid_until else "an unknown date"
        summary = f"past_due: paid until {paid}" + (f", reads until {utc(ends)}" if ends else "")
    else:
        last_end = membership.paid_until or membership.trial_ends_at
        summary = f"{state.value}" + (f" (access ended {utc(last_end)})" if last_end else "")
    return MembershipStatus(
        state=state.value,
        label=state.label,
        has_access=has_access,
        access_ends_at=ends if has_access else None,
        trial_days_left=days_left,
        summary=summary,
    )


class NoSuchMember(LookupError):
    pass


def find_user_by_email(email: str) -> Any:
    """The one account with this email (case-insensitive); NoSuchMember says why not."""
    email = email.strip()
    if not email or "@" not in email:
        raise NoSuchMember(f"{email!r} is not an email address")
    users = list(get_user_model().objects.filter(email__iexact=email)[:2])
    if not users:
        raise NoSuchMember(f"no account has the email {email}")
    if len(users) > 1:
        raise NoSuchMember(f"more than one account has the email {email}; use the admin")
    return users[0]
