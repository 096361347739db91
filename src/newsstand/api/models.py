"""Personal API tokens: a reader's key to the JSON API from scripts and other apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models

TOKEN_NAME_MAX_CHARS = 100


class ApiToken(models.Model):
    """Only the token's SHA-256 is stored; the token itself is shown once, when it is made.

    Tokens are 256 random bits, so a fast hash is enough: nothing can be guessed from it
    (unlike passwords, which need a slow one).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=TOKEN_NAME_MAX_CHARS, help_text="What the reader uses it for."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so its owner can tell tokens apart in a list.
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
