"""Read tallies: hour buckets, the upsert, session dedupe, robots, and never breaking the page."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from newsstand.reader.reads import read_buffer
from newsstand.stories import actions
from newsstand.stories.models import ReadTally
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NOW = datetime(2025, 3, 1, 12, 40, tzinfo=UTC)


def tallies(story) -> dict[datetime, int]:
    return dict(ReadTally.objects.filter(story=story).values_list("hour", "count"))


def test_reads_go_into_hour_buckets():
    story = make_story(publishers=1)
    article = story.representative
    assert actions.record_read(article, NOW)
    assert actions.record_read(article, NOW + timedelta(minutes=19))  # 12:59
    assert actions.record_read(article, NOW + timedelta(minutes=21))  # 13:01
    assert tallies(story) == {
        datetime(2025, 3, 1, 12, tzinfo=UTC): 2,
        datetime(2025, 3, 1, 13, tzinfo=UTC): 1,
    }


def test_article_without_story_is_not_counted():
    article = make_article(make_publisher())
    assert not actions.record_read(article, NOW)
    assert not ReadTally.objects.exists()


def test_fallback_path_survives_the_insert_race(monkeypatch):
    """Another request inserts the hour's row between our UPDATE (0 rows) and our INSERT."""
    story = make_story(publishers=1)
    hour = actions.hour_bucket(NOW)
    real_update = type(ReadTally.objects.all()).update
    calls = {"n": 0}

    def racing_update(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            result = real_update(self, **kwargs)  # 0 rows: nobody has read it this hour yet
            ReadTally.objects.create(story=story, hour=hour, count=1)  # the other request
            return result
        return real_update(self, **kwargs)

    monkeypatch.setattr(type(ReadTally.objects.all()), "update", racing_update)
    actions.curation._update_or_insert_tally(story.pk, hour)
    assert tallies(story) == {hour: 2}


def test_fallback_path_inserts_then_updates():
    story = make_story(publishers=1)
    hour = actions.hour_bucket(NOW)
    actions.curation._update_or_insert_tally(story.pk, hour)
    actions.curation._update_or_insert_tally(story.pk, hour)
    assert tallies(story) == {hour: 2}


def _view(client, article, **headers):
    return client.get(reverse("reader:article", args=[article.pk]), **headers)


def test_article_page_counts_anonymous_reads_without_a_session(client):
    story = make_story(publishers=2)
    article = story.representative
    response = _view(client, article, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # no session started just to count
    _view(client, article, HTTP_USER_AGENT=BROWSER)
    assert sum(tallies(story).values()) == 2


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "SomeCrawler/1.0",
        "Baiduspider",
        "python-httpx/0.28",
        "",
    ],
)
def test_robots_are_not_counted(client, agent):
    story = make_story(publishers=1)
    assert _view(client, story.representative, HTTP_USER_AGENT=agent).status_code == 200
    assert tallies(story) == {}


def test_prefetch_and_head_are_not_counted(client):
    story = make_story(publishers=1)
    url = reverse("reader:article", args=[story.representative.pk])
    client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch;prerender")
    client.head(url, HTTP_USER_AGENT=BROWSER)
    assert tallies(story) == {}


def test_session_counts_a_story_once_an_hour(client):
    user = get_user_model().objects.create_user("reader", password="pw-not-used")
    client.force_login(user)
    story = make_story(publishers=2)
    first, second = story.articles.order_by("pk")
    _view(client, first, HTTP_USER_AGENT=BROWSER)
    _view(client, first, HTTP_USER_AGENT=BROWSER)
    _view(client, second, HTTP_USER_AGENT=BROWSER)  # same story, same hour
    assert sum(tallies(story).values()) == 1
    other = make_story("Another", publishers=1)
    _view(client, other.representative, HTTP_USER_AGENT=BROWSER)
    assert sum(tallies(other).values()) == 1


def test_failure_to_count_never_breaks_the_page(client, monkeypatch, caplog):
    story = make_story(publishers=1)

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("newsstand.reader.reads.record_story_read", broken)
    with caplog.at_level(logging.ERROR, logger="newsstand.reader.reads"):
        response = _view(client, story.representative, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert f"article_id={story.representative.pk}" in caplog.text


# The per-process buffer: reads written together, by a timer, in one transaction.


def test_buffered_reads_wait_then_are_written_exactly(client, settings, django_assert_num_queries):
    settings.NEWSSTAND_READS_FLUSH_S = 3600  # the timer never fires in this test
    story = make_story(publishers=2)
    first, second = story.articles.order_by("pk")
    other = make_story("Another", publishers=1)
    for article in (first, second, first, other.representative):
        _view(client, article, HTTP_USER_AGENT=BROWSER)
    assert tallies(story) == {}
    assert read_buffer.pending() == 4
    with django_assert_num_queries(5):  # the live-story check, a savepoint, two upserts, release
        assert read_buffer.flush() == 4
    assert sum(tallies(story).values()) == 3
    assert sum(tallies(other).values()) == 1
    assert read_buffer.pending() == 0
    assert read_buffer.flush() == 0


def test_buffered_reads_of_a_story_merged_away_are_dropped_not_the_rest():
    kept, merged = make_story("Kept", publishers=1), make_story("Merged", publishers=1)
    hour = actions.hour_bucket(NOW)
    read_buffer.add(kept.pk, hour, 3600)
    read_buffer.add(merged.pk, hour, 3600)
    merged.delete()
    assert read_buffer.flush() == 1
    assert tallies(kept) == {hour: 1}


def test_a_failed_flush_is_logged_and_leaves_the_buffer_empty(monkeypatch, caplog):
    story = make_story(publishers=1)
    read_buffer.add(story.pk, actions.hour_bucket(NOW), 3600)

    def broken(counts):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("newsstand.reader.reads.record_story_reads", broken)
    with caplog.at_level(logging.ERROR, logger="newsstand.reader.reads"):
        assert read_buffer.flush() == 0
    assert "buffered reads not counted reads=1 stories=1" in caplog.text
    assert read_buffer.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_the_timer_writes_buffered_reads_from_its_own_thread(client, settings):
    settings.NEWSSTAND_READS_FLUSH_S = 0.2
    story = make_story(publishers=1)
    _view(client, story.representative, HTTP_USER_AGENT=BROWSER)
    _view(client, story.representative, HTTP_USER_AGENT=BROWSER)
    assert tallies(story) == {}
    deadline = time.monotonic() + 10
    while not tallies(story) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(tallies(story).values()) == 2
    assert read_buffer.pending() == 0
