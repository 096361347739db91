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


class PublisherDay(models.Model):
    """How many articles a publisher has published on each day (UTC), kept by the database.

    A reading app's unread total after a day away, or on its first sync, counts the window's
    entries and the reader's History rows in it: 100,000 and 90,000 rows at the benchmark's
    size, 19 ms on SQLite and 47 on PostgreSQL (`bench/sync_phases.py --cases count`). Summed
    per day, it is 30 rows a publisher, and only the window's first, partial day is counted row
    by row (`sync.queries.count_parts`).

    Written by triggers on the articles table (migration 0002), not by Django: every way an
    article is stored, moved or deleted (bulk inserts, cascades, editors, queryset updates)
    keeps the count, in the same transaction. Plain numbers rather than foreign keys, so that
    deletes in either order leave nothing to violate.
    """

    publisher_id = models.BigIntegerField()
    day = models.DateField()
    articles = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publisher_id", "day"], name="publisherday_unique")
        ]
        # The count in the key too: the sum is read from the index alone, without a row lookup
        # per day; the day first, so that the few days before the first whole week
        # (`PublisherWeek`) are found without reading the rest. The unique index is the
        # upserts' target.
        indexes = [
            models.Index(fields=["day", "publisher_id", "articles"], name="publisherday_by_day")
        ]

    def __str__(self) -> str:
        return f"publisher {self.publisher_id} on {self.day}: {self.articles}"


class ReadDay(models.Model):
    """How many of a publisher's articles of each day (UTC) a reader has in History, kept by
    the database from History's copies of the article's publisher and date (triggers,
    migration 0002): the read side of `PublisherDay`."""

    user_id = models.BigIntegerField()
    publisher_id = models.BigIntegerField()
    day = models.DateField()
    reads = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "publisher_id", "day"], name="readday_unique"
            )
        ]
        indexes = [  # as PublisherDay's
            models.Index(fields=["user_id", "day", "publisher_id", "reads"], name="readday_by_day")
        ]

    def __str__(self) -> str:
        return f"reader {self.user_id}, publisher {self.publisher_id} on {self.day}: {self.reads}"


class PublisherWeek(models.Model):
    """`PublisherDay` summed per week (ISO weeks, from Monday, UTC): kept by triggers on the
    per-day table (migration 0003), so every change to a day's count reaches its week.

    A full count sums the days before the window's first whole week and the weeks from it: about
    8 rows a publisher instead of 30: the count 11.6 -> 8.9 ms on PostgreSQL and 7.4 -> 5.2 ms on
    SQLite at the benchmark's size (`bench/sync_phases.py --cases count`).
    """

    publisher_id = models.BigIntegerField()
    week = models.DateField()  # the Monday it begins on
    articles = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publisher_id", "week"], name="publisherweek_unique")
        ]
        indexes = [  # as PublisherDay's
            models.Index(fields=["week", "publisher_id", "articles"], name="publisherweek_by_week")
        ]

    def __str__(self) -> str:
        return f"publisher {self.publisher_id} in the week of {self.week}: {self.articles}"


class ReadWeek(models.Model):
    """`ReadDay` summed per week, as `PublisherWeek` sums `PublisherDay`."""

    user_id = models.BigIntegerField()
    publisher_id = models.BigIntegerField()
    week = models.DateField()
    reads = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "publisher_id", "week"], name="readweek_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["user_id", "week", "publisher_id", "reads"], name="readweek_by_week"
            )
        ]

    def __str__(self) -> str:
        return (
            f"reader {self.user_id}, publisher {self.publisher_id} in the week of {self.week}: "
            f"{self.reads}"
        )
