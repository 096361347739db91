"""Publishers and the feeds Newsstand polls for them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from newsstand.sources.naming import NameSource


class Publisher(models.Model):
    name = models.CharField(max_length=200)
    # Where the name came from: only a stronger origin replaces it (sources.naming.replaces),
    # and a name staff typed is never replaced.
    name_source = models.CharField(
        max_length=16,
        choices=[(s.value, s.value) for s in NameSource],
        default=NameSource.STAFF.value,
    )
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(max_length=2000, blank=True)
    country = models.CharField(max_length=64, blank=True, help_text="Country name or ISO code.")
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 language tag.")
    logo = models.URLField(
        max_length=2000,
        blank=True,
        help_text="An icon's address to use before the site's own; Newsstand fetches and "
        "serves a copy.",
    )
    # The stored icon's version (a digest of its bytes), blank without one: pages put it in
    # the icon's URL, so browsers cache an icon for good and fetch a new one when it changes.
    icon_version = models.CharField(max_length=16, blank=True)
    # When the homepage was last read for the site's name and icon (weekly, ingest.actions).
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    topics = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True, help_text="Retired publishers are not polled.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feed(models.Model):
    url = models.URLField(max_length=2000, unique=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="feeds")
    title = models.CharField(max_length=500, blank=True)
    section = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Lease: a worker that takes a feed owns it until this time, so two never fetch it at once
    # and a crashed worker's feed is picked up again when the lease runs out.
    leased_until = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publisher__name", "url"]
        indexes = [models.Index(fields=["is_active", "next_check_at"])]

    def __str__(self) -> str:
        return self.title or self.url


class PublisherIcon(models.Model):
    """A publisher's icon, fetched from its site and checked to be an image; Newsstand serves
    this copy (web.icons) rather than sending readers' browsers to the publisher."""

    publisher = models.OneToOneField(
        Publisher, on_delete=models.CASCADE, primary_key=True, related_name="icon"
    )
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    source_url = models.URLField(max_length=2000)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.publisher_id} {self.content_type} {self.width}x{self.height}"
