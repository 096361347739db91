"""The read ledger: one row per member, article and day that the member read the article in full.

The rows are what publishers are paid from, so they outlive what they point at: a deleted
account leaves its reads behind with no user (anonymised, still counted for the month it paid
for), a deleted article leaves them with no article but with the publisher, and a publisher
with reads cannot be deleted at all (retire it instead). Trial members' reads are recorded
and flagged; the payout leaves them out of the pool.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FullRead(models.Model):
    class Via(models.TextChoices):
        TIME = "time", "Read long enough"
        SCROLL = "scroll", "Scrolled far enough"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="full_reads",
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="full_reads",
    )
    # Kept on the row (not only through the article) so the payout never depends on the article.
    publisher = models.ForeignKey(
        "sources.Publisher", on_delete=models.PROTECT, related_name="full_reads"
    )
    # The reader's calendar day in settings.TIME_ZONE: the unit of "once a day" and of months.
    day = models.DateField()
    read_at = models.DateTimeField(help_text="When the read was confirmed.")
    opened_at = models.DateTimeField(help_text="When the article page was served (the ticket).")
    via = models.CharField(max_length=8, choices=Via.choices)
    # The member was in a free trial when reading: the read is recorded but not paid for, since
    # trial members pay nothing (docs/decisions.md, "Trial reads are recorded, not paid").
    trial = models.BooleanField(default=False)

    class Meta:
        ordering = ["-read_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article", "day"], name="ledger_one_read_per_member_article_day"
            ),
            # One read per ticket: a ticket is (user, article, time served), and opened_at is
            # the ticket's time, so a ticket redeemed again after midnight finds its first read.
            models.UniqueConstraint(
                fields=["user", "article", "opened_at"], name="ledger_one_read_per_ticket"
            ),
        ]
        indexes = [models.Index(fields=["day", "publisher"])]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.article_id} on {self.day}"
