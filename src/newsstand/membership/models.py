"""A reader's membership: one row per user, its state, and an audit trail of every change.

States: registered → trial → active → past_due → expired / canceled (anonymous has no row).
The dates decide access (membership.access), so a trial that ended a second ago is over even
before the periodic job writes the new state down.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Membership(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", "Registered"
        TRIAL = "trial", "Free trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment past due"
        EXPIRED = "expired", "Expired"
        CANCELED = "canceled", "Canceled"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.REGISTERED)
    trial_started_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    # End of the paid (or staff-granted) period; access lasts until then.
    paid_until = models.DateTimeField(null=True, blank=True)
    plan = models.CharField(max_length=32, blank=True, help_text="A key of NEWSSTAND_PLANS.")
    provider = models.CharField(max_length=16, blank=True, help_text="stripe or manual.")
    provider_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Orders provider events: an event older than the last one applied never overwrites it.
    provider_state_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "trial_ends_at"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.state})"


class MembershipEvent(models.Model):
    """The audit trail: one row per state change or grant, never edited."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who made the change, if a person did.",
    )
    provider_event_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}: {self.reason}"


class Payment(models.Model):
    """Money received for memberships: the revenue that the publisher payout pool is cut from.

    Written by the payment provider (a paid Stripe invoice) or by staff (a manual payment); the
    provider's id makes a replayed webhook a no-op.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership_payments",
    )
    amount_minor = models.BigIntegerField(help_text="In the currency's minor unit (cents).")
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case.")
    paid_at = models.DateTimeField(db_index=True)
    provider = models.CharField(max_length=16)
    provider_payment_id = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-paid_at"]

    def __str__(self) -> str:
        return f"{self.amount_minor / 100:.2f} {self.currency} on {self.paid_at:%Y-%m-%d}"


class TrialReminder(models.Model):
    """A trial reminder email that went out: at most one of each kind per membership, ever."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32, help_text="e.g. trial_day_11")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="membership_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.membership.user} at {self.sent_at:%Y-%m-%d %H:%M}"


class ProviderEvent(models.Model):
    """A payment provider's webhook event that was processed: a replay of its id is a no-op."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=64)
    created_at = models.DateTimeField(help_text="When the provider created the event.")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="membership_event_once")
        ]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
