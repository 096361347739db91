"""Sections and topics the reader follows are feeds in every API, beside the publishers: each
holds the section's or topic's articles from publishers the reader neither follows nor mutes,
an article is listed in one feed only, and the feeds' unread numbers add up."""

from __future__ import annotations

import hashlib
from typing import Any

import miniflux
import pytest
from django.test import Client

from newsstand.articles.actions import index_article_topics
from newsstand.personal.actions import follow, mark_read, mute
from newsstand.personal.targets import resolve_target
from newsstand.sync.feeds import FOLLOW_FEED_BASE, reader_feeds
from tests.gate.factories import make_gated_article
from tests.reader.factories import make_publisher
from tests.sync.factories import World, greader_auth, make_world

pytestmark = pytest.mark.django_db


class Follows:
    def __init__(self, world: World) -> None:
        self.world = world
        harbour = world.followed[0]
        self.wire, self.muted = make_publisher("Wire Service"), make_publisher("Muted Daily")
        # Harbour's articles are in "World" too (the factory's section): they stay Harbour's.
        self.in_section = make_gated_article(self.wire, title="Wire: world news", section="World")
        self.muted_in_section = make_gated_article(self.muted, title="Muted: world news")
        self.on_topic = make_gated_article(
            self.wire, title="Wire: tides", section="Science", topics=["Tides"]
        )
        self.both = make_gated_article(
            self.wire, title="Wire: tides in the world", section="World", topics=["Tides"]
        )
        self.nowhere = make_gated_article(self.wire, title="Wire: sport", section="Sport")
        # The world's article of a publisher not followed is in "World" too.
        self.section_members = {world.elsewhere.pk, self.in_section.pk, self.both.pk}
        for article in (self.on_topic, self.both, harbour.articles.first()):
            index_article_topics(article)
        user = world.user
        follow(user, resolve_target("section", "world"))
        follow(user, resolve_target("topic", "Tides"))
        mute(user, resolve_target("publisher", str(self.muted.pk)))
        feeds = reader_feeds(user)
        self.section_id = feeds.sections[0].id
        self.topic_id = feeds.topics[0].id


@pytest.fixture
def setup() -> Follows:
    return Follows(make_world("active"))


def test_the_reader_s_feeds(setup: Follows) -> None:
    feeds = reader_feeds(setup.world.user)
    assert [f.title for f in feeds.all] == ["Harbour Times", "River Post", "World", "Tides"]
    assert setup.section_id > FOLLOW_FEED_BASE and setup.topic_id > FOLLOW_FEED_BASE
    assert feeds.categories() == [(1, "Following"), (2, "Sections"), (3, "Topics")]


def _miniflux(live_server: Any, world: World) -> miniflux.Client:
    return miniflux.Client(live_server.url, api_key=world.password)


def test_miniflux(live_server: Any, setup: Follows) -> None:
    world, client = setup.world, _miniflux(live_server, setup.world)
    categories = client.get_categories()
    assert [(c["id"], c["title"]) for c in categories] == [
        (1, "Following"),
        (2, "Sections"),
        (3, "Topics"),
    ]
    feeds = {f["id"]: f for f in client.get_feeds()}
    section, topic = feeds[setup.section_id], feeds[setup.topic_id]
    assert (section["title"], section["category"]["id"]) == ("World", 2)
    assert section["feed_url"].endswith("/feeds/sections/World/rss/")
    assert feeds[setup.topic_id]["feed_url"].endswith("/feeds/topics/tides/rss/")
    assert (topic["title"], topic["category"]["id"]) == ("Tides", 3)
    assert [f["id"] for f in client.get_category_feeds(2)] == [setup.section_id]

    everything = client.get_entries(limit=100)["entries"]
    by_id = {e["id"]: e for e in everything}
    assert len(by_id) == len(everything)  # an article is listed once
    assert by_id[setup.in_section.pk]["feed_id"] == setup.section_id
    assert by_id[setup.both.pk]["feed_id"] == setup.section_id  # the section comes first
    assert by_id[setup.on_topic.pk]["feed_id"] == setup.topic_id
    assert by_id[setup.on_topic.pk]["feed"]["title"] == "Tides"
    harbour_first = world.followed[0].articles.order_by("pk").first()
    assert by_id[harbour_first.pk]["feed_id"] == world.followed[0].pk
    assert setup.muted_in_section.pk not in by_id and setup.nowhere.pk not in by_id

    in_section = client.get_feed_entries(setup.section_id)
    assert {e["id"] for e in in_section["entries"]} == setup.section_members
    assert in_section["total"] == 3
    on_topic = client.get_category_entries(3)
    assert [e["id"] for e in on_topic["entries"]] == [setup.on_topic.pk]
    following = client.get_category_entries(1)["entries"]
    assert {e["id"] for e in following} == {a.pk for a in world.articles}

    counters = client.get_feed_counters()["unreads"]
    assert counters[str(setup.section_id)] == 3 and counters[str(setup.topic_id)] == 1
    assert sum(counters.values()) == client.get_entries(status="unread")["total"]
    client.mark_feed_entries_as_read(setup.section_id)
    counters = client.get_feed_counters()["unreads"]
    assert counters[str(setup.section_id)] == 0 and counters[str(setup.topic_id)] == 1
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_feed_icon(setup.section_id)


