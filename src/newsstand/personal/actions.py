"""A reader's state changes: save and unsave, follow, mute and their undoing, reading history
(which is also read/unread for reading apps: docs/decisions.md, "Sync").

Every function takes the signed-in user and does one small write; views only call these.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal.models import Follow, ReadingHistory, SavedArticle, StateChange
from newsstand.personal.signals import entries_reshaped, states_changed
from newsstand.personal.state import new_state_token
from newsstand.personal.targets import FollowTarget

logger = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser


# State changes are kept this long: longer than a kept total may go without a full count
# (sync.tallies.KEEP_S), so none it still needs is pruned.
STATE_CHANGE_KEEP_S = 25 * 3600
# A larger batch (an app's "mark all as read") is not logged row by row: kept totals are counted
# again, as sync.tallies would do anyway past this many changes (its MAX_CHANGES is this).
MAX_LOGGED_CHANGES = 2_000


def _state_changed(user_id: int, *, derivable: bool = False, reshaped: bool = False) -> None:
    # Now, for what this transaction reads next, and inside a transaction again after commit:
    # another request reading between the first new token and the commit keeps figures of the
    # old state under it. (Outside one the write is already committed: once is enough, and an
    # article view, which calls this, pays for one cache write, not two.)
    new_state_token(user_id, derivable=derivable)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: new_state_token(user_id, derivable=derivable))
    if not reshaped:
        # After the token's callback is registered: what receivers do on commit runs after it,
        # and keeps what it computes under the new token.
        states_changed.send(sender=StateChange, user_id=user_id)


def _entries_reshaped(user: AbstractBaseUser, *, derivable: bool = True) -> None:
    _state_changed(user.pk, derivable=derivable, reshaped=True)
    # After the commit (at once outside a transaction): receivers read the state as it is.
    transaction.on_commit(lambda: entries_reshaped.send(sender=Follow, user=user))


def _log_changes(
    user_id: int, article_ids: list[int], kind: str, *, on: bool, now: datetime
) -> bool:
    """Record state changes beside the History or Saved write (same transaction):
    sync.tallies brings the reader's kept totals up to date from them. False, logging nothing,
    for a batch larger than MAX_LOGGED_CHANGES: the caller retires the totals instead."""
    if len(article_ids) > MAX_LOGGED_CHANGES:
        return False
    StateChange.objects.bulk_create(
        StateChange(user_id=user_id, article_id=pk, kind=kind, on=on, at=now) for pk in article_ids
    )
    return True


def prune_state_changes(*, now: datetime | None = None) -> int:
    """Forget state changes older than STATE_CHANGE_KEEP_S (a periodic task); how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=STATE_CHANGE_KEEP_S)
    deleted, _ = StateChange.objects.filter(at__lt=cutoff).delete()
    return deleted


def save_article(user: AbstractBaseUser, article_id: int, *, now: datetime | None = None) -> bool:
    """Keep an article to read later; True if newly saved (saving twice changes nothing)."""
    when = now or timezone.now()
    with transaction.atomic():
        _, created = SavedArticle.objects.get_or_create(
            user_id=user.pk, article_id=article_id, defaults={"saved_at": when}
        )
        if created:
            _log_changes(user.pk, [article_id], StateChange.SAVED, on=True, now=when)
    if created:
        _state_changed(user.pk, derivable=True)
        logger.info("article saved user_id=%s article_id=%s", user.pk, article_id)
    return created


def unsave_article(user: AbstractBaseUser, article_id: int) -> bool:
    """Drop an article from Saved; True if it was there."""
    with transaction.atomic():
        deleted, _ = SavedArticle.objects.filter(user_id=user.pk, article_id=article_id).delete()
        if deleted:
            _log_changes(user.pk, [article_id], StateChange.SAVED, on=False, now=timezone.now())
    if deleted:
        _state_changed(user.pk, derivable=True)
        logger.info("article unsaved user_id=%s article_id=%s", user.pk, article_id)
    return bool(deleted)


