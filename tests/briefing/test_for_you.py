"""The briefing's For You section, from foryou.live.page_for over the For You tests' news
(tests/foryou/fixtures/news.py)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from newsstand.briefing import actions
from newsstand.briefing.content import build_briefing
from newsstand.personal.actions import note_article_opened
from newsstand.personal.models import Follow
from tests.briefing.conftest import SITE, make_reader
from tests.foryou.conftest import News, NewsTexts, make_news
from tests.foryou.conftest import news_texts as news_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(db: None, news_texts: NewsTexts) -> News:
    """Pairs of articles on the same event, each pair a story; the first three Top stories."""
    return make_news(news_texts, with_stories=True)


@pytest.fixture
def apart_news(db: None, news_texts: NewsTexts) -> News:
    """The same pairs, each article a story of its own: For You explains by the article read."""
    return make_news(news_texts, with_stories=True, apart=True)


def test_for_you_says_why(apart_news: News) -> None:
    reader = make_reader()
    a, b = apart_news.pairs[3]
    note_article_opened(reader, a)
    now = timezone.now()
    briefing = build_briefing(reader, now, now.date())
    (item,) = [i for i in briefing.for_you if i.url == f"{SITE}/articles/{b.pk}/"]
    assert item.note == f"Because you read \u201c{a.title}\u201d"
    assert item.source == b.publisher.name


def test_for_you_leaves_out_read_muted_and_top_stories(news: News) -> None:
    reader = make_reader()
    a, b = news.pairs[5]
    note_article_opened(reader, a)
    muted = news.pairs[8][0].publisher
    assert muted.pk != b.publisher_id
    Follow.objects.create(user=reader, kind="publisher", key=str(muted.pk), muted=True)
    now = timezone.now()

    briefing = build_briefing(reader, now, now.date())

    assert briefing.for_you, "For You found nothing"
    urls = [item.url for item in briefing.for_you]
    everything = [i.url for i in briefing.top + briefing.picks + briefing.for_you]
    assert f"{SITE}/articles/{a.pk}/" not in everything  # read
    # Another publisher's report of the story read is not news to the reader.
    assert f"{SITE}/articles/{b.pk}/" not in everything
    assert all(i.source != muted.name for i in briefing.for_you)
    assert len(everything) == len(set(everything))
    # A story in Top stories is not repeated in For You.
    top_story_ids = {p[0].story_id for p in news.pairs[:3]}
    top_urls = {f"{SITE}/articles/{p[0].pk}/" for p in news.pairs if p[0].story_id in top_story_ids}
    assert not top_urls & set(urls)


def test_a_reader_for_you_knows_nothing_about_gets_no_for_you_section(news: News) -> None:
    now = timezone.now()
    briefing = build_briefing(make_reader(), now, now.date())
    assert briefing.top and not briefing.for_you


def test_the_email_and_preview_with_for_you(news: News, django_assert_max_num_queries: Any) -> None:
    reader = make_reader()
    note_article_opened(reader, news.pairs[5][0])
    now = timezone.now()
    actions.subscribe_to_briefing(reader, send_time=time(6, 0), time_zone="UTC", now=now)
    client = Client()
    client.force_login(reader)
    client.get("/briefing/preview/")  # the process's For You corpus, loaded once per process
    with django_assert_max_num_queries(10):
        response = client.get("/briefing/preview/")
    assert response.status_code == 200
    outcome = actions.send_briefing(
        reader.pk, now.date(), due_at=now - timedelta(minutes=1), now=now
    )
    assert outcome.outcome == "sent"
    (message,) = mail.outbox
    assert "FOR YOU" in message.body
    assert "TOP STORIES" in message.body
    assert ">For you</h2>" in message.alternatives[0][0]


def test_a_read_story_and_a_copy_of_a_read_article_stay_out_until_the_story_moves_on(
    news: News,
) -> None:
    """Top stories: the story whose lead the reader read is left out; a pick that is a wire copy
    of what they read too. Coverage after the reading brings the story back."""
    from newsstand.stories.models import Pick, Story
    from tests.reader.factories import make_article

    reader = make_reader()
    lead, other = news.pairs[0]
    copy = make_article(news.publishers[11], title="Wire copy", copy_of=other)
    Pick.objects.create(article=copy, blurb="A copy", position=1)
    note_article_opened(reader, other)  # the second report of the first Top story
    now = timezone.now()
    briefing = build_briefing(reader, now, now.date())
    urls = [i.url for i in briefing.top + briefing.picks + briefing.for_you]
    story = Story.objects.get(pk=lead.story_id)
    assert f"{SITE}{story.get_absolute_url()}" not in urls
    assert f"{SITE}/articles/{copy.pk}/" not in urls
    Story.objects.filter(pk=story.pk).update(last_updated_at=now + timedelta(minutes=5))
    later = build_briefing(reader, now, now.date())
    assert f"{SITE}{story.get_absolute_url()}" in [i.url for i in later.top]
