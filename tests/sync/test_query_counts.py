"""A page of entries costs the same number of queries however many entries and feeds it holds:
nothing is read per entry or per feed (a deferred column read on each row would be)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.gate.factories import make_gated_article
from tests.reader.factories import make_publisher
from tests.sync.factories import follow_publisher, make_world

pytestmark = pytest.mark.django_db


def _queries(client: Client, password: str, limit: int) -> int:
    cache.clear()  # nothing kept between the two pages: both count and page alike
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/v1/entries", {"limit": limit}, HTTP_X_AUTH_TOKEN=password)
    assert response.status_code == 200
    assert len(response.json()["entries"]) == limit
    return len(captured.captured_queries)


def test_a_page_of_entries_reads_nothing_per_entry_or_feed():
    world = make_world()
    for n in range(6):
        publisher = make_publisher(f"Extra {n}", homepage=f"https://extra{n}.example/")
        follow_publisher(world.user, publisher)
        make_gated_article(publisher, title=f"Extra {n}", published_at=timezone.now())
    client = Client()
    _queries(client, world.password, 1)  # the app password's last use, written once a while
    small = _queries(client, world.password, 2)
    large = _queries(client, world.password, 10)
    assert small == large
