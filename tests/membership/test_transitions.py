"""The pure state machine: every verb from every state, the dates it sets, and the illegal ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from newsstand.membership.models import Membership
from newsstand.membership.transitions import (
    ALLOWED_FROM,
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
    is_stale,
)
from tests.membership.conftest import NOW

S = Membership.State
DAY = timedelta(days=1)
GRACE = timedelta(days=7)

# A row in each state, with the dates that state would have, all still running at NOW.
ROWS: dict[str, Facts] = {
    S.REGISTERED: Facts(state=S.REGISTERED),
    S.TRIAL: Facts(state=S.TRIAL, trial_started_at=NOW - 3 * DAY, trial_ends_at=NOW + 11 * DAY),
    S.ACTIVE: Facts(state=S.ACTIVE, paid_until=NOW + 20 * DAY, plan="monthly", provider="stripe"),
    S.PAST_DUE: Facts(state=S.PAST_DUE, paid_until=NOW - DAY, provider="stripe"),
    S.EXPIRED: Facts(state=S.EXPIRED, trial_started_at=NOW - 20 * DAY, trial_ends_at=NOW - 6 * DAY),
    S.CANCELED: Facts(state=S.CANCELED, paid_until=NOW - 2 * DAY, provider="stripe"),
}

# The transitions table: (verb, from) → resulting state, None = no-op, "illegal".
EXPECTED: dict[str, dict[str, str | None]] = {
    "start_trial": {
        S.REGISTERED: S.TRIAL,
        S.TRIAL: "illegal",
        S.ACTIVE: "illegal",
        S.PAST_DUE: "illegal",
        S.EXPIRED: "illegal",
        S.CANCELED: "illegal",
    },
    "activate": {s: S.ACTIVE for s in S.values},
    "mark_past_due": {
        S.REGISTERED: "illegal",
        S.TRIAL: "illegal",
        S.ACTIVE: S.PAST_DUE,
        S.PAST_DUE: None,
        S.EXPIRED: "illegal",
        S.CANCELED: "illegal",
    },
    "cancel": {
        S.REGISTERED: "illegal",
        S.TRIAL: S.CANCELED,
        S.ACTIVE: S.CANCELED,
        S.PAST_DUE: S.CANCELED,
        S.EXPIRED: S.CANCELED,
        S.CANCELED: None,
    },
    "grant": {s: S.ACTIVE for s in S.values},
    "end": {
        S.REGISTERED: None,
        S.TRIAL: S.EXPIRED,
        S.ACTIVE: S.EXPIRED,
        S.PAST_DUE: S.EXPIRED,
        S.EXPIRED: None,
        S.CANCELED: None,
    },
}


def _run(verb: str, facts: Facts):
    if verb == "start_trial":
        return decide_start_trial(facts, NOW, 14)
    if verb == "activate":
        return decide_activate(facts, NOW, paid_until=NOW + 30 * DAY, plan="monthly")
    if verb == "mark_past_due":
        return decide_mark_past_due(facts)
    if verb == "cancel":
        return decide_cancel(facts)
    if verb == "end":
        return decide_end(facts, NOW)
    return decide_grant(facts, NOW, 30)


@pytest.mark.parametrize(
    ("verb", "from_state"), [(v, s) for v, row in EXPECTED.items() for s in row]
)
def test_transition_table(verb: str, from_state: str) -> None:
    expected = EXPECTED[verb][from_state]
    facts = ROWS[from_state]
    if expected == "illegal":
        with pytest.raises(IllegalTransition) as info:
            _run(verb, facts)
        assert info.value.from_state == from_state
        assert from_state in str(info.value)
        assert from_state not in ALLOWED_FROM[verb] or verb == "start_trial"
        return
    change = _run(verb, facts)
    if expected is None:
        assert change is None
    else:
        assert change is not None
        assert change.before == facts
        assert change.after.state == expected
        assert change.reason


def test_the_table_covers_every_verb_and_state() -> None:
    assert set(EXPECTED) | {"expire"} == set(ALLOWED_FROM)
    for row in EXPECTED.values():
        assert set(row) == set(S.values)


def test_end_moves_the_running_date_to_now_and_keeps_the_trial_taken() -> None:
    trial = decide_end(ROWS[S.TRIAL], NOW)
    assert trial is not None
    assert trial.after.trial_ends_at == NOW
    assert trial.after.trial_started_at == ROWS[S.TRIAL].trial_started_at
    with pytest.raises(IllegalTransition, match="already taken"):
        decide_start_trial(replace(trial.after, state=S.REGISTERED), NOW, 14)
    active = decide_end(ROWS[S.ACTIVE], NOW)
    assert active is not None
    assert active.after.paid_until == NOW
    # A past_due row whose paid period is already over keeps that earlier end.
    past_due = decide_end(ROWS[S.PAST_DUE], NOW)
    assert past_due is not None
    assert past_due.after.paid_until == NOW - DAY


def test_trial_is_fourteen_days_from_now() -> None:
    change = decide_start_trial(ROWS[S.REGISTERED], NOW, 14)
    assert change.after.trial_started_at == NOW
    assert change.after.trial_ends_at == NOW + 14 * DAY


def test_trial_only_once_per_reader_ever() -> None:
    # Registered again (e.g. a support reset) but the trial was already taken.
    taken = replace(ROWS[S.REGISTERED], trial_started_at=NOW - 40 * DAY)
    with pytest.raises(IllegalTransition, match="already taken"):
        decide_start_trial(taken, NOW, 14)


@pytest.mark.parametrize(
    ("state", "end_field"),
    [(S.TRIAL, "trial_ends_at"), (S.ACTIVE, "paid_until")],
)
def test_expire_exactly_at_the_end_not_a_second_before(state: str, end_field: str) -> None:
    end = NOW
    facts = replace(ROWS[state], **{end_field: end})
    with pytest.raises(IllegalTransition, match="runs until"):
        decide_expire(facts, end - timedelta(seconds=1), GRACE)
    change = decide_expire(facts, end, GRACE)
    assert change.after.state == S.EXPIRED
    assert getattr(change.after, end_field) == end  # the history keeps its dates


def test_past_due_expires_only_after_the_grace() -> None:
    facts = replace(ROWS[S.PAST_DUE], paid_until=NOW)
    with pytest.raises(IllegalTransition):
        decide_expire(facts, NOW + GRACE - timedelta(seconds=1), GRACE)
    assert decide_expire(facts, NOW + GRACE, GRACE).after.state == S.EXPIRED


@pytest.mark.parametrize("state", [S.REGISTERED, S.EXPIRED, S.CANCELED])
def test_expire_is_illegal_from_states_without_a_running_period(state: str) -> None:
    with pytest.raises(IllegalTransition):
        decide_expire(ROWS[state], NOW + 1000 * DAY, GRACE)


def test_active_without_a_known_end_never_expires() -> None:
    with pytest.raises(IllegalTransition, match="no end date"):
        decide_expire(replace(ROWS[S.ACTIVE], paid_until=None), NOW, GRACE)


def test_grant_extends_from_paid_until_when_that_is_later() -> None:
    change = decide_grant(ROWS[S.ACTIVE], NOW, 10)
    assert change.after.paid_until == NOW + 30 * DAY
    assert change.after.provider == "stripe"  # a grant does not take the member off Stripe


def test_grant_extends_from_now_when_the_period_is_over() -> None:
    change = decide_grant(ROWS[S.CANCELED], NOW, 10)
    assert change.after.paid_until == NOW + 10 * DAY


def test_grant_during_a_trial_keeps_the_rest_of_the_trial() -> None:
    change = decide_grant(ROWS[S.TRIAL], NOW, 30)
    assert change.after.paid_until == NOW + 41 * DAY
    assert decide_grant(ROWS[S.REGISTERED], NOW, 30).after.provider == "manual"


@pytest.mark.parametrize("days", [0, -3, 3661])
def test_grant_refuses_silly_day_counts(days: int) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        decide_grant(ROWS[S.ACTIVE], NOW, days)


def test_activate_records_the_provider_and_refuses_an_ended_period() -> None:
    ref = ProviderRef("stripe", "cus_1", "sub_1", state_at=NOW)
    change = decide_activate(ROWS[S.TRIAL], NOW, paid_until=NOW + 30 * DAY, plan="annual", ref=ref)
    assert change is not None
    after = change.after
    assert (after.provider, after.provider_customer_id, after.provider_subscription_id) == (
        "stripe",
        "cus_1",
        "sub_1",
    )
    assert after.provider_state_at == NOW and after.plan == "annual"
    with pytest.raises(IllegalTransition, match="ended"):
        decide_activate(ROWS[S.TRIAL], NOW, paid_until=NOW, plan="annual")


def test_activate_with_nothing_new_is_a_no_op() -> None:
    facts = ROWS[S.ACTIVE]
    assert decide_activate(facts, NOW, paid_until=facts.paid_until, plan="monthly") is None


def test_stale_events_by_creation_time() -> None:
    facts = replace(ROWS[S.ACTIVE], provider_state_at=NOW)
    assert is_stale(facts, NOW - timedelta(seconds=1))
    assert not is_stale(facts, NOW)  # same second: still news
    assert is_stale(facts, NOW, first_of_its_kind=True)  # but a creation never is
    assert not is_stale(facts, NOW + timedelta(seconds=1))
    assert not is_stale(ROWS[S.REGISTERED], NOW - 1000 * DAY)