def save_articles(
    user: AbstractBaseUser, article_ids: list[int], *, now: datetime | None = None
) -> int:
    """Save many articles at once (a reading app starring a batch); how many were newly
    saved. Ids of articles that do not exist are skipped; saved ones keep their date."""
    wanted = set(article_ids)
    ids = set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    already = set(
        SavedArticle.objects.filter(user_id=user.pk, article_id__in=ids).values_list(
            "article_id", flat=True
        )
    )
    new = sorted(ids - already)
    if not new:
        return 0
    when = now or timezone.now()
    with transaction.atomic():
        # ignore_conflicts: one a concurrent request saved meanwhile is just as saved.
        SavedArticle.objects.bulk_create(
            (SavedArticle(user_id=user.pk, article_id=pk, saved_at=when) for pk in new),
            ignore_conflicts=True,
        )
        logged = _log_changes(user.pk, new, StateChange.SAVED, on=True, now=when)
    _state_changed(user.pk, derivable=logged)
    logger.info("articles saved user_id=%s articles=%d", user.pk, len(new))
    return len(new)


def unsave_articles(user: AbstractBaseUser, article_ids: list[int]) -> int:
    """Drop many articles from Saved at once; how many were there."""
    deleted = _take_out(SavedArticle, StateChange.SAVED, user.pk, article_ids)
    if deleted:
        logger.info("articles unsaved user_id=%s articles=%d", user.pk, deleted)
    return deleted


def _take_out(
    model: type[ReadingHistory] | type[SavedArticle],
    kind: str,
    user_id: int,
    article_ids: list[int],
) -> int:
    """Delete the reader's rows of `model` for these articles, log each as a change of `kind`
    in the same transaction, and retire the state token; how many were deleted."""
    with transaction.atomic():
        rows = model.objects.filter(user_id=user_id, article_id__in=set(article_ids))
        # The rows listed are the rows deleted and logged, whatever another request adds.
        ids = list(rows.values_list("article_id", flat=True))
        deleted, _ = rows.filter(article_id__in=ids).delete()
        logged = _log_changes(user_id, ids, kind, on=False, now=timezone.now())
    if deleted:
        _state_changed(user_id, derivable=logged)
    return deleted


def _set_follow(user: AbstractBaseUser, target: FollowTarget, *, muted: bool) -> Follow:
    row, _ = Follow.objects.update_or_create(
        user_id=user.pk,
        kind=target.kind,
        key=target.key,
        defaults={"muted": muted, "label": target.label},
    )
    # Kept totals compare the feeds they counted with the follows now (sync.tallies).
    _entries_reshaped(user)
    logger.info(
        "%s user_id=%s kind=%s key=%s",
        "muted" if muted else "followed",
        user.pk,
        target.kind,
        target.key,
    )
    return row


def follow(user: AbstractBaseUser, target: FollowTarget) -> Follow:
    """Follow a publisher, section, topic or story; following a muted one unmutes it."""
    return _set_follow(user, target, muted=False)


def mute(user: AbstractBaseUser, target: FollowTarget) -> Follow:
    """Mute a publisher, section, topic or story; muting a followed one stops following it."""
    return _set_follow(user, target, muted=True)


def unfollow(user: AbstractBaseUser, kind: str, key: str) -> bool:
    """Stop following; True if it was followed. A muted target stays muted."""
    deleted, _ = Follow.objects.filter(user_id=user.pk, kind=kind, key=key, muted=False).delete()
    if deleted:
        _entries_reshaped(user)
        logger.info("unfollowed user_id=%s kind=%s key=%s", user.pk, kind, key)
    return bool(deleted)


def unmute(user: AbstractBaseUser, kind: str, key: str) -> bool:
    """Stop muting; True if it was muted. A followed target stays followed."""
    deleted, _ = Follow.objects.filter(user_id=user.pk, kind=kind, key=key, muted=True).delete()
    if deleted:
        _entries_reshaped(user)
        logger.info("unmuted user_id=%s kind=%s key=%s", user.pk, kind, key)
    return bool(deleted)


def remove_from_history(user: AbstractBaseUser, article_id: int) -> bool:
    """Forget that the reader opened one article; True if it was in the history."""
    with transaction.atomic():
        deleted, _ = ReadingHistory.objects.filter(user_id=user.pk, article_id=article_id).delete()
        if deleted:
            _log_changes(user.pk, [article_id], StateChange.READ, on=False, now=timezone.now())
    if deleted:
        _state_changed(user.pk, derivable=True)
        logger.info("history entry removed user_id=%s article_id=%s", user.pk, article_id)
    return bool(deleted)


def clear_history(user: AbstractBaseUser) -> int:
    """Forget every article the reader opened; the number of entries removed."""
    deleted, _ = ReadingHistory.objects.filter(user_id=user.pk).delete()
    # Not recorded article by article (a History of 90,000): kept totals are counted again.
    _entries_reshaped(user, derivable=False)
    logger.info("history cleared user_id=%s entries=%d", user.pk, deleted)
    return deleted


