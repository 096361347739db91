"""History's copies of each article's publisher and publication time (ReadingHistory): written
with every row, however it is made, and kept equal to the article's when an editor changes it.
A wrong copy would make a reading app's unread total wrong (sync.queries.count_parts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsstand.personal import actions
from newsstand.personal.models import ReadingHistory
from tests.migrations import leaf_nodes, migrate
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher

BEFORE = [("personal", "0002_state_change")]
AFTER = [("personal", "0003_history_article_copies")]


def _copies(user) -> dict[int, tuple[int | None, object]]:
    rows = ReadingHistory.objects.filter(user=user).values_list(
        "article_id", "article_publisher_id", "article_published_at"
    )
    return {pk: (publisher_id, published) for pk, publisher_id, published in rows}


def _own(*articles) -> dict[int, tuple[int | None, object]]:
    return {a.pk: (a.publisher_id, a.published_at) for a in articles}


@pytest.mark.django_db
def test_every_way_a_row_is_written_copies_the_article():
    reader = make_user()
    publisher = make_publisher("Harbour Times")
    marked, opened, made, undated = (make_article(publisher) for _ in range(4))
    undated.published_at = None
    undated.save()
    assert actions.mark_read(reader, [marked.pk, undated.pk]) == 2
    assert actions.note_article_opened(reader, opened)
    ReadingHistory.objects.create(user=reader, article=made)
    assert _copies(reader) == _own(marked, opened, made, undated)


@pytest.mark.django_db
def test_an_edited_article_takes_its_copies_along():
    reader, other = make_user(), make_user()
    article = make_article(make_publisher("Harbour Times"))
    untouched = make_article(article.publisher)
    actions.mark_read(reader, [article.pk, untouched.pk])
    actions.mark_read(other, [article.pk])
    article.published_at = timezone.now() - timedelta(days=60)
    article.publisher = make_publisher("River Post")
    article.save()
    assert _copies(reader) == _own(article, untouched)
    assert _copies(other) == _own(article)
    # A save of other fields leaves them be (and costs no statement on History).
    article.title = "A new headline"
    article.save(update_fields=["title"])
    assert _copies(reader) == _own(article, untouched)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_rows_history_already_holds():
    reader = make_user()
    articles = [make_article(make_publisher("Harbour Times")) for _ in range(3)]
    try:
        old_apps = migrate(BEFORE).loader.project_state(BEFORE).apps
        old = old_apps.get_model("personal", "ReadingHistory")
        for article in articles:
            old.objects.create(user_id=reader.pk, article_id=article.pk)
        migrate(AFTER)
        assert _copies(reader) == _own(*articles)
    finally:
        migrate(leaf_nodes())
