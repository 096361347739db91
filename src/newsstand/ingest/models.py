"""What ingestion remembers about its own work: one row per feed check, for feed health."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FeedCheck(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", "New content"
        NOT_MODIFIED = "not_modified", "Not modified"
        ERROR = "error", "Error"
        GONE = "gone", "Gone (410)"

    feed = models.ForeignKey("sources.Feed", on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error_kind = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    new_articles = models.PositiveIntegerField(default=0)
    page_errors = models.PositiveIntegerField(default=0)
    # New items that could not be stored (the first one is described in `error`).
    item_errors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["feed", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.feed_id} {self.outcome} at {self.checked_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """One background worker process, as it last reported itself (every few seconds).

    Staff see them on the feed-health page and /readyz lists them; a worker whose `seen_at` is
    older than workers.WORKER_STALE_S is taken for dead.
    """

    name = models.CharField(max_length=200, unique=True)  # host:pid
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    threads = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    # Feeds the worker was fetching at its last report.
    fetching = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} seen {self.seen_at:%H:%M:%S}"
