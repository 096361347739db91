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
