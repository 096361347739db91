"""Miniflux paging by offset: each page after the first seeks from where the one before ended,
and the pages are the same as OFFSET would give, in every order and with undated entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal.actions import mark_read, save_article
from tests.gate.factories import make_gated_article
from tests.sync.factories import make_world

pytestmark = pytest.mark.django_db

PAGE = 4


def _ids(client: Client, password: str, **params: object) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/v1/entries", params, HTTP_X_AUTH_TOKEN=password)
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()["entries"]], [q["sql"] for q in ctx]


def _world_with_many():
    world = make_world("active")
    now = timezone.now()
    for i in range(13):
        # Two articles share each time: the id decides between them.
        make_gated_article(
            world.followed[i % 2],
            title=f"Item {i:02d}",
            published_at=now - timedelta(hours=20 + i // 2),
        )
    # A saved article without a date: NULL published_at sorts where the database puts it.
    undated = make_gated_article(world.other, title="Undated")
    Article.objects.filter(pk=undated.pk).update(published_at=None)
    save_article(world.user, undated.pk)
    return world


@pytest.mark.parametrize(
    "order,direction",
    [
        ("published_at", "asc"),
        ("published_at", "desc"),
        ("id", "asc"),
        ("id", "desc"),
        ("created_at", "desc"),
        ("title", "asc"),
    ],
)
def test_pages_sought_from_the_last_are_the_pages_offset_gives(order, direction):
    world = _world_with_many()
    client = Client()
    params = {"order": order, "direction": direction, "limit": PAGE}
    # What OFFSET alone gives: each page asked with nothing kept.
    expected = []
    for offset in range(0, 40, PAGE):
        cache.clear()
        ids, _ = _ids(client, world.password, offset=offset, **params)
        expected += ids
    assert len(expected) == len(set(expected)) == 5 + 13 + 1
    cache.clear()
    got, sought = [], 0
    for offset in range(0, 40, PAGE):
        ids, sql = _ids(client, world.password, offset=offset, **params)
        got += ids
        # A page walked to has OFFSET in its query; one sought from a kept place has none.
        sought += offset > 0 and not any("OFFSET" in q for q in sql)
    assert got == expected
    assert sought >= 4  # pages after the first were sought, not walked


def test_a_change_of_state_drops_the_kept_place():
    world = _world_with_many()
    client = Client()
    params = {"status": "unread", "limit": PAGE, "order": "published_at"}
    first, _ = _ids(client, world.password, offset=0, **params)
    # Read the first page: the unread list shifts, and the second page is the old third.
    mark_read(world.user, first)
    cache_free, _ = _ids(Client(), world.password, offset=0, **params)
    second, _ = _ids(client, world.password, offset=0, **params)
    assert second == cache_free and not set(second) & set(first)


def test_the_kept_place_outlives_the_windows_minute(monkeypatch):
    """The window moving on a minute drops kept totals, not where pages ended: the next page
    is still sought, not walked from the start."""
    world = _world_with_many()
    client = Client()
    params = {"order": "published_at", "direction": "desc", "limit": PAGE}
    first, _ = _ids(client, world.password, offset=0, **params)
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr("newsstand.sync.miniflux.timezone.now", lambda: later)
    second, sql = _ids(client, world.password, offset=PAGE, **params)
    assert not set(first) & set(second) and len(second) == PAGE
    assert not any("OFFSET" in q for q in sql)
