"""State changes of search. The index follows articles by itself (database triggers, see
backends/); the public texts (search/public.py) are computed here, as articles are saved; the
rest is for operators: after a restore, a bulk load with triggers off, or a check that reported
problems."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from newsstand.articles.models import Article
from newsstand.search.backends import get_backend
from newsstand.search.models import PublicText
from newsstand.search.public import PUBLIC_FIELDS, public_row

log = logging.getLogger(__name__)

# Articles computed and written per round: each needs its body parsed, so the memory held is
# this many bodies.
PUBLIC_BATCH = 500
_PUBLIC_UPDATE_FIELDS = ["title", "authors", "text"]


def write_public_text(article: Article) -> None:
    """Compute `article`'s public search text and store it (insert or replace)."""
    PublicText.objects.bulk_create(
        [PublicText(**public_row(article))],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=_PUBLIC_UPDATE_FIELDS,
    )


def _article_batches(ids: Iterable[int] | None) -> Iterator[list[Article]]:
    articles = Article.objects.only(*PUBLIC_FIELDS).order_by("pk")
    if ids is None:
        after = 0
        while batch := list(articles.filter(pk__gt=after)[:PUBLIC_BATCH]):
            yield batch
            after = batch[-1].pk
        return
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), PUBLIC_BATCH):
        yield list(articles.filter(pk__in=wanted[start : start + PUBLIC_BATCH]))


def refresh_public_texts(ids: Iterable[int] | None = None) -> int:
    """Compute and store the public search text of the articles `ids` (every article when None),
    in batches; drop texts whose article is gone when refreshing all. Returns how many."""
    done = 0
    for batch in _article_batches(ids):
        with transaction.atomic():
            PublicText.objects.bulk_create(
                [PublicText(**public_row(a)) for a in batch],
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=_PUBLIC_UPDATE_FIELDS,
            )
        done += len(batch)
    if ids is None:
        PublicText.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    return done


def fill_missing_public_texts() -> int:
    """Compute the public texts articles lack (bulk loads, raw SQL, an article changed behind
    the ORM's back); returns how many."""
    # NOT EXISTS, not NOT IN: PostgreSQL plans `id NOT IN (subquery)` as a hashed subplan only
    # when it fits work_mem, else as a nested loop (12+ minutes at 120,000 articles).
    has_text = PublicText.objects.filter(article_id=OuterRef("pk"))
    missing = list(Article.objects.filter(~Exists(has_text)).values_list("pk", flat=True))
    if missing:
        refresh_public_texts(missing)
        log.info("search public texts filled articles=%d", len(missing))
    return len(missing)


def rebuild_index() -> int:
    """Index every article again, the public texts computed anew; returns how many. Safe to run
    while the site serves."""
    if _public_installed():
        refresh_public_texts()
    return get_backend().rebuild()


def repair_index() -> bool:
    """Put back triggers a schema change dropped, rebuilding if it had to (True), and compute
    the public texts articles lack."""
    repaired = get_backend().ensure_index()
    if not _public_installed():
        return repaired
    if repaired:
        # While the triggers were gone, an article could change without its public text
        # being dropped: every text is computed again (the restored triggers index them).
        refresh_public_texts()
    else:
        fill_missing_public_texts()
    return repaired


def _public_installed() -> bool:
    """Whether search.0003 has run (not yet, while earlier migrations run on a new database)."""
    return PublicText._meta.db_table in connection.introspection.table_names()
