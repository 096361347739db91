"""What a signed-in reader keeps: saved articles, what they read, and what they follow or mute.

Rows belong to one user and go with them (CASCADE): deleting an account leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedArticle(models.Model):
    """An article kept to read later (/saved/)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_articles"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="saved_by"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="savedarticle_unique")
        ]
        indexes = [models.Index(fields=["user", "-saved_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} saved {self.article_id}"


class ReadingHistory(models.Model):
    """One row per article a reader opened: when last, and how often (/history/)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_history"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="reading_history"
    )
    first_read_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(default=timezone.now)
    read_count = models.PositiveIntegerField(default=1)
    # Copies of the article's publisher and publication time, so that how many of a reader's
    # feeds' articles in a window they read is counted from this table's index alone: joined
    # to the articles, that count is one index probe per row (60 ms for 90,000 rows on
    # SQLite), and the reader's apps need it for their unread totals (sync.queries.count_parts).
    # Filled wherever a row is written (`save`, personal.actions) and kept equal to the
    # article's by `personal.actions.copy_article_fields` when an editor changes the article.
    article_publisher_id = models.BigIntegerField(null=True, blank=True, editable=False)
    article_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "reading history"
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="readinghistory_unique")
        ]
        indexes = [
            models.Index(fields=["user", "-last_read_at"]),
            models.Index(
                fields=["user", "article_publisher_id", "article_published_at"],
                name="history_user_pub_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.article_id} x{self.read_count}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rows made by hand (admin, tests, scripts) as well as by personal.actions.
        if self.article_publisher_id is None and self.article_id is not None:
            self.article_publisher_id = self.article.publisher_id
            self.article_published_at = self.article.published_at
            if kwargs.get("update_fields") is not None:
                copied = {"article_publisher_id", "article_published_at"}
                kwargs["update_fields"] = {*kwargs["update_fields"], *copied}
        super().save(*args, **kwargs)


class StateChange(models.Model):
    """One change of a reader's state of an article: put in History or taken out (`READ`),
    saved or unsaved (`SAVED`); `on` is the state after.

    Kept a day (`personal.actions.STATE_CHANGE_KEEP_S`, `prune_state_changes`), so that a
    count of the reader's entries kept for their reading apps is brought up to date by what
    changed since it was counted rather than counted again (sync.tallies). Written in the
    transaction that changes History or Saved, so a count and the last change id read in one
    statement agree.
    """

    READ, SAVED = "read", "saved"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Not a foreign key: a change only says what happened, and is gone within a day.
    article_id = models.BigIntegerField()
    kind = models.CharField(max_length=5, choices=[(READ, "read"), (SAVED, "saved")])
    on = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "id"], name="statechange_user_id"),
            models.Index(fields=["at"], name="statechange_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {'on' if self.on else 'off'} {self.article_id}"


class Follow(models.Model):
    """A publisher, section, topic or story a reader follows, or mutes (`muted`).

    One row per user and target: following and muting exclude each other, so muting a followed
    publisher turns the row around rather than adding a second one.
    """

    class Kind(models.TextChoices):
        PUBLISHER = "publisher", "Publisher"
        SECTION = "section", "Section"
        TOPIC = "topic", "Topic"
        STORY = "story", "Story"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Publisher and story: the row id (stable across renames); section: the name casefolded
    # (section pages match case-insensitively); topic: its slug.
    key = models.CharField(max_length=200)
    # The name shown when followed: the Following page's label for sections and topics, and the
    # fallback for a publisher or story that no longer exists.
    label = models.CharField(max_length=300, blank=True)
    muted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="follow_unique_target")
        ]
        indexes = [models.Index(fields=["user", "muted", "kind"])]

    def __str__(self) -> str:
        verb = "mutes" if self.muted else "follows"
        return f"{self.user_id} {verb} {self.kind} {self.key}"
