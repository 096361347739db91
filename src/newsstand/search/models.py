"""PostgreSQL's search index. SQLite's lives in FTS5 virtual tables (backends/sqlite.py)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ArticleDocument(models.Model):
    """One article's text as tsvectors, written and deleted only by triggers on articles_article
    (see backends/postgres.py), so it is in step with whatever writes articles. On SQLite the table
    exists (migrations are the same everywhere) and stays empty."""

    article = models.OneToOneField(
        "articles.Article",
        primary_key=True,
        # A trigger deletes the row with its article (any DELETE, also raw SQL); the ORM leaves
        # it alone, and no constraint makes deleting an article wait on the index.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Title (weight A), byline (B), summary (C), body (D); 'english': stemmed, no stop words.
    document = SearchVectorField()
    # The title alone, 'simple' (unstemmed): search-as-you-type prefixes like "electi".
    title_document = SearchVectorField()

    objects: ClassVar[models.Manager[ArticleDocument]] = models.Manager()

    def __str__(self) -> str:
        return f"search document of article {self.pk}"


class PublicText(models.Model):
    """What a reader without full access can search an article by: its title, byline and the
    text the gate shows them (search/public.py), never the body behind the gate.

    Written from Python (the gate's teaser is cut from the HTML there): by `post_save` of an
    article and by `newsstand search rebuild`/`check`. Triggers on articles_article delete the
    row when the article goes or anything it was computed from changes, so a stale row is never
    searched: an article changed behind the ORM's back (QuerySet.update, raw SQL) is missing from
    public search until it is computed again. On SQLite the FTS5 table `search_public_fts`
    indexes these rows (triggers on this table); on PostgreSQL a trigger fills `document`."""

    article = models.OneToOneField(
        "articles.Article",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # a trigger deletes the row with its article
        db_constraint=False,
        related_name="+",
    )
    title = models.TextField()
    # The authors as JSON text, as the full index reads articles_article.authors.
    authors = models.TextField()
    text = models.TextField()
    # PostgreSQL only: title (A), byline (B), text (C), written by a trigger; null on SQLite.
    document = SearchVectorField(null=True)

    objects: ClassVar[models.Manager[PublicText]] = models.Manager()

    def __str__(self) -> str:
        return f"public search text of article {self.pk}"
