"""State changes of the API: making, revoking and using personal tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsstand.api.models import TOKEN_NAME_MAX_CHARS, ApiToken

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "ns_"  # noqa: S105 - the public marker every token starts with, not a secret
TOKEN_BYTES = 32
# Shown beside a token's name so its owner can tell tokens apart.
SHOWN_PREFIX_CHARS = 10
# last_used_at is written at most this often per token: a busy script must not turn every
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKENS_PER_USER = 20


class TokenError(ValueError):
    """A token cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the reader once, never stored


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(user: Any, name: str, now: datetime | None = None) -> NewToken:
    name = " ".join(name.split())
    if not name:
        raise TokenError("Give the token a name, such as the app you will use it in.")
    if len(name) > TOKEN_NAME_MAX_CHARS:
        raise TokenError(f"A token name is at most {TOKEN_NAME_MAX_CHARS} characters.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
            raise TokenError(
                f"You have {MAX_TOKENS_PER_USER} tokens already; revoke one you no longer use."
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(secret),
            prefix=secret[:SHOWN_PREFIX_CHARS],
            created_at=now or timezone.now(),
        )
    logger.info("api.token_created user=%s token=%s", user.pk, token.pk)
    return NewToken(token=token, secret=secret)


def revoke_api_token(user: Any, token_id: int) -> None:
    """Delete one of `user`'s tokens; someone else's token is "not found", never revealed."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise TokenError("That token does not exist or was already revoked.")
    logger.info("api.token_revoked user=%s token=%s", user.pk, token_id)


def use_api_token(secret: str, now: datetime | None = None) -> Any | None:
    """The active user a token belongs to, or None; notes when the token was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
