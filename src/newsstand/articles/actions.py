"""State changes for articles: the topic index in step with `Article.topics`, and sections
in step with the Section list."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction

from newsstand.articles.models import Article, ArticleTopic
from newsstand.articles.sections import SectionCatalogue, normalise_section, section_catalogue
from newsstand.articles.signals import article_sections_changed
from newsstand.articles.topics import topic_links

logger = logging.getLogger(__name__)

# Articles per transaction when rebuilding the index or re-mapping sections: bounded memory
# and short write locks.
REINDEX_BATCH = 1000


def topic_rows(article_id: int, topics: object) -> list[ArticleTopic]:
    if not isinstance(topics, list):
        return []
    return [
        ArticleTopic(article_id=article_id, slug=link.slug, name=link.name)
        for link in topic_links(topics)
    ]


def index_article_topics(article: Article) -> int:
    """Write a new article's topic rows (one insert); the number written."""
    rows = topic_rows(article.pk, article.topics)
    if rows:
        ArticleTopic.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reindex_topics(*, batch: int = REINDEX_BATCH) -> Iterator[int]:
    """Rebuild every article's topic rows from `Article.topics`; yields articles done per batch.

    Each batch deletes and rewrites its articles' rows in one transaction, so a page never sees
    an article without its topics for longer than that.
    """
    last_id = 0
    while True:
        chunk = list(
            Article.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "topics")[:batch]
        )
        if not chunk:
            return
        ids = [pk for pk, _ in chunk]
        rows = [row for pk, topics in chunk for row in topic_rows(pk, topics)]
        with transaction.atomic():
            ArticleTopic.objects.filter(article_id__in=ids).delete()
            ArticleTopic.objects.bulk_create(rows)
        last_id = ids[-1]
        logger.info("topics reindexed articles=%d up_to_id=%d", len(ids), last_id)
        yield len(ids)


def announce_section_changes(article_ids: list[int]) -> None:
    """Tell the packages above that these articles' sections changed; call it in the
    transaction that changed them, so their copies (`Story.sections`) change with them."""
    if article_ids:
        article_sections_changed.send(sender=Article, article_ids=article_ids)


def normalise_sections(
    catalogue: SectionCatalogue | None = None, *, batch: int = REINDEX_BATCH
) -> Iterator[tuple[int, int]]:
    """Map every stored article's raw section (`section_source`) onto the Section list again;
    yields (articles read, articles changed) per batch.

    For after staff add a section or a name for one: ingest maps new articles as they come.
    The changed articles are announced (`article_sections_changed`) in their batch's
    transaction, so the stories' copies (`Story.sections`) change with them.
    """
    catalogue = catalogue or section_catalogue()
    last_id = 0
    while True:
        chunk = list(
            Article.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "section", "section_source")[:batch]
        )
        if not chunk:
            return
        changed: defaultdict[str, list[int]] = defaultdict(list)
        for pk, section, source in chunk:
            # An article edited by hand before sections were mapped has no source: its section
            # is the raw value then.
            value = normalise_section(source or section, catalogue) or ""
            if value != section:
                changed[value].append(pk)
        with transaction.atomic():
            for value, ids in changed.items():
                Article.objects.filter(pk__in=ids).update(section=value)
            announce_section_changes([pk for ids in changed.values() for pk in ids])
        last_id = chunk[-1][0]
        moved = sum(len(ids) for ids in changed.values())
        logger.info(
            "sections normalised articles=%d changed=%d up_to_id=%d", len(chunk), moved, last_id
        )
        yield len(chunk), moved
