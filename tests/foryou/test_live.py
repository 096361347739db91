"""The database adapter: real articles and readers in, a For You page with reasons out."""

from __future__ import annotations

import pytest

from newsstand.foryou import live
from newsstand.foryou.reader_data import load_reader
from newsstand.personal import actions
from tests.foryou.conftest import News
from tests.personal.conftest import make_user

pytestmark = pytest.mark.django_db


def test_reader_data_reads_every_signal_and_follow_in_one_query(
    news: News, django_assert_num_queries
):
    user = make_user()
    a, b = news.pairs[0]
    actions.note_article_opened(user, a)
    actions.save_article(user, b.pk)
    from newsstand.personal.targets import resolve_target

    actions.follow(user, resolve_target("publisher", str(news.publishers[1].pk)))
    actions.mute(user, resolve_target("topic", "Film"))
    with django_assert_num_queries(1):
        data = load_reader(user.pk, max_signals=100)
    kinds = sorted((s.kind.value, s.article_id) for s in data.signals)
    assert kinds == sorted([("read", a.pk), ("saved", b.pk)])
    fs = data.follow_set
    assert fs.followed.publishers == {news.publishers[1].pk}
    assert fs.muted.topics == {"film"}


def test_page_for_ranks_what_was_read(news: News):
    user = make_user()
    a, b = news.pairs[3]
    actions.note_article_opened(user, a)
    entries = live.page_for(user)
    ids = [e.article.pk for e in entries]
    assert a.pk not in ids
    assert b.pk in ids
    entry = next(e for e in entries if e.article.pk == b.pk)
    assert entry.reason == f"Because you read \u201c{a.title}\u201d"
