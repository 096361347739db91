"""Stories: the same event as covered across publishers (filled by the stories issue)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Story(models.Model):
    headline = models.CharField(max_length=1000)
    lead = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    sections = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-last_updated_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline
