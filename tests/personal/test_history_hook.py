"""Opening an article page while signed in records it in the reader's history, cheaply."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsstand.personal.models import ReadingHistory
from newsstand.stories import actions as story_actions
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher
from tests.reader.test_home_blocks import BROWSER, ranked  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

# Statements that only frame a transaction (the session save's, the test's savepoints).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def test_opening_an_article_records_history(reader_client, reader):
    article = make_article(make_publisher())
    url = reverse("reader:article", args=[article.pk])
    reader_client.get(url)
    reader_client.get(url)
    row = ReadingHistory.objects.get(user=reader)
    assert (row.article_id, row.read_count) == (article.pk, 2)


def test_prefetches_heads_and_visitors_record_nothing(client, reader):
    article = make_article(make_publisher())
    url = reverse("reader:article", args=[article.pk])
    client.get(url)
    client.force_login(reader)
    client.get(url, HTTP_PURPOSE="prefetch")
    client.get(url, HTTP_SEC_PURPOSE="prefetch;prerender")
    client.head(url)
    assert not ReadingHistory.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_signed_in_article_page_within_ten_statements(client, ranked):  # noqa: F811
    """The busiest article page (story, Related, Top stories, picks, a read counted, a history
    entry, a saved-state) for a signed-in reader, outside a test transaction as in production."""
    for story in ranked[:6]:
        story_actions.add_pick(story=story)
    article = ranked[-1].representative
    client.force_login(make_user())
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reader:article", args=[article.pk]), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]
    assert len(statements) <= 10, "\n".join(statements)
    assert ReadingHistory.objects.count() == 1
