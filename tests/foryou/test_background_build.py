"""The corpus is built in a background thread: a page never waits for it, and says so."""

from __future__ import annotations

from typing import Any

import pytest

from newsstand.foryou import live, window_cache
from tests.foryou.conftest import NewsTexts, make_news
from tests.personal.conftest import make_user

# Committed rows: the builder thread reads them through its own database connection.
pytestmark = pytest.mark.django_db(transaction=True)

BUILD_WAIT_S = 60.0


@pytest.fixture
def background(settings: Any) -> None:
    settings.NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND = True


def test_the_first_page_is_the_fallback_while_the_corpus_builds(
    background: None, news_texts: NewsTexts
) -> None:
    # Each article a story of its own: reading one brings the other of its pair.
    news = make_news(news_texts, with_stories=True, apart=True)
    user = make_user()
    a, _ = news.pairs[0]
    from newsstand.personal import actions

    actions.note_article_opened(user, a)
    first = live.feed_page(user)
    assert first.preparing
    assert first.entries, "the fallback still shows the news"
    assert all(e.reason in {"Top story right now", "Latest news"} for e in first.entries)

    assert window_cache.wait_for_build(BUILD_WAIT_S)
    ready = live.feed_page(user)
    assert not ready.preparing
    assert any(r.startswith("Because you read") for e in ready.entries for r in e.reasons)


def test_a_task_can_wait_for_the_build(background: None, news_texts: NewsTexts) -> None:
    news = make_news(news_texts, with_stories=True, apart=True)
    user = make_user()
    from newsstand.personal import actions

    actions.note_article_opened(user, news.pairs[0][0])
    entries = live.page_for(user, wait_s=BUILD_WAIT_S)
    assert any(r.startswith("Because you read") for e in entries for r in e.reasons)


def test_the_page_says_it_is_still_preparing(
    background: None, client: Any, news_texts: NewsTexts
) -> None:
    make_news(news_texts, with_stories=False)
    client.force_login(make_user())
    html = client.get("/for-you/").content.decode()
    assert "still reading today" in html
    window_cache.wait_for_build(BUILD_WAIT_S)
    assert "still reading today" not in client.get("/for-you/").content.decode()


def test_the_page_while_building_keeps_the_rules(background: None, news_texts: NewsTexts) -> None:
    """No corpus yet: the page is ranked from the database, by the same rules: nothing read
    nor of a read story, followed things within the first ten and saying so."""
    from newsstand.personal import actions
    from newsstand.personal.targets import resolve_target

    news = make_news(news_texts, with_stories=True)
    user = make_user()
    a, b = news.pairs[4]
    actions.note_article_opened(user, a)
    publisher = news.publishers[9]
    actions.follow(user, resolve_target("topic", "Film"))
    actions.follow(user, resolve_target("publisher", str(publisher.pk)))
    page = live.feed_page(user, limit=live.FEED_DEPTH)
    assert page.preparing
    shown = [e.article for e in page.entries]
    assert not {a.pk, b.pk} & {x.pk for x in shown}
    first_ten = page.entries[:10]
    film = [e for e in first_ten if "Film" in e.article.topics]
    assert film and "You follow Film" in film[0].reasons
    ours = [e for e in first_ten if e.article.publisher_id == publisher.pk]
    assert ours and f"You follow {publisher.name}" in ours[0].reasons
    assert len({x.story_id for x in shown if x.story_id}) == len([x for x in shown if x.story_id])
    window_cache.wait_for_build(BUILD_WAIT_S)
