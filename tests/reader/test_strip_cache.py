"""The home page's Publishers strip is cached: its aggregate reads every article of the week."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from newsstand.reader.browse import publisher_strip
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_strip_is_computed_once_then_served_from_the_cache(django_assert_num_queries):
    pub = make_publisher("Daily Cached")
    make_article(pub, published_at=timezone.now())
    with django_assert_num_queries(1):
        assert [p.name for p in publisher_strip()] == ["Daily Cached"]
    make_article(make_publisher("Late Comer"), published_at=timezone.now())
    with django_assert_num_queries(0):
        assert [p.name for p in publisher_strip()] == ["Daily Cached"]
    cache.clear()
    assert {p.name for p in publisher_strip()} == {"Daily Cached", "Late Comer"}


def test_second_home_view_skips_the_strip_query(client, settings, django_assert_max_num_queries):
    settings.NEWSSTAND_PAGE_CACHE_S = 0  # render twice: the whole-page cache would hide the strip
    make_article(make_publisher("Home Herald"), published_at=timezone.now())
    with django_assert_max_num_queries(8) as first:
        client.get(reverse("reader:home"))
    with django_assert_max_num_queries(5) as second:
        body = client.get(reverse("reader:home")).content.decode()
    # The strip, the count of sources beside it and the list of busy sections come from the
    # cache the second time.
    assert len(second.captured_queries) == len(first.captured_queries) - 3
    assert "Home Herald" in body
