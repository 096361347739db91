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
