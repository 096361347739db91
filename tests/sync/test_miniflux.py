"""/v1/ driven by the official Miniflux client (PyPI `miniflux`) against a live server.

Cases follow Miniflux's API reference (miniflux.app/docs/api.html): authentication by API key
and by HTTP Basic, the JSON fields and types of its models, entry filters, status and bookmark
updates, counters, and the errors it documents.
"""

from __future__ import annotations

import base64
from io import StringIO

import miniflux
import pytest
import requests
from django.core.management import call_command

from newsstand.personal.actions import note_article_opened
from newsstand.personal.models import ReadingHistory, SavedArticle
from newsstand.sync.actions import create_app_password
from tests.gate.factories import LATER_MARKERS, MARKER, OPENING
from tests.sync.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return make_world("active")


@pytest.fixture
def client(live_server, world) -> miniflux.Client:
    return miniflux.Client(live_server.url, api_key=world.password)


def test_me_by_api_key_and_by_basic_auth(live_server, world, client):
    me = client.me()
    assert me["id"] == world.user.pk
    assert me["username"] == world.user.email
    assert me["is_admin"] is False
    assert isinstance(me["entries_per_page"], int)
    basic = miniflux.Client(live_server.url, username=world.user.email, password=world.password)
    assert basic.me()["id"] == world.user.pk


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_key": "aaaa-bbbb-cccc-dddd-eeee-ffff"},
        {"username": "nobody@example.org", "password": "aaaa-bbbb-cccc-dddd-eeee-ffff"},
    ],
)
def test_wrong_credentials_are_401(live_server, world, kwargs):
    with pytest.raises(miniflux.AccessUnauthorized) as info:
        miniflux.Client(live_server.url, **kwargs).me()
    assert info.value.status_code == 401
    assert str(info.value) == "Access Unauthorized"


def test_the_sign_in_password_is_not_an_app_password(live_server, world):
    world.user.set_password("correct horse battery staple")
    world.user.save()
    with pytest.raises(miniflux.AccessUnauthorized):
        miniflux.Client(
            live_server.url, username=world.user.email, password="correct horse battery staple"
        ).me()


def test_categories_and_feeds_are_what_the_reader_follows(world, client):
    categories = client.get_categories()
    assert categories == [
        {"id": 1, "title": "Following", "user_id": world.user.pk, "hide_globally": False}
    ]
    feeds = client.get_feeds()
    assert [f["title"] for f in feeds] == ["Harbour Times", "River Post"]
    harbour = feeds[0]
    assert harbour["id"] == world.followed[0].pk
    assert harbour["category"]["id"] == 1
    assert harbour["feed_url"].endswith(f"/feeds/publishers/{world.followed[0].slug}/rss/")
    assert harbour["icon"] is None
    assert isinstance(harbour["parsing_error_count"], int)
    assert client.get_feed(harbour["id"])["title"] == "Harbour Times"
    assert [f["id"] for f in client.get_category_feeds(1)] == [f["id"] for f in feeds]
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_feed(world.other.pk)
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_feed_icon(harbour["id"])


def test_entries_are_the_followed_articles_in_the_window(world, client):
    result = client.get_entries()
    wanted = [a.pk for a in world.articles]  # default order: published_at ascending
    assert result["total"] == len(wanted)
    assert [e["id"] for e in result["entries"]] == wanted
    entry = result["entries"][0]
    for field, kind in {
        "id": int,
        "user_id": int,
        "feed_id": int,
        "status": str,
        "hash": str,
        "title": str,
        "url": str,
        "comments_url": str,
        "published_at": str,
        "created_at": str,
        "changed_at": str,
        "content": str,
        "author": str,
        "share_code": str,
        "starred": bool,
        "reading_time": int,
        "enclosures": list,
        "feed": dict,
        "tags": list,
    }.items():
        assert isinstance(entry[field], kind), field
    assert entry["status"] == "unread" and entry["starred"] is False
    assert entry["feed"]["id"] == entry["feed_id"] == world.followed[0].pk
    assert entry["tags"] == ["Harbours"]
    assert entry["published_at"].endswith("Z")
    assert (
        entry["url"].endswith(f"/articles/{world.articles[0].pk}/")
        or str(world.articles[0].pk) in entry["url"]
    )


def test_entry_filters(world, client):
    arts = world.articles
    harbour = world.followed[0].pk
    desc = client.get_entries(order="id", direction="desc", limit=2, offset=1)
    assert desc["total"] == 5
    assert [e["id"] for e in desc["entries"]] == [arts[3].pk, arts[2].pk]
    assert [e["id"] for e in client.get_feed_entries(harbour)["entries"]] == [
        arts[0].pk,
        arts[2].pk,
        arts[4].pk,
    ]
    assert client.get_entries(feed_id=harbour)["total"] == 3
    assert client.get_category_entries(1)["total"] == 5
    assert client.get_entries(category_id=2)["total"] == 0
    assert [e["id"] for e in client.get_entries(search="story 3")["entries"]] == [arts[3].pk]
    after = int(arts[2].published_at.timestamp()) + 1  # whole seconds, as Miniflux takes them
    assert [e["id"] for e in client.get_entries(after=after)["entries"]] == [
        arts[3].pk,
        arts[4].pk,
    ]
    assert client.get_entries(before_entry_id=arts[1].pk)["total"] == 1
    assert client.get_entries(after_entry_id=arts[3].pk)["total"] == 1
    assert client.get_entries(status="removed")["total"] == 0
    with pytest.raises(miniflux.BadRequest) as info:
        client.get_entries(direction="sideways")
    assert "direction" in str(info.value)
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_entry(world.elsewhere.pk)
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_entry(world.old.pk)


