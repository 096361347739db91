"""Stories: one event as covered across publishers, how they rank, and what editors pick."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Story(models.Model):
    headline = models.CharField(max_length=1000)
    lead = models.TextField(blank=True)
    representative = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The article whose headline and lead stand for the story.",
    )
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    sections = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    # Denormalised so lists of stories need no per-story counting query.
    article_count = models.PositiveIntegerField(default=0)
    publisher_count = models.PositiveIntegerField(default=0)
    # Ranking: the score of the last ranking pass and why (signal -> contribution), for staff.
    score = models.FloatField(default=0.0, db_index=True)
    score_details = models.JSONField(default=dict, blank=True)
    ranked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_updated_at"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["-score", "-last_updated_at"])]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("reader:story", args=[self.pk])

    @property
    def sources_label(self) -> str:
        """ "1 source", "3 sources": how many publishers cover the story."""
        n = self.publisher_count
        return f"{n} source{'' if n == 1 else 's'}"


class StoryLink(models.Model):
    """Two stories about related events: Related Stories on an article page.

    Stored both ways (story -> other and other -> story) when an article of one had the other
    among its candidates with at least `ClusterConfig.link_floor`; `score` is the best such
    affinity (the clustering's scale, 0..1), and readers see links scoring at least
    `related_floor`.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "other"], name="storylink_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.story_id} -> {self.other_id} {self.score:.3f}"


class CopySketch(models.Model):
    """An article's wire-copy sketch (MinHash of its word 5-grams), kept so that every process
    rebuilds the same copy index from the database instead of re-shingling the window."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    shingles = models.PositiveIntegerField()
    # `wirecopy.NUM_PERM` unsigned 32-bit hash values, little-endian.
    minhash = models.BinaryField()

    def __str__(self) -> str:
        return f"sketch of {self.article_id}"


class ReadTally(models.Model):
    """Reads of a story's articles per hour: the "reads" signal of Top stories."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="read_tallies")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "hour"], name="readtally_unique_story_hour")
        ]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.story_id} {self.hour:%Y-%m-%d %H}:00 {self.count}"


class Pick(models.Model):
    """An editor's pick: a story or an article, in order, with an optional blurb and expiry."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, null=True, blank=True, related_name="picks"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, null=True, blank=True, related_name="picks"
    )
    position = models.PositiveIntegerField(default=0, db_index=True)
    blurb = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(story__isnull=False, article__isnull=True))
                | (Q(story__isnull=True, article__isnull=False)),
                name="pick_story_xor_article",
            )
        ]

    def __str__(self) -> str:
        return f"Pick #{self.position}: {self.story or self.article}"
