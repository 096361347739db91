"""State changes of sync: making, revoking and using app passwords, and an app's read and star.

Read and starred are the reader's History and Saved (personal), written through
personal.actions, so the site and every app show one state.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from newsstand.personal import actions as personal
from newsstand.sync import day_counts, tallies
from newsstand.sync.models import (
    APP_PASSWORD_NAME_MAX_CHARS,
    AppPassword,
    PublisherDay,
    PublisherWeek,
    ReadDay,
    ReadWeek,
)

logger = logging.getLogger(__name__)

MAX_APP_PASSWORDS_PER_USER = 20
# Six groups of four from a-z and 0-9 (124 bits); the first two groups are the stored lookup,
# so 82 random bits are what a hash guards. Lower case and dashes: typed on a phone keyboard.
GROUPS = 6
GROUP_CHARS = 4
LOOKUP_GROUPS = 2
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# last_used_at is written at most this often: a syncing app must not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A password checked once is trusted this long from the cache: the Django hasher (Argon2) takes
# a large part of a second, and apps send the password with every request.
VERIFIED_CACHE_S = 600
# Google Reader's action tokens (the `T` of write calls) were 57 characters; clients keep them so.
GREADER_EDIT_TOKEN_CHARS = 57


class AppPasswordError(ValueError):
    """An app password cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class NewAppPassword:
    row: AppPassword
    password: str  # shown to the reader once, never stored


def fever_key_of(email: str, password: str) -> str:
    """What `AppPassword.fever_key` stores for the Fever api_key md5("email:password")."""
    api_key = hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()
    return hash_fever_api_key(api_key)


def hash_fever_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.strip().lower().encode()).hexdigest()


def _new_password() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(GROUP_CHARS)) for _ in range(GROUPS)]
    return "-".join(groups)


def _lookup_of(password: str) -> str:
    return password[: LOOKUP_GROUPS * (GROUP_CHARS + 1) - 1]


def create_app_password(user: Any, name: str, now: datetime | None = None) -> NewAppPassword:
    name = " ".join(name.split())
    if not name:
        raise AppPasswordError("Give the password a name, such as the app you will use it in.")
    if len(name) > APP_PASSWORD_NAME_MAX_CHARS:
        raise AppPasswordError(f"A name is at most {APP_PASSWORD_NAME_MAX_CHARS} characters.")
    password = _new_password()
    with transaction.atomic():
        if AppPassword.objects.filter(user=user).count() >= MAX_APP_PASSWORDS_PER_USER:
            raise AppPasswordError(
                f"You have {MAX_APP_PASSWORDS_PER_USER} app passwords already; "
                "revoke one you no longer use."
            )
        row = AppPassword.objects.create(
            user=user,
            name=name,
            lookup=_lookup_of(password),
            password_hash=make_password(password),
            fever_key=fever_key_of(user.email, password),
            created_at=now or timezone.now(),
        )
    logger.info("sync.app_password_created user=%s app_password=%s", user.pk, row.pk)
    return NewAppPassword(row=row, password=password)


def revoke_app_password(user: Any, app_password_id: int) -> None:
    """Delete one of `user`'s app passwords; someone else's is "not found", never revealed."""
    deleted, _ = AppPassword.objects.filter(user=user, pk=app_password_id).delete()
    if not deleted:
        raise AppPasswordError("That app password does not exist or was already revoked.")
    logger.info("sync.app_password_revoked user=%s app_password=%s", user.pk, app_password_id)


def _verified_key(row: AppPassword, password: str) -> str:
    # The stored hash is part of the key: a row made anew never inherits an old verdict.
    material = f"{row.pk}:{row.password_hash}:{password}".encode()
    return "sync:verified:" + hashlib.sha256(material).hexdigest()


