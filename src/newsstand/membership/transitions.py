"""The membership state machine, decided purely: a row's facts and a verb in, the new facts out.

Nothing here touches the database; `membership.actions` locks the row, asks one of these
functions, and persists the answer with its audit event in one transaction.

    verb            allowed from                                  to
    start_trial     registered (and never trialled before)        trial
    activate        every state                                   active
    mark_past_due   active (past_due: nothing to do)              past_due
    expire          trial, active, past_due, once their end date  expired
                    (plus the grace, for past_due) has passed
    cancel          trial, active, past_due, expired              canceled
                    (canceled: nothing to do)
    grant           every state                                   active
    end             trial, active, past_due (others: nothing to   expired
                    do, they read nothing already)

A verb asked of a state it does not apply to raises `IllegalTransition`; a verb whose result is
what the row already says returns None (nothing to write).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from newsstand.membership.models import Membership

State = Membership.State

MAX_GRANT_DAYS = 3660  # ten years: more is a typo, not a grant

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "start_trial": frozenset({State.REGISTERED}),
    "activate": frozenset(State.values),
    "mark_past_due": frozenset({State.ACTIVE, State.PAST_DUE}),
    "expire": frozenset({State.TRIAL, State.ACTIVE, State.PAST_DUE}),
    "cancel": frozenset({State.TRIAL, State.ACTIVE, State.PAST_DUE, State.EXPIRED, State.CANCELED}),
    "grant": frozenset(State.values),
    "end": frozenset(State.values),
}


class IllegalTransition(Exception):
    """A verb asked of a membership state it does not apply to."""

    def __init__(self, verb: str, from_state: str, why: str) -> None:
        super().__init__(f"cannot {verb.replace('_', ' ')} a {from_state} membership: {why}")
        self.verb = verb
        self.from_state = from_state
        self.why = why


@dataclass(frozen=True)
class Facts:
    """What a Membership row says, as a value."""

    state: str
    trial_started_at: datetime | None = None
    trial_ends_at: datetime | None = None
    paid_until: datetime | None = None
    plan: str = ""
    provider: str = ""
    provider_customer_id: str = ""
    provider_subscription_id: str = ""
    provider_state_at: datetime | None = None

    @classmethod
    def of(cls, membership: Membership) -> Facts:
        return cls(**{name: getattr(membership, name) for name in FACT_FIELDS})


FACT_FIELDS: tuple[str, ...] = tuple(Facts.__dataclass_fields__)


@dataclass(frozen=True)
class Change:
    before: Facts
    after: Facts
    reason: str

    def changed_fields(self) -> list[str]:
        return [f for f in FACT_FIELDS if getattr(self.before, f) != getattr(self.after, f)]


@dataclass(frozen=True)
class ProviderRef:
    """Who the provider says the member is, and when it said so (the event's creation time)."""

    provider: str
    customer_id: str = ""
    subscription_id: str = ""
    state_at: datetime | None = None


def _check(verb: str, facts: Facts) -> None:
    if facts.state not in ALLOWED_FROM[verb]:
        raise IllegalTransition(verb, facts.state, _why_not(verb, facts.state))


def _why_not(verb: str, state: str) -> str:
    allowed = ", ".join(sorted(ALLOWED_FROM[verb]))
    return f"only from {allowed}"


def _with_provider(facts: Facts, ref: ProviderRef | None) -> Facts:
    if ref is None:
        return facts
    return replace(
        facts,
        provider=ref.provider,
        provider_customer_id=ref.customer_id or facts.provider_customer_id,
        provider_subscription_id=ref.subscription_id or facts.provider_subscription_id,
        provider_state_at=ref.state_at or facts.provider_state_at,
    )


def _result(before: Facts, after: Facts, reason: str) -> Change | None:
    return None if after == before else Change(before, after, reason)


def decide_start_trial(facts: Facts, now: datetime, days: int) -> Change:
    """A free trial of `days` from now, once per reader ever (a second sign-up gets none)."""
    _check("start_trial", facts)
    if facts.trial_started_at is not None:
        raise IllegalTransition(
            "start_trial",
            facts.state,
            f"a trial was already taken on {facts.trial_started_at:%Y-%m-%d}",
        )
    if days <= 0:
        raise ValueError(f"trial days must be positive, not {days}")
    after = replace(
        facts,
        state=State.TRIAL,
        trial_started_at=now,
        trial_ends_at=now + timedelta(days=days),
    )
    return Change(facts, after, f"free trial of {days} days started")


def decide_activate(
    facts: Facts,
    now: datetime,
    *,
    paid_until: datetime | None,
    plan: str = "",
    ref: ProviderRef | None = None,
    reason: str = "",
) -> Change | None:
    """Paying (or, from a provider, trialling on its side): active until `paid_until`.

    None for `paid_until` means the provider did not say when the period ends: open-ended until
    its next event. A period that has already ended activates nothing.
    """
    _check("activate", facts)
    if paid_until is not None and paid_until <= now:
        raise IllegalTransition(
            "activate", facts.state, f"the period it pays for ended at {paid_until:%Y-%m-%d %H:%M}"
        )
    after = _with_provider(
        replace(facts, state=State.ACTIVE, paid_until=paid_until, plan=plan or facts.plan), ref
    )
    if facts.state == State.ACTIVE:
        default = f"renewed until {paid_until:%Y-%m-%d}" if paid_until else "subscription updated"
    else:
        default = f"subscribed ({plan or facts.plan or 'no plan'})"
    return _result(facts, after, reason or default)


def decide_mark_past_due(
    facts: Facts, *, ref: ProviderRef | None = None, reason: str = ""
) -> Change | None:
    """A renewal payment failed; the provider retries. Access lasts through the grace period."""
    _check("mark_past_due", facts)
    if facts.state == State.PAST_DUE:
        # Only the provider's bookkeeping may move on (a later retry failed too).
        after = _with_provider(facts, ref)
        return _result(facts, after, reason or "payment failed again")
    after = _with_provider(replace(facts, state=State.PAST_DUE), ref)
    return Change(facts, after, reason or "renewal payment failed")


def expiry_due_at(facts: Facts, grace: timedelta) -> datetime | None:
    """When this membership's access runs out, for the states that run out; else None."""
    if facts.state == State.TRIAL:
        return facts.trial_ends_at
    if facts.state == State.ACTIVE:
        return facts.paid_until
    if facts.state == State.PAST_DUE and facts.paid_until is not None:
        return facts.paid_until + grace
    return None


def decide_expire(facts: Facts, now: datetime, grace: timedelta) -> Change:
    """A trial or paid period (past_due: plus the grace) that has ended becomes expired."""
    _check("expire", facts)
    due = expiry_due_at(facts, grace)
    if due is None:
        raise IllegalTransition("expire", facts.state, "it has no end date")
    if now < due:
        raise IllegalTransition("expire", facts.state, f"it runs until {due:%Y-%m-%d %H:%M}")
    reason = {
        State.TRIAL: "free trial ended",
        State.ACTIVE: "paid period ended",
        State.PAST_DUE: "payment not received within the grace period",
    }[State(facts.state)]
    return Change(facts, replace(facts, state=State.EXPIRED), reason)


def decide_cancel(
    facts: Facts, *, ref: ProviderRef | None = None, reason: str = ""
) -> Change | None:
    """The subscription (or trial) ended for good; a new subscription activates again."""
    _check("cancel", facts)
    if facts.state == State.CANCELED:
        return None
    after = _with_provider(replace(facts, state=State.CANCELED), ref)
    return Change(facts, after, reason or "canceled")


def decide_grant(facts: Facts, now: datetime, days: int, *, reason: str = "") -> Change:
    """Staff give `days` of membership, counted from the end of what the reader already has.

    That end is the later of now and paid_until (and, during a trial, trial_ends_at: a grant
    never eats the rest of a trial).
    """
    _check("grant", facts)
    if not 0 < days <= MAX_GRANT_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_GRANT_DAYS}, not {days}")
    starts: list[datetime] = [now]
    if facts.paid_until is not None and facts.state in (State.ACTIVE, State.PAST_DUE):
        starts.append(facts.paid_until)
    if facts.state == State.TRIAL and facts.trial_ends_at is not None:
        starts.append(facts.trial_ends_at)
    paid_until = max(starts) + timedelta(days=days)
    after = replace(
        facts, state=State.ACTIVE, paid_until=paid_until, provider=facts.provider or "manual"
    )
    return Change(facts, after, reason or f"granted {days} days by staff")


