"""has_full_access: THE rule for full text, at its edges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from newsstand.membership import actions
from newsstand.membership.access import has_full_access
from newsstand.membership.models import Membership
from tests.membership.conftest import NOW, make_user

pytestmark = pytest.mark.django_db

S = Membership.State
SECOND = timedelta(seconds=1)


def _member(state: str, **dates):
    user = make_user()
    Membership.objects.create(user=user, state=state, **dates)
    return user


def test_anonymous_and_users_without_a_row_have_no_access() -> None:
    assert not has_full_access(AnonymousUser(), NOW)
    assert not has_full_access(None, NOW)
    assert not has_full_access(make_user("norow@example.org"), NOW)


def test_trial_reads_until_the_exact_end() -> None:
    user = _member(S.TRIAL, trial_started_at=NOW - timedelta(days=14), trial_ends_at=NOW)
    assert has_full_access(user, NOW - SECOND)
    assert not has_full_access(user, NOW)  # the end instant is already outside


def test_trial_started_at_sign_up_reads_for_fourteen_days(settings) -> None:
    user = make_user()
    actions.start_trial(user, now=NOW)
    user.refresh_from_db()
    assert has_full_access(user, NOW)
    assert has_full_access(user, NOW + timedelta(days=14) - SECOND)
    assert not has_full_access(user, NOW + timedelta(days=14))


def test_active_until_paid_until_and_open_ended_without_one() -> None:
    user = _member(S.ACTIVE, paid_until=NOW)
    assert has_full_access(user, NOW - SECOND)
    assert not has_full_access(user, NOW)
    assert has_full_access(_member_other(S.ACTIVE, paid_until=None), NOW + timedelta(days=999))


def _member_other(state: str, **dates):
    user = make_user("other@example.org")
    Membership.objects.create(user=user, state=state, **dates)
    return user


def test_past_due_reads_through_the_grace_period(settings) -> None:
    settings.NEWSSTAND_PAST_DUE_GRACE_DAYS = 7
    user = _member(S.PAST_DUE, paid_until=NOW)
    assert has_full_access(user, NOW + timedelta(days=7) - SECOND)
    assert not has_full_access(user, NOW + timedelta(days=7))
    settings.NEWSSTAND_PAST_DUE_GRACE_DAYS = 0
    assert not has_full_access(user, NOW)


@pytest.mark.parametrize("state", [S.REGISTERED, S.EXPIRED, S.CANCELED])
def test_other_states_never_read_whatever_their_dates(state: str) -> None:
    user = _member(state, trial_ends_at=NOW + timedelta(days=5), paid_until=NOW + timedelta(days=5))
    assert not has_full_access(user, NOW)


def test_a_trial_over_by_date_is_over_before_the_job_writes_it_down() -> None:
    user = _member(S.TRIAL, trial_started_at=NOW - timedelta(days=15), trial_ends_at=NOW - SECOND)
    assert user.membership.state == S.TRIAL
    assert not has_full_access(user, NOW)
