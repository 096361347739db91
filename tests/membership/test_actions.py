"""The verbs persist what the transitions decide, with one audit event each, in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsstand.membership import actions
from newsstand.membership.models import Membership, MembershipEvent
from newsstand.membership.transitions import IllegalTransition, ProviderRef
from tests.membership.conftest import NOW, make_user

pytestmark = pytest.mark.django_db

S = Membership.State
DAY = timedelta(days=1)


def _events(user) -> list[tuple[str, str]]:
    return [
        (e.from_state, e.to_state)
        for e in MembershipEvent.objects.filter(membership__user=user).order_by("pk")
    ]


def test_ensure_membership_creates_once_with_its_first_event() -> None:
    user = make_user()
    first = actions.ensure_membership(user)
    again = actions.ensure_membership(user)
    assert first.pk == again.pk and first.state == S.REGISTERED
    assert _events(user) == [("", S.REGISTERED)]


def test_start_trial_uses_the_setting_and_writes_the_event(settings) -> None:
    settings.NEWSSTAND_TRIAL_DAYS = 14
    user = make_user()
    membership = actions.start_trial(user, now=NOW)
    assert membership.state == S.TRIAL
    assert membership.trial_ends_at == NOW + 14 * DAY
    event = MembershipEvent.objects.filter(membership=membership).first()
    assert event is not None
    assert (event.from_state, event.to_state, event.at) == (S.REGISTERED, S.TRIAL, NOW)
    assert "14 days" in event.reason


def test_a_second_trial_is_refused_and_nothing_is_written() -> None:
    user = make_user()
    actions.start_trial(user, now=NOW)
    before = MembershipEvent.objects.count()
    with pytest.raises(IllegalTransition):
        actions.start_trial(user, now=NOW + DAY)
    assert MembershipEvent.objects.count() == before
    assert Membership.objects.get(user=user).trial_ends_at == NOW + 14 * DAY


def test_activate_then_past_due_then_cancel_is_all_in_the_trail() -> None:
    user = make_user()
    actions.start_trial(user, now=NOW)
    ref = ProviderRef("stripe", "cus_1", "sub_1", state_at=NOW)
    actions.activate(
        user, paid_until=NOW + 30 * DAY, plan="monthly", ref=ref, now=NOW, provider_event_id="evt_1"
    )
    actions.mark_past_due(user, now=NOW + 31 * DAY)
    actions.cancel(user, now=NOW + 40 * DAY, reason="subscription canceled")
    assert _events(user) == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.TRIAL),
        (S.TRIAL, S.ACTIVE),
        (S.ACTIVE, S.PAST_DUE),
        (S.PAST_DUE, S.CANCELED),
    ]
    activation = MembershipEvent.objects.get(to_state=S.ACTIVE)
    assert activation.provider_event_id == "evt_1"
    membership = Membership.objects.get(user=user)
    assert membership.provider_customer_id == "cus_1"
    assert membership.paid_until == NOW + 30 * DAY


def test_grant_extends_from_the_later_of_now_and_paid_until_and_names_the_actor() -> None:
    staff = make_user("staff@example.org", is_staff=True)
    user = make_user()
    actions.grant_membership(user, 30, staff, now=NOW)
    membership = actions.grant_membership(user, 10, staff, now=NOW + 5 * DAY)
    assert membership.state == S.ACTIVE
    assert membership.paid_until == NOW + 40 * DAY
    assert membership.provider == "manual"
    grants = MembershipEvent.objects.filter(membership=membership, actor=staff)
    assert grants.count() == 2
    assert "staff@example.org" in grants.first().reason
    # After it ran out, a grant counts from now again.
    later = NOW + 100 * DAY
    assert actions.grant_membership(user, 7, staff, now=later).paid_until == later + 7 * DAY


def test_expire_due_memberships_expires_exactly_the_due_ones(settings) -> None:
    settings.NEWSSTAND_PAST_DUE_GRACE_DAYS = 7
    rows = {
        "trial_over": dict(state=S.TRIAL, trial_started_at=NOW - 14 * DAY, trial_ends_at=NOW),
        "trial_running": dict(
            state=S.TRIAL, trial_started_at=NOW - 5 * DAY, trial_ends_at=NOW + DAY
        ),
        "paid_over": dict(state=S.ACTIVE, paid_until=NOW - DAY),
        "paid_running": dict(state=S.ACTIVE, paid_until=NOW + DAY),
        "open_ended": dict(state=S.ACTIVE, paid_until=None),
        "past_due_in_grace": dict(state=S.PAST_DUE, paid_until=NOW - 6 * DAY),
        "past_due_over": dict(state=S.PAST_DUE, paid_until=NOW - 7 * DAY),
        "canceled": dict(state=S.CANCELED, paid_until=NOW - 30 * DAY),
    }
    for name, fields in rows.items():
        Membership.objects.create(user=make_user(f"{name}@example.org"), **fields)
    assert actions.expire_due_memberships(NOW) == 3
    states = {
        m.user.email.split("@")[0]: m.state for m in Membership.objects.select_related("user")
    }
    assert {n for n, s in states.items() if s == S.EXPIRED} == {
        "trial_over",
        "paid_over",
        "past_due_over",
    }
    assert states["canceled"] == S.CANCELED
    reasons = set(
        MembershipEvent.objects.filter(to_state=S.EXPIRED).values_list("reason", flat=True)
    )
    assert reasons == {
        "free trial ended",
        "paid period ended",
        "payment not received within the grace period",
    }
    assert actions.expire_due_memberships(NOW) == 0  # nothing twice


def test_periodic_tasks_are_registered_with_huey() -> None:
    from huey.contrib.djhuey import HUEY

    import newsstand.membership.tasks  # noqa: F401 - registers the periodic tasks

    names = {t.__name__ for t in HUEY._registry._periodic_tasks}
    assert {"expire_memberships_tick", "trial_reminders_tick"} <= names