def _verify(row: AppPassword, password: str, may_hash: bool = True) -> bool:
    """`password` is `row`'s: from the cache's verdict, else (when `may_hash`) by its hash."""
    key = _verified_key(row, password)
    if cache.get(key):
        if not may_hash:
            # The account is under attack: an app that keeps syncing keeps its verdict, or it
            # would be locked out once the verdict expired. Only then: a write per call costs.
            cache.touch(key, VERIFIED_CACHE_S)
        return True
    if not may_hash or not check_password(password, row.password_hash):
        return False
    cache.set(key, True, VERIFIED_CACHE_S)
    return True


def _used(row: AppPassword, now: datetime | None) -> AppPassword:
    now = now or timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        AppPassword.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def use_app_password(
    password: str,
    *,
    email: str | None = None,
    now: datetime | None = None,
    may_hash: bool = True,
) -> AppPassword | None:
    """The app password `password` is, of an active user (with `email`, when given), or None.

    With `may_hash` False only a verdict already in the cache lets it in (sync.clients.sign_in:
    an account past its failed sign-ins costs no hash).
    """
    password = password.strip().lower()
    rows = AppPassword.objects.select_related("user").filter(lookup=_lookup_of(password))
    if email is not None:
        rows = rows.filter(user__email__iexact=email.strip())
    row = rows.first()
    if row is None or not row.user.is_active or not _verify(row, password, may_hash):
        return None
    return _used(row, now)


