"""State changes for accounts: adding a user (the CLI), exporting and deleting an account.

Signing up, in and out, password reset and email change are allauth's flows; these are the ones
Newsstand adds around them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsstand.accounts.deletion import DeletionBlocked, registered_deletion_steps
from newsstand.accounts.export import registered_exporters

__all__ = [
    "AccountError",
    "DeletionBlocked",
    "NewAccount",
    "add_user",
    "decide_new_account",
    "delete_account",
    "export_user_data",
]

log = logging.getLogger(__name__)

EXPORT_FORMAT = "newsstand-export/1"


class AccountError(ValueError):
    """Input an account cannot be made from; the message says what is wrong."""


@dataclass(frozen=True)
class NewAccount:
    email: str
    password: str


def decide_new_account(email: str, password: str) -> NewAccount:
    """Check the address and the password (Django's validators) without touching the database."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"{email!r} is not a valid email address") from None
    # The validator allows 320 characters; the column holds fewer.
    max_length = User._meta.get_field("email").max_length
    if max_length is not None and len(email) > max_length:
        raise AccountError(
            f"the address is longer than {max_length} characters ({len(email)}), too long to store"
        )
    if not password:
        raise AccountError("the password is empty")
    try:
        # An unsaved user, so the similarity validator compares the password with the address.
        validate_password(password, user=User(email=email, username=email.split("@")[0]))
    except ValidationError as exc:
        raise AccountError("the password is too weak: " + " ".join(exc.messages)) from None
    return NewAccount(email=email, password=password)


def add_user(email: str, password: str) -> User:
    """Create a reader who can sign in at once: the address is primary and verified (whoever
    runs the command vouches for it). Refuses an address another account has."""
    account = decide_new_account(email, password)
    if filter_users_by_email(account.email):
        raise AccountError(f"an account with the email {account.email} already exists")
    user = User(email=account.email)
    user.username = get_adapter().generate_unique_username([account.email, "user"])
    user.set_password(account.password)
    try:
        with transaction.atomic():
            user.save()
            EmailAddress.objects.create(user=user, email=account.email, primary=True, verified=True)
    except IntegrityError:
        # Someone took the address between the check and the insert.
        raise AccountError(f"an account with the email {account.email} already exists") from None
    log.info("account added user_id=%s via=cli", user.pk)
    return user


def export_user_data(user: User) -> dict[str, Any]:
    """Everything Newsstand holds about `user`: one entry per registered part (export.py)."""
    parts = registered_exporters()
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": timezone.now().isoformat()}
    for name, fn in parts.items():
        data[name] = fn(user)
    log.info("account data exported user_id=%s parts=%s", user.pk, ",".join(parts))
    return data


def delete_account(user: User) -> None:
    """Delete the user and, by cascade, every row that is theirs alone (email addresses, the
    membership, whatever other packages tie to the user with CASCADE). Rows others still need
    point to no one instead: payments stay in the revenue books (their foreign key is SET_NULL).

    First every registered deletion step runs (deletion.py), e.g. membership cancelling a live
    subscription so the provider stops billing. A step that raises DeletionBlocked leaves the
    account exactly as it was, and the error reaches the caller.
    """
    user_id = user.pk
    for name, step in registered_deletion_steps().items():
        try:
            step(user)
        except DeletionBlocked as exc:
            log.warning("account deletion blocked user_id=%s step=%s: %s", user_id, name, exc)
            raise
    with transaction.atomic():
        user.delete()
    log.info("account deleted user_id=%s", user_id)