def test_fever(setup: Follows) -> None:
    world = setup.world
    key = hashlib.md5(
        f"{world.user.email}:{world.password}".encode(), usedforsecurity=False
    ).hexdigest()
    client = Client()

    def call(query: str, **data: Any) -> dict[str, Any]:
        return client.post(f"/api/fever/?api&{query}", {"api_key": key, **data}).json()

    answer = call("groups&feeds&favicons")
    assert [g["title"] for g in answer["groups"]] == ["Following", "Sections", "Topics"]
    groups = {g["group_id"]: g["feed_ids"] for g in answer["feeds_groups"]}
    assert groups[2] == str(setup.section_id) and groups[3] == str(setup.topic_id)
    assert {f["id"] for f in answer["feeds"]} >= {setup.section_id, setup.topic_id}
    assert {f["id"] for f in answer["favicons"]} == {f["id"] for f in answer["feeds"]}
    items = {i["id"]: i for i in call("items")["items"]}
    assert items[setup.in_section.pk]["feed_id"] == setup.section_id
    assert items[setup.on_topic.pk]["feed_id"] == setup.topic_id
    # Marking the Topics group read reads the topic's article and nothing else.
    unread = call("unread_item_ids", mark="group", **{"as": "read", "id": "3"})
    left = {int(i) for i in unread["unread_item_ids"].split(",")}
    assert setup.on_topic.pk not in left and setup.in_section.pk in left


def test_google_reader(setup: Follows) -> None:
    world = setup.world
    client = Client()
    auth = greader_auth(client, world)

    def get(path: str, **params: Any) -> dict[str, Any]:
        response = client.get(
            f"/api/greader/reader/api/0/{path}", {"output": "json", **params}, **auth
        )
        assert response.status_code == 200, response.content
        return response.json()

    subscriptions = {s["id"]: s for s in get("subscription/list")["subscriptions"]}
    section = subscriptions[f"feed/{setup.section_id}"]
    assert section["categories"][0]["id"] == "user/-/label/Sections"
    assert section["iconUrl"].startswith("http")
    tags = [t["id"] for t in get("tag/list")["tags"]]
    assert tags == [
        "user/-/state/com.google/starred",
        "user/-/label/Following",
        "user/-/label/Sections",
        "user/-/label/Topics",
    ]
    stream = get(f"stream/contents/feed/{setup.topic_id}")
    assert [int(i["id"].rsplit("/", 1)[1], 16) for i in stream["items"]] == [setup.on_topic.pk]
    item = stream["items"][0]
    assert item["origin"]["streamId"] == f"feed/{setup.topic_id}"
    assert "user/-/label/Topics" in item["categories"]
    ids = get("stream/items/ids", s="user/-/label/Sections")["itemRefs"]
    assert {int(r["id"]) for r in ids} == setup.section_members

    mark_read(world.user, [setup.both.pk])
    counts = {c["id"]: c["count"] for c in get("unread-count")["unreadcounts"]}
    assert counts[f"feed/{setup.section_id}"] == 2
    assert counts["user/-/label/Sections"] == 2
    feeds_total = sum(v for k, v in counts.items() if k.startswith("feed/"))
    assert counts["user/-/state/com.google/reading-list"] == feeds_total
