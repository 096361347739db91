"""The daily briefing: a reader's choice (on or off, when, in which time zone) and one delivery
row per reader and local date, which is what makes "never twice" a database guarantee.

Rows belong to one user and go with them (CASCADE).
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_SEND_TIME = time(7, 0)


class BriefingPreference(models.Model):
    """Whether and when a reader gets the briefing. `schedule_since` is when the current choice
    was made: only send times after it count, so a reader who subscribes at 10:00 for 07:00 gets
    the first briefing tomorrow at 07:00, not at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefing_preference"
    )
    enabled = models.BooleanField(default=False)
    send_time = models.TimeField(default=DEFAULT_SEND_TIME, help_text="Local time of day.")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA name.")
    schedule_since = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # "settings", "one-click" (RFC 8058 from the mail client) or "link" (the page in the email).
    unsubscribed_via = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["enabled"])]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.user_id} briefing {state} {self.send_time:%H:%M} {self.time_zone}"


class BriefingDelivery(models.Model):
    """One briefing for one reader's local date. The row is written (state SENDING) and committed
    before the email goes out, so a second sender, or a worker restarted after a crash, finds it
    and sends nothing: at most once (docs/decisions.md)."""

    class State(models.TextChoices):
        SENDING = "sending", "Claimed, sending"  # committed before the send; stays if it crashed
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # the mail backend raised: the next run may try again
        SKIPPED = "skipped", "Skipped"  # nothing to send, or too late to be worth sending

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefing_deliveries"
    )
    local_date = models.DateField(help_text="The reader's date the briefing is for.")
    state = models.CharField(max_length=16, choices=State.choices)
    due_at = models.DateTimeField(help_text="The send time it was due at.")
    claimed_at = models.DateTimeField(help_text="When the latest attempt claimed it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    items = models.PositiveSmallIntegerField(default=0, help_text="Articles and stories in it.")

    class Meta:
        verbose_name_plural = "briefing deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "local_date"], name="briefingdelivery_once_a_day"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-local_date"]),
            models.Index(fields=["state", "claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.local_date} {self.state}"