def test_read_and_unread_are_the_history(world, client):
    a, b = world.articles[0].pk, world.articles[1].pk
    assert client.update_entries([a, b], status="read") is True
    assert set(
        ReadingHistory.objects.filter(user=world.user).values_list("article_id", flat=True)
    ) == {a, b}
    unread = client.get_entries(status="unread")
    assert unread["total"] == 3 and a not in [e["id"] for e in unread["entries"]]
    assert [e["id"] for e in client.get_entries(status="read")["entries"]] == [a, b]
    assert client.get_entry(a)["status"] == "read"
    counters = client.get_feed_counters()
    harbour, river = (str(p.pk) for p in world.followed)
    assert counters == {"reads": {harbour: 1, river: 1}, "unreads": {harbour: 2, river: 1}}
    client.update_entries([a], status="unread")
    assert not ReadingHistory.objects.filter(user=world.user, article_id=a).exists()
    # Opening an article on the site marks it read in the app too.
    note_article_opened(world.user, world.articles[4])
    assert client.get_entry(world.articles[4].pk)["status"] == "read"
    client.mark_feed_entries_as_read(world.followed[0].pk)
    assert client.get_feed_counters()["unreads"][harbour] == 0
    client.mark_category_entries_as_read(1)
    assert client.get_entries(status="unread")["total"] == 0
    with pytest.raises(miniflux.BadRequest):
        client.update_entries([a], status="removed")


def test_starred_is_saved(world, client):
    a = world.articles[2]
    assert client.toggle_bookmark(a.pk) is True
    assert SavedArticle.objects.filter(user=world.user, article=a).exists()
    assert [e["id"] for e in client.get_entries(starred=True)["entries"]] == [a.pk]
    assert client.get_entry(a.pk)["starred"] is True
    client.toggle_bookmark(a.pk)
    assert not SavedArticle.objects.filter(user=world.user, article=a).exists()
    # Saved on the site: starred in the app, even from a publisher the reader does not follow.
    SavedArticle.objects.create(user=world.user, article=world.elsewhere)
    assert [e["id"] for e in client.get_entries(starred="true")["entries"]] == [world.elsewhere.pk]
    assert client.get_entry(world.elsewhere.pk)["starred"] is True


def test_writes_that_make_no_sense_here_are_a_clear_403(live_server, world, client):
    for call in (
        lambda: client.create_feed("https://example.org/rss"),
        lambda: client.create_category("Mine"),
        lambda: client.delete_feed(world.followed[0].pk),
        lambda: client.update_entry(world.articles[0].pk, title="Mine"),
        lambda: client.create_user("x", "y"),
        lambda: client.import_feeds("<opml/>"),
    ):
        with pytest.raises(miniflux.AccessForbidden) as info:
            call()
        assert "cannot change feeds" in str(info.value)
    assert client.refresh_all_feeds() is True


def _body_text(client: miniflux.Client, world) -> str:
    entries = client.get_entries(limit=100)["entries"]
    one = client.get_entry(world.articles[0].pk)
    return "".join(e["content"] for e in entries) + one["content"]


@pytest.mark.parametrize("kind", ["active", "trial"])
def test_members_and_trials_sync_whole_articles(live_server, kind):
    world = make_world(kind)
    content = _body_text(miniflux.Client(live_server.url, api_key=world.password), world)
    assert all(marker in content for marker in LATER_MARKERS)


@pytest.mark.parametrize("kind", ["registered", "expired", "trial_over", "paid_over", "ended"])
def test_readers_without_access_get_teasers_only(live_server, settings, kind):
    # Metering on: syncing must never spend (or show) a free article either.
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3
    world = make_world("active" if kind == "ended" else kind)
    if kind == "ended":
        call_command("members", "end", world.user.email, stdout=StringIO())
    client = miniflux.Client(live_server.url, api_key=world.password)
    content = _body_text(client, world)
    assert OPENING in content
    assert not any(marker in content for marker in LATER_MARKERS)
    assert "Read the whole article on Newsstand" in content
    fetched = client.fetch_entry_content(world.articles[0].pk)["content"]
    assert MARKER not in fetched


def test_anonymous_gets_401_and_no_body(live_server, world):
    for path in ("/v1/entries", f"/v1/entries/{world.articles[0].pk}", "/v1/feeds"):
        response = requests.get(live_server.url + path, timeout=10)
        assert response.status_code == 401
        assert MARKER not in response.text and OPENING not in response.text
    bad = base64.b64encode(f"{world.user.email}:wrong".encode()).decode()
    response = requests.get(
        live_server.url + "/v1/entries", headers={"Authorization": f"Basic {bad}"}, timeout=10
    )
    assert response.status_code == 401


def test_rate_limit_per_app_password(live_server, settings, world):
    settings.NEWSSTAND_SYNC_RATE_PER_MINUTE = 3
    client = miniflux.Client(live_server.url, api_key=world.password)
    for _ in range(3):
        client.me()
    with pytest.raises(miniflux.ClientError) as info:
        client.me()
    assert info.value.status_code == 429
    # Another app of the same reader has its own allowance.
    other = create_app_password(world.user, "Other app").password
    assert miniflux.Client(live_server.url, api_key=other).me()["id"] == world.user.pk