def use_fever_key(api_key: str, now: datetime | None = None) -> AppPassword | None:
    """The app password behind a Fever api_key, of an active user, or None."""
    if not api_key.strip():
        return None
    row = (
        AppPassword.objects.select_related("user")
        .filter(fever_key=hash_fever_api_key(api_key))
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    return _used(row, now)


def _greader_digest(row: AppPassword, purpose: str) -> str:
    # Keyed by the site's secret over the row and its stored hash: only the server can make one,
    # and it dies with the app password (revoking deletes the row).
    value = f"{row.pk}:{row.password_hash}"
    return salted_hmac(f"newsstand.sync.greader.{purpose}", value, algorithm="sha256").hexdigest()


def greader_auth_token(row: AppPassword) -> str:
    """The `Auth=` token ClientLogin hands an app for `row`: "<row id>/<HMAC>"."""
    return f"{row.pk}/{_greader_digest(row, 'auth')}"


def greader_login(
    email: str, password: str, now: datetime | None = None, may_hash: bool = True
) -> tuple[AppPassword, str] | None:
    """ClientLogin: the app password of the reader with `email`, and its auth token; else None.

    Only app passwords sign in here; the sign-in password is never checked.
    """
    row = use_app_password(password, email=email, now=now, may_hash=may_hash)
    if row is None:
        return None
    return row, greader_auth_token(row)


def use_greader_token(token: str, now: datetime | None = None) -> AppPassword | None:
    """The app password behind `Authorization: GoogleLogin auth=<token>`, of an active user."""
    pk, sep, digest = token.strip().partition("/")
    if not sep or not pk.isascii() or not pk.isdigit():
        return None
    row = AppPassword.objects.select_related("user").filter(pk=int(pk)).first()
    if row is None or not row.user.is_active:
        return None
    if not constant_time_compare(digest, _greader_digest(row, "auth")):
        return None
    return _used(row, now)


def greader_edit_token(row: AppPassword) -> str:
    """The `T` token an app sends with write calls; fixed for the app password's life."""
    return _greader_digest(row, "edit")[:GREADER_EDIT_TOKEN_CHARS]


def is_greader_edit_token(row: AppPassword, token: str) -> bool:
    return constant_time_compare(token.strip(), greader_edit_token(row))


def set_read(user: Any, article_ids: list[int], read: bool, now: datetime | None = None) -> int:
    """Mark articles read (into History) or unread (out of it); the number changed."""
    with _refreshing_here():
        if read:
            changed = personal.mark_read(user, article_ids, now=now)
        else:
            changed = personal.mark_unread(user, article_ids)
    return _refreshed(user, changed)


def set_starred(user: Any, article_id: int, starred: bool) -> bool:
    """Star is Save: True if something changed."""
    with _refreshing_here():
        if starred:
            changed = personal.save_article(user, article_id)
        else:
            changed = personal.unsave_article(user, article_id)
    return bool(_refreshed(user, int(changed)))


def set_starred_many(user: Any, article_ids: list[int], starred: bool) -> int:
    """Star or unstar a batch (Google Reader's edit-tag takes up to 10,000 items): in one
    transaction, not one per article; the number changed."""
    with _refreshing_here():
        if starred:
            changed = personal.save_articles(user, article_ids)
        else:
            changed = personal.unsave_articles(user, article_ids)
    return _refreshed(user, changed)


def bring_totals_up(user: Any) -> None:
    """The reader's kept totals brought up to date after a change (`tallies.refresh_kept`: the
    app's next page then finds them kept); never raises."""
    try:
        tallies.refresh_kept(user)
    except Exception:
        # The change is committed and stays; the next page brings its total up itself.
        logger.exception("kept totals not refreshed user=%s", user.pk)


def totals_after_reshape(sender: Any, user: Any, **kwargs: Any) -> None:
    """`personal.signals.entries_reshaped`'s receiver (sync.apps): a follow or a cleared History
    is rare, and made on the website, where the time (~15 ms; a count in full after a clear,
    15-90 ms) is not felt; the app's next page would wait for it."""
    bring_totals_up(user)


def totals_after_state_change(sender: Any, user_id: int, **kwargs: Any) -> None:
    """`personal.signals.states_changed`'s receiver (sync.apps): an article read, marked or
    saved on the website. Its totals are brought up by a task, off the article view, if an app
    asked for any lately, so that the app's next page finds them kept rather than bringing
    them up itself (PostgreSQL: 12 statements against 7, docs/benchmarks.md, Sync). An app's own
    write brings them up in its call (`_refreshed`) and is left out here. Never raises."""
    if not _REFRESHING_HERE.get():
        transaction.on_commit(lambda: _ask_refresh(user_id))


def _ask_refresh(user_id: int) -> None:
    try:
        if tallies.remembers_totals(user_id):
            tallies.refresh_kept_task.enqueue(user_id)
    except Exception:
        # The change is committed and stays; the next page brings its total up itself.
        logger.exception("kept totals refresh not asked for user=%s", user_id)


# Set while an app's write runs: it brings the totals up itself once written.
_REFRESHING_HERE: ContextVar[bool] = ContextVar("sync_refreshing_here", default=False)


@contextmanager
def _refreshing_here() -> Iterator[None]:
    token = _REFRESHING_HERE.set(True)
    try:
        yield
    finally:
        _REFRESHING_HERE.reset(token)


def _refreshed(user: Any, changed: int) -> int:
    """`changed`, once the reader's kept totals are brought up if it is not 0."""
    if changed:
        bring_totals_up(user)
    return changed


def rebuild_day_counts() -> tuple[int, int]:
    """Write the per-day counts again from the articles and History (`sync.day_counts`), in one
    transaction, after a restore or a `TRUNCATE` the triggers did not see; how many (publisher,
    day) and (reader, publisher, day) rows were written. The per-week counts follow the days'
    (their triggers, migration sync.0003). Best run with ingestion paused. Totals apps keep are
    counted again within `tallies.RECOUNT_S` of their next call."""
    with transaction.atomic():
        PublisherDay.objects.all().delete()
        ReadDay.objects.all().delete()
        # What the days' deletes left (0, or wrong where the weeks were what went astray).
        PublisherWeek.objects.all().delete()
        ReadWeek.objects.all().delete()
        articles, reads = day_counts.counted()
        PublisherDay.objects.bulk_create(
            (PublisherDay(publisher_id=p, day=d, articles=n) for (p, d), n in articles.items()),
            batch_size=2_000,
        )
        ReadDay.objects.bulk_create(
            (ReadDay(user_id=u, publisher_id=p, day=d, reads=n) for (u, p, d), n in reads.items()),
            batch_size=2_000,
        )
    logger.info("sync day counts rebuilt publisher_days=%d read_days=%d", len(articles), len(reads))
    return len(articles), len(reads)
