"""Articles: one row per story a publisher published, whichever feeds it came through."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

# The largest id a row can have: the keys are signed 64-bit integers (BigAutoField), and a larger
# number sent by a client fails the query (SQLite: "Python int too large to convert"), so no row
# has it.
MAX_ID = 2**63 - 1


class Article(models.Model):
    publisher = models.ForeignKey(
        "sources.Publisher", on_delete=models.CASCADE, related_name="articles"
    )
    feed = models.ForeignKey(
        "sources.Feed", on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    story = models.ForeignKey(
        "stories.Story", on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    copy_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        help_text="The first article of this text's wire-copy set (same copy republished).",
    )
    url = models.URLField(max_length=2000, help_text="Canonical URL.")
    guid = models.CharField(max_length=2000, blank=True)
    title = models.CharField(max_length=1000)
    authors = models.JSONField(default=list, blank=True)
    section = models.CharField(
        max_length=200,
        blank=True,
        help_text="A Section's name, or blank when the publisher's section names none.",
    )
    section_source = models.CharField(
        max_length=200, blank=True, help_text="The section as the publisher gave it."
    )
    topics = models.JSONField(default=list, blank=True, help_text="The feed's categories.")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    lead_image_url = models.URLField(max_length=2000, blank=True)
    lead_image_caption = models.TextField(blank=True)
    lead_image_credit = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    content_html = models.TextField(blank=True, help_text="Sanitised article body.")
    content_text = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    extraction_error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            # One article per canonical URL, whichever feeds or tracking links led to it.
            models.UniqueConstraint(fields=["url"], name="article_unique_url"),
        ]
        indexes = [
            models.Index(fields=["publisher", "guid"]),
            models.Index(fields=["-fetched_at"]),
            # A reader's followed publishers in a time window (the sync APIs' entries, counted and
            # listed by id) from the index alone, never reading the rows with their bodies. The id
            # is a key column because SQLite has no INCLUDE (it would keep the rowid anyway).
            models.Index(fields=["publisher", "published_at", "id"], name="article_pub_published"),
            # The same for the sections a reader follows (their sync feeds).
            models.Index(fields=["section", "published_at", "id"], name="article_sec_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reader:article", args=[self.pk])

    @property
    def byline(self) -> str:
        names = [a for a in self.authors if a]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def reading_minutes(self) -> int:
        # 230 words a minute is the usual adult silent-reading rate for news prose.
        return max(1, round(self.word_count / 230))


class ArticleTopic(models.Model):
    """One of an article's topics, as a row: the portable index behind /topics/<slug>/.

    `Article.topics` is a JSON list, and JSON containment has no index on SQLite; this table
    mirrors it (written with the article by ingest, backfilled by `newsstand topics reindex`).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topic_index")
    slug = models.CharField(max_length=200)
    name = models.CharField(max_length=200, help_text="The topic as the feed spelled it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "slug"], name="articletopic_unique_slug")
        ]
        indexes = [models.Index(fields=["slug", "article"])]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A section readers browse by; publishers' own names for it are its aliases.

    Ingest maps each article's section onto these (`articles.sections.normalise_section`);
    `newsstand sections normalise` (or the admin's action) applies a changed list to the
    articles already stored.
    """

    name = models.CharField(max_length=60, unique=True, help_text="As readers see it.")
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=True)
    aliases = models.TextField(
        blank=True,
        help_text=(
            "Other names publishers use for it, one per line or separated by commas. Case, "
            "accents, '&' for 'and', a trailing 'news' and a plural 's' are folded already."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reader:section", args=[self.name])
