"""Every membership state change: lock the row, decide (membership.transitions), persist the new
facts and their MembershipEvent in one transaction.

Views, the webhook, tasks and commands call these and nothing else that writes.

`persistence`: the row, the lock, writing a change with its audit event (`ensure_membership`).
`verbs`: trial, activate, past due, cancel, grant, end, expire, ending billing for account deletion.
`trial_reminders`: the trial reminder emails.
`provider_events`: applying a payment provider's translated webhook events.
"""

from newsstand.membership.actions.persistence import ensure_membership
from newsstand.membership.actions.provider_events import (
    ProviderOutcome,
    apply_provider_update,
    cancel_orphaned_subscription,
)
from newsstand.membership.actions.trial_reminders import send_trial_reminders
from newsstand.membership.actions.verbs import (
    activate,
    cancel,
    end_billing_for_deletion,
    end_membership,
    expire_due_memberships,
    grant_membership,
    mark_past_due,
    start_trial,
)
from newsstand.membership.transitions import IllegalTransition

__all__ = [
    "IllegalTransition",
    "ProviderOutcome",
    "activate",
    "apply_provider_update",
    "cancel",
    "cancel_orphaned_subscription",
    "end_billing_for_deletion",
    "end_membership",
    "ensure_membership",
    "expire_due_memberships",
    "grant_membership",
    "mark_past_due",
    "send_trial_reminders",
    "start_trial",
]
