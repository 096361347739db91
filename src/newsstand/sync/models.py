"""App passwords: what a reading app signs in to the sync APIs with, never the sign-in password."""

from __future__ import annotations

from django.conf import settings
from django.db import models

APP_PASSWORD_NAME_MAX_CHARS = 100


class AppPassword(models.Model):
    """One app's password, stored only as a Django password hash and shown once when made.

    `lookup` is the password's first group, stored as it is: it finds the one row to check
    without hashing against every row. `fever_key` is SHA-256 of the Fever API key (MD5 of
    "email:password", which the Fever protocol sends instead of the password); the password is
    random, so neither tells anything about the rest of it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords"
    )
    name = models.CharField(max_length=APP_PASSWORD_NAME_MAX_CHARS, help_text="The app it is for.")
    lookup = models.CharField(max_length=16, unique=True)
    password_hash = models.CharField(max_length=256)
    fever_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.lookup}…)"
