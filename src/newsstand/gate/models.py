"""Metered reads: the free full articles a registered non-member read, per calendar month."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MeteredRead(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="metered_reads"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="metered_reads"
    )
    # The first day of the calendar month (in settings.TIME_ZONE) the read counts against.
    month = models.DateField()
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Reading the same article again in the same month costs nothing.
            models.UniqueConstraint(
                fields=["user", "month", "article"], name="meteredread_unique_user_month_article"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.article_id} in {self.month:%Y-%m}"
