"""/api/fever/ driven by our own Fever client (tests/sync/fever_client.py), from the Fever API
document: authentication, groups, feeds, favicons, items (since_id, max_id, with_ids, 50 per
call), unread and saved ids, marks, links, and the gate on every item's html."""

from __future__ import annotations

from io import StringIO

import pytest
import requests
from django.core.management import call_command

from newsstand.personal.models import ReadingHistory, SavedArticle
from tests.gate.factories import LATER_MARKERS, MARKER, OPENING, make_gated_article
from tests.sync.factories import make_world
from tests.sync.fever_client import FeverClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return make_world("active")


@pytest.fixture
def fever(live_server, world) -> FeverClient:
    return FeverClient(f"{live_server.url}/api/fever/", world.user.email, world.password)


def test_auth(live_server, world, fever):
    assert fever.authenticated()
    base = fever.call()
    assert base["api_version"] == 3 and isinstance(base["last_refreshed_on_time"], int)
    wrong = FeverClient(f"{live_server.url}/api/fever/", world.user.email, "not-the-password")
    assert wrong.call("items") == {"api_version": 3, "auth": 0}
    # Anonymous, without a key at all: auth 0 and no items.
    response = requests.post(f"{live_server.url}/api/fever/?api&items", timeout=10)
    assert response.json() == {"api_version": 3, "auth": 0}


def test_groups_feeds_favicons_links(world, fever):
    harbour, river = (p.pk for p in world.followed)
    groups = fever.groups()
    assert groups["groups"] == [{"id": 1, "title": "Following"}]
    assert groups["feeds_groups"] == [{"group_id": 1, "feed_ids": f"{harbour},{river}"}]
    feeds = fever.feeds()["feeds"]
    assert [(f["id"], f["title"], f["is_spark"]) for f in feeds] == [
        (harbour, "Harbour Times", 0),
        (river, "River Post", 0),
    ]
    assert {f["favicon_id"] for f in feeds} == {f["id"] for f in fever.favicons()}
    assert all(f["data"].startswith("image/gif;base64,") for f in fever.favicons())
    assert fever.links() == []


def test_items_paging(world, fever):
    ids = [a.pk for a in world.articles]
    page = fever.items()
    assert page["total_items"] == 5
    assert [i["id"] for i in page["items"]] == ids
    item = page["items"][0]
    assert set(item) == {
        "id",
        "feed_id",
        "title",
        "author",
        "html",
        "url",
        "is_saved",
        "is_read",
        "created_on_time",
    }
    assert item["is_read"] == 0 and item["is_saved"] == 0
    assert item["feed_id"] == world.followed[0].pk
    assert [i["id"] for i in fever.items(since_id=ids[2])["items"]] == ids[3:]
    assert [i["id"] for i in fever.items(max_id=ids[2])["items"]] == [ids[1], ids[0]]
    assert [i["id"] for i in fever.items(max_id=0)["items"]] == ids[::-1]
    with_ids = f"{ids[4]},{ids[0]},{world.elsewhere.pk}"
    assert [i["id"] for i in fever.items(with_ids=with_ids)["items"]] == [ids[0], ids[4]]


def test_fifty_items_a_call(world, fever):
    more = [make_gated_article(world.followed[1], title=f"More {i}") for i in range(50)]
    assert len(fever.items()["items"]) == 50
    everything = fever.all_items()
    assert [i["id"] for i in everything] == [a.pk for a in world.articles + more]


def test_marks_are_history_and_saved(world, fever):
    a, b = world.articles[0].pk, world.articles[1].pk
    answer = fever.mark("item", "read", a)
    assert a not in [int(i) for i in answer["unread_item_ids"].split(",")]
    assert ReadingHistory.objects.filter(user=world.user, article_id=a).exists()
    assert fever.unread_item_ids() == [x.pk for x in world.articles[1:]]
    fever.mark("item", "unread", a)
    assert a in fever.unread_item_ids()
    assert fever.mark("item", "saved", b)["saved_item_ids"] == str(b)
    assert SavedArticle.objects.filter(user=world.user, article_id=b).exists()
    assert fever.saved_item_ids() == [b]
    fever.mark("item", "unsaved", b)
    assert fever.saved_item_ids() == []
    # A feed, then everything, up to a time.
    fever.mark("feed", "read", world.followed[0].pk)
    assert fever.unread_item_ids() == [world.articles[1].pk, world.articles[3].pk]
    before = int(world.articles[3].published_at.timestamp())
    fever.mark("group", "read", 0, before=before)
    assert fever.unread_item_ids() == [world.articles[3].pk]
    items = {i["id"]: i for i in fever.items()["items"]}
    assert items[a]["is_read"] == 1 and items[world.articles[3].pk]["is_read"] == 0
    # An article outside the reader's entries cannot be marked.
    fever.mark("item", "read", world.elsewhere.pk)
    assert not ReadingHistory.objects.filter(article=world.elsewhere).exists()


@pytest.mark.parametrize("kind", ["active", "trial"])
def test_members_get_whole_articles(live_server, kind):
    world = make_world(kind)
    fever = FeverClient(f"{live_server.url}/api/fever/", world.user.email, world.password)
    html = "".join(i["html"] for i in fever.all_items())
    assert all(marker in html for marker in LATER_MARKERS)


@pytest.mark.parametrize("kind", ["registered", "expired", "trial_over", "ended"])
def test_readers_without_access_get_teasers(live_server, settings, kind):
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3
    world = make_world("active" if kind == "ended" else kind)
    if kind == "ended":
        call_command("members", "end", world.user.email, stdout=StringIO())
    fever = FeverClient(f"{live_server.url}/api/fever/", world.user.email, world.password)
    html = "".join(i["html"] for i in fever.all_items())
    html += "".join(i["html"] for i in fever.items(max_id=0)["items"])
    assert OPENING in html
    assert MARKER not in html and not any(m in html for m in LATER_MARKERS)
