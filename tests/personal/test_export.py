"""The reader's saved articles, history and follows go into "Download my data"."""

from __future__ import annotations

import pytest

from newsstand.accounts.actions import export_user_data
from newsstand.personal import actions
from newsstand.personal.targets import resolve_target
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_export_holds_saved_history_and_follows(reader):
    publisher = make_publisher()
    article = make_article(publisher)
    actions.save_article(reader, article.pk)
    actions.note_article_opened(reader, article)
    actions.follow(reader, resolve_target("publisher", str(publisher.pk)))

    data = export_user_data(reader)

    personal = data["personal"]
    assert [s["article"]["id"] for s in personal["saved"]] == [article.pk]
    assert personal["history"][0]["article"]["title"] == article.title
    assert personal["history"][0]["read_count"] == 1
    assert [(f["kind"], f["key"], f["muted"]) for f in personal["following"]] == [
        ("publisher", str(publisher.pk), False)
    ]
    assert "membership" in data