def mark_read(
    user: AbstractBaseUser, article_ids: list[int], *, now: datetime | None = None
) -> int:
    """Put articles in the reader's History as read (a reading app's "mark as read").

    An article already there keeps its dates and count: marking is not opening it again. Ids of
    articles that do not exist are skipped. Returns how many were newly marked.
    """
    found = {
        pk: (publisher_id, published_at)
        for pk, publisher_id, published_at in Article.objects.filter(
            pk__in=set(article_ids)
        ).values_list("pk", "publisher_id", "published_at")
    }
    ids = set(found)
    if not ids:
        return 0
    already = set(
        ReadingHistory.objects.filter(user_id=user.pk, article_id__in=ids).values_list(
            "article_id", flat=True
        )
    )
    when = now or timezone.now()
    rows = [
        ReadingHistory(
            user_id=user.pk,
            article_id=pk,
            first_read_at=when,
            last_read_at=when,
            article_publisher_id=found[pk][0],
            article_published_at=found[pk][1],
        )
        for pk in sorted(ids - already)
    ]
    # ignore_conflicts: a row a concurrent request wrote meanwhile is just as read (and its
    # change logged twice says the same: unread before, read after).
    if not rows:
        return 0
    with transaction.atomic():
        ReadingHistory.objects.bulk_create(rows, ignore_conflicts=True)
        ids_read = [r.article_id for r in rows]
        logged = _log_changes(user.pk, ids_read, StateChange.READ, on=True, now=when)
    _state_changed(user.pk, derivable=logged)
    logger.info("marked read user_id=%s articles=%d", user.pk, len(rows))
    return len(rows)


def copy_article_fields(article: Article) -> int:
    """Make History's copies of an article's publisher and publication time its own again
    (an editor changed them); how many rows were behind. Called on every save of an article."""
    return (
        ReadingHistory.objects.filter(article_id=article.pk)
        .exclude(
            article_publisher_id=article.publisher_id,
            article_published_at=article.published_at,
        )
        .update(
            article_publisher_id=article.publisher_id,
            article_published_at=article.published_at,
        )
    )


def mark_unread(user: AbstractBaseUser, article_ids: list[int]) -> int:
    """Take articles out of the reader's History (a reading app's "mark as unread")."""
    deleted = _take_out(ReadingHistory, StateChange.READ, user.pk, article_ids)
    if deleted:
        logger.info("marked unread user_id=%s articles=%d", user.pk, deleted)
    return deleted


def note_article_opened(user: AnyUser, article: Article, *, now: datetime | None = None) -> bool:
    """Record that a signed-in reader opened an article (one upsert); anonymous is a no-op.

    Called on every article page view, so it is one statement, and a failure is logged rather
    than breaking the page: history is a convenience, the article is what the reader came for.
    """
    if not user.is_authenticated:
        return False
    moment = now or timezone.now()
    when = connection.ops.adapt_datetimefield_value(moment)
    table = connection.ops.quote_name(ReadingHistory._meta.db_table)
    # Django's bulk_create(update_conflicts=...) can only copy the new row's values, not add
    # one to read_count; INSERT ... ON CONFLICT DO UPDATE is the same on SQLite and PostgreSQL.
    sql = (
        f"INSERT INTO {table} (user_id, article_id, first_read_at, last_read_at, read_count, "  # noqa: S608 - the table name comes from the model, values are parameters
        "article_publisher_id, article_published_at) "
        "VALUES (%s, %s, %s, %s, 1, %s, %s) "
        "ON CONFLICT (user_id, article_id) DO UPDATE SET "
        f"last_read_at = excluded.last_read_at, read_count = {table}.read_count + 1 "
        "RETURNING read_count"
    )
    # Inside a transaction (tests, ATOMIC_REQUESTS) a failed statement would poison the rest of
    # the request on PostgreSQL; a savepoint confines it. Outside one, the upsert and the read
    # change it records commit together.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            published = connection.ops.adapt_datetimefield_value(article.published_at)
            params = [user.pk, article.pk, when, when, article.publisher_id, published]
            cursor.execute(sql, params)
            first_read = cursor.fetchone()[0] == 1
            if first_read:
                _log_changes(user.pk, [article.pk], StateChange.READ, on=True, now=moment)
    except Exception:
        logger.exception("history not recorded user_id=%s article_id=%s", user.pk, article.pk)
        return False
    # Opened again, it was read already: nothing an app counts has changed.
    if first_read:
        _state_changed(user.pk, derivable=True)
    return True
