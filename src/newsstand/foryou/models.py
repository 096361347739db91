"""For You's own state: whether a new reader still has "Start reading" ahead of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Onboarding(models.Model):
    """Made when a reader signs up; `started_at` is set the first time they see /start/.

    While it is unset, signing in lands on /start/ (accounts.adapter), so a reader who confirms
    their address in another browser still gets there, once. Readers from before For You have
    no row and are never sent there.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "started" if self.started_at else "pending"
        return f"{self.user_id} start reading {state}"
