"""The reader's saved articles, history and follows are in "Download my data", and go with the
account when it is deleted."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from newsstand.accounts.actions import delete_account, export_user_data
from newsstand.personal import actions
from newsstand.personal.models import Follow, ReadingHistory, SavedArticle
from newsstand.personal.targets import resolve_target
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_export_holds_saved_history_and_following(reader):
    pub = make_publisher("The Guardian")
    article = make_article(pub, title="Harbour bridge reopens")
    actions.save_article(reader, article.pk)
    actions.note_article_opened(reader, article)
    actions.note_article_opened(reader, article)
    actions.follow(reader, resolve_target("publisher", str(pub.pk)))
    actions.mute(reader, resolve_target("section", "Business"))

    data = export_user_data(reader)
    assert list(data)[:3] == ["format", "exported_at", "account"]
    (saved,) = data["saved"]
    assert (saved["title"], saved["url"], saved["article_id"]) == (
        "Harbour bridge reopens",
        article.url,
        article.pk,
    )
    (read,) = data["history"]
    assert read["read_count"] == 2 and read["title"] == "Harbour bridge reopens"
    assert [(f["kind"], f["name"], f["muted"]) for f in data["following"]] == [
        ("publisher", "The Guardian", False),
        ("section", "Business", True),
    ]


def test_download_is_json_with_the_personal_parts(reader_client, reader):
    actions.save_article(reader, make_article(make_publisher()).pk)
    response = reader_client.get(reverse("accounts:export"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert len(data["saved"]) == 1 and data["history"] == [] and data["following"] == []


def test_deleting_the_account_deletes_the_personal_rows(reader):
    article = make_article(make_publisher())
    actions.save_article(reader, article.pk)
    actions.note_article_opened(reader, article)
    actions.follow(reader, resolve_target("publisher", str(article.publisher_id)))
    delete_account(reader)
    assert not SavedArticle.objects.exists()
    assert not ReadingHistory.objects.exists()
    assert not Follow.objects.exists()