def decide_end(facts: Facts, now: datetime, *, reason: str = "") -> Change | None:
    """An operator ends a trial or membership now, whatever its dates say.

    The state becomes expired and the date that gave access moves to `now`, so every page that
    tells when access ended tells the truth. The trial start stays: a reader whose trial was
    ended cannot start another. A membership that reads nothing already needs no change (None).
    """
    _check("end", facts)
    if facts.state not in (State.TRIAL, State.ACTIVE, State.PAST_DUE):
        return None
    if facts.state == State.TRIAL:
        ends = facts.trial_ends_at if facts.trial_ends_at and facts.trial_ends_at < now else now
        after = replace(facts, state=State.EXPIRED, trial_ends_at=ends)
    else:
        ends = facts.paid_until if facts.paid_until and facts.paid_until < now else now
        after = replace(facts, state=State.EXPIRED, paid_until=ends)
    return Change(facts, after, reason or f"{facts.state} ended by an operator")


def is_stale(facts: Facts, event_at: datetime, *, first_of_its_kind: bool = False) -> bool:
    """Whether a provider event is older than the state already applied, so must not undo it.

    Provider timestamps have one-second resolution, so an event from the same second as the
    state applied still counts, except one that always comes first (a subscription's creation):
    it never supersedes anything of its own second.
    """
    if facts.provider_state_at is None:
        return False
    if first_of_its_kind:
        return event_at <= facts.provider_state_at
    return event_at < facts.provider_state_at
