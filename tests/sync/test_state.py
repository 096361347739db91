"""The one read/starred state (docs/decisions.md, "Sync"), and entry pages in a fixed number of
queries however many entries they carry."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsstand.personal.actions import mark_read, mark_unread
from newsstand.personal.models import ReadingHistory
from tests.gate.factories import make_gated_article
from tests.reader.factories import make_publisher
from tests.sync.factories import follow_publisher, greader_auth, make_world

pytestmark = pytest.mark.django_db


def test_marking_read_keeps_an_opened_articles_dates_and_skips_unknown_ids():
    world = make_world()
    opened, fresh = world.articles[0], world.articles[1]
    then = timezone.now() - timedelta(days=2)
    ReadingHistory.objects.create(
        user=world.user, article=opened, first_read_at=then, last_read_at=then, read_count=3
    )
    assert mark_read(world.user, [opened.pk, fresh.pk, 987654321]) == 1
    row = ReadingHistory.objects.get(user=world.user, article=opened)
    assert (row.read_count, row.last_read_at) == (3, then)
    assert ReadingHistory.objects.get(user=world.user, article=fresh).read_count == 1
    assert mark_unread(world.user, [opened.pk, fresh.pk]) == 2
    assert not ReadingHistory.objects.filter(user=world.user).exists()


def _queries(client: Client, path: str, password: str) -> int:
    # Counts kept from a call before would hide what computing them costs.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, HTTP_X_AUTH_TOKEN=password)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/v1/entries?limit=100", "/v1/feeds/counters", "/v1/feeds"])
def test_miniflux_pages_do_not_query_per_entry_or_feed(path):
    """More entries, of more feeds: no more queries (a column left out of a publisher read on
    each row, or a query per feed, would add them)."""
    world = make_world("registered")
    client = Client()
    _queries(client, path, world.password)  # the first call also notes the password's last use
    few = _queries(client, path, world.password)
    for i in range(30):
        make_gated_article(world.followed[i % 2], title=f"More {i}")
    for n in range(6):
        publisher = make_publisher(f"Extra {n}", homepage=f"https://extra{n}.example/")
        follow_publisher(world.user, publisher)
        make_gated_article(publisher, title=f"Extra {n}")
    assert _queries(client, path, world.password) == few


@pytest.mark.parametrize(
    "api",
    [
        "/v1/entries?status=unread&limit=100",
        "/api/fever/?api&items",
        "/api/fever/?api&items&unread_item_ids&saved_item_ids",
        "/api/fever/?api&mark=item&as=read&id=0&unread_item_ids",
        "/api/greader/reader/api/0/stream/contents/user/-/state/com.google/reading-list",
        "/api/greader/reader/api/0/stream/items/ids?s=user/-/label/Following&n=100",
        "/api/greader/reader/api/0/stream/items/contents?i=0",
    ],
)
def test_a_call_reads_the_readers_follows_once(api):
    world = make_world("registered")
    client = Client()
    # What a Fever app sends: md5 of "email:password" (the API's own scheme, not a choice).
    key = hashlib.md5(f"{world.user.email}:{world.password}".encode(), usedforsecurity=False)
    fever = {"api_key": key.hexdigest()}
    cache.clear()
    greader = greader_auth(client, world) if "/greader/" in api else {}
    with CaptureQueriesContext(connection) as ctx:
        if api.startswith("/v1/"):
            response = client.get(api, HTTP_X_AUTH_TOKEN=world.password)
        elif greader:
            response = client.get(api.replace("i=0", f"i={world.articles[0].pk}"), **greader)
        else:
            response = client.post(api.replace("id=0", f"id={world.articles[0].pk}"), fever)
    assert response.status_code == 200
    # Statements that read the follows themselves (not a subquery of them inside another).
    reads = re.compile(r'^SELECT [^()]* FROM "personal_follow"')
    follows = [q for q in ctx.captured_queries if reads.match(q["sql"])]
    assert len(follows) == 1, [q["sql"][:80] for q in follows]


def _total(client: Client, password: str) -> tuple[int, int]:
    response = client.get("/v1/entries?status=unread&limit=1", HTTP_X_AUTH_TOKEN=password)
    counters = client.get("/v1/feeds/counters", HTTP_X_AUTH_TOKEN=password).json()
    return json.loads(response.content)["total"], sum(counters["unreads"].values())


def test_kept_unread_totals_follow_every_change_at_once():
    world = make_world("registered")
    client = Client()
    total, unread = _total(client, world.password)
    assert total == unread > 1
    # Kept: asked again, the count is not computed again.
    with CaptureQueriesContext(connection) as ctx:
        assert _total(client, world.password) == (total, unread)
    assert not any('"__count"' in q["sql"] for q in ctx)
    first = world.followed[0].articles.order_by("pk").first()
    assert mark_read(world.user, [first.pk]) == 1
    assert _total(client, world.password) == (total - 1, unread - 1)
    make_gated_article(world.followed[1], title="Just in")
    assert _total(client, world.password) == (total, unread)
    assert mark_unread(world.user, [first.pk]) == 1
    assert _total(client, world.password) == (total + 1, unread + 1)


def test_entries_counted_in_two_parts_are_the_entries():
    from newsstand.articles.models import Article
    from newsstand.personal.actions import save_article
    from newsstand.sync import queries
    from newsstand.sync.queries import EntryFilter

    world = make_world("registered")
    now = timezone.now()
    # Saved outside the window: too old, of a publisher not followed, and undated.
    undated = make_gated_article(world.other, title="Undated")
    Article.objects.filter(pk=undated.pk).update(published_at=None)
    for article in (world.old, world.elsewhere, undated, world.articles[0]):
        save_article(world.user, article.pk)
    mark_read(world.user, [world.old.pk, world.articles[1].pk])
    for flt in (
        EntryFilter(),
        EntryFilter(read=False),
        EntryFilter(read=True),
        EntryFilter(starred=True),
        EntryFilter(starred=False, read=False),
        EntryFilter(feed_ids=(world.followed[0].pk,)),
        EntryFilter(after_id=world.articles[2].pk),
        EntryFilter(search="story"),
    ):
        expected = queries.entries(world.user, now, flt).count()
        assert queries.count_entries(world.user, now, flt) == expected, flt
    assert queries.count_entries(world.user, now) == 5 + 3


def test_read_and_unread_counted_from_history_are_the_entries():
    """The publishers' read and unread entries are counted as the window's less History's rows
    (by its copies of each article's publisher and date), section and topic feeds and saved
    articles apart: each filter's count is the entries' own."""
    from newsstand.articles.actions import index_article_topics
    from newsstand.personal.actions import follow, save_article
    from newsstand.personal.targets import resolve_target
    from newsstand.sync import queries
    from newsstand.sync.feeds import reader_feeds
    from newsstand.sync.queries import EntryFilter

    world = make_world("registered")
    now = timezone.now()
    in_section = make_gated_article(world.other, published_at=now, section="Harbours")
    on_topic = make_gated_article(world.other, published_at=now, topics=["Ships"])
    index_article_topics(on_topic)
    follow(world.user, resolve_target("section", "Harbours"))
    follow(world.user, resolve_target("topic", "Ships"))
    # Read: a publisher's, a section's, one saved outside the window, one read then moved out of
    # the window by an edit (its copy moves with it), and one of a publisher not followed.
    save_article(world.user, world.old.pk)
    mark_read(
        world.user,
        [
            world.articles[0].pk,
            world.articles[3].pk,
            in_section.pk,
            world.old.pk,
            world.elsewhere.pk,
        ],
    )
    world.articles[3].published_at = now - timedelta(days=90)
    world.articles[3].save()
    feeds = reader_feeds(world.user)
    section_feed = feeds.sections[0].id
    harbour, river = (p.pk for p in world.followed)
    for flt in (
        EntryFilter(read=False),
        EntryFilter(read=True),
        EntryFilter(read=False, published_after=world.articles[1].published_at),
        EntryFilter(read=True, published_before=world.articles[2].published_at),
        EntryFilter(read=False, feed_ids=(harbour,)),
        EntryFilter(read=True, feed_ids=(harbour, river)),
        EntryFilter(read=False, feed_ids=(section_feed,)),
        EntryFilter(read=False, feed_ids=()),
    ):
        expected = queries.entries(world.user, now, flt).count()
        assert queries.count_entries(world.user, now, flt) == expected, flt
    # From History's index: one part takes History's rows off the window's.
    parts = queries.count_parts(world.user, now, EntryFilter(read=False), by_day=False)
    assert [p.sign for p in parts] == [1, -1, 1, 1]
    # By day (sync.models.PublisherDay, ReadDay) and week (PublisherWeek, ReadWeek): each of the
    # two from its counts, and the window's first, partial day apart.
    parts = queries.count_parts(world.user, now, EntryFilter(read=False))
    assert [(p.sign, p.summed) for p in parts] == [
        (1, "articles"),
        (1, "articles"),
        (-1, "reads"),
        (-1, "reads"),
        (1, None),
        (1, None),
        (1, None),
    ]
    # The publishers' five less one read and one moved out; the topic's one; the saved one read.
    assert queries.count_entries(world.user, now, EntryFilter(read=False)) == 3 + 1


def test_a_page_after_saving_an_old_article_lists_it_though_its_bound_was_kept():
    """The earliest time an entry can have is kept with a page (queries.entries, `scope`):
    saving an article older than the window moves it, on the next page."""
    from newsstand.personal.actions import save_article

    world = make_world("registered")
    client = Client()

    def listed() -> list[int]:
        response = client.get("/v1/entries?order=published_at", HTTP_X_AUTH_TOKEN=world.password)
        return [e["id"] for e in response.json()["entries"]]

    assert world.old.pk not in listed()
    with CaptureQueriesContext(connection) as ctx:
        listed()
    assert not any('"oldest"' in q["sql"] for q in ctx.captured_queries)  # kept
    save_article(world.user, world.old.pk)
    assert listed()[0] == world.old.pk


def test_a_saved_article_older_than_the_window_is_still_an_entry():
    from newsstand.personal.actions import save_article
    from newsstand.sync import queries

    world = make_world("registered")
    now = timezone.now()
    save_article(world.user, world.old.pk)
    listed = list(queries.entries(world.user, now).order_by("published_at"))
    assert listed[0] == world.old
    assert queries.count_entries(world.user, now) == len(listed) == 6


def test_google_reader_stars_a_batch_in_as_many_statements_as_one():
    from newsstand.personal.models import SavedArticle, StateChange

    world = make_world("registered")
    more = [make_gated_article(world.followed[0], title=f"More {i}") for i in range(6)]
    client = Client()
    header = greader_auth(client, world)
    token = client.get("/api/greader/reader/api/0/token", **header).content.decode().strip()
    starred = "user/-/state/com.google/starred"

    def edit(ids: list[int], tag: str = "a") -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                "/api/greader/reader/api/0/edit-tag",
                {"i": [str(i) for i in ids], tag: starred, "T": token},
                **header,
            )
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    one = edit([world.articles[0].pk])
    batch = [a.pk for a in [*world.articles[1:], *more]]
    assert edit(batch) == one
    saved = set(SavedArticle.objects.filter(user=world.user).values_list("article_id", flat=True))
    assert saved == {world.articles[0].pk, *batch}
    logged = StateChange.objects.filter(user=world.user, kind=StateChange.SAVED, on=True)
    assert logged.count() == 1 + len(batch)
    assert edit(batch, "r") <= one + 1
    assert set(
        SavedArticle.objects.filter(user=world.user).values_list("article_id", flat=True)
    ) == {world.articles[0].pk}
