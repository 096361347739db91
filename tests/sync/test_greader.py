"""/api/greader/ driven by a published Google Reader client (PyPI `google-reader`, by Miniflux's
author, tested by him against Miniflux and FreshRSS) against a live server, and by plain HTTP for
what that client does not call (stream/contents, the Atom form, raw ClientLogin answers).

Cases follow the published descriptions of the API: the client's own README (item id forms,
stream ids, ClientLogin, token, user-info, subscription and tag lists, items ids and contents,
edit-tag, mark-all-as-read), FreshRSS's Google Reader API page (the `/api/greader…` address,
`GoogleLogin auth=`, `T` on writes) and the old Google Reader notes (pyrfeed's wiki, undoc.in,
Martin Doms): `n`, `r=o`, `ot`, `xt`, `it`, continuations `c`, the gr: Atom namespace.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from io import StringIO

import google_reader as gr
import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal.actions import note_article_opened
from newsstand.personal.models import ReadingHistory, SavedArticle
from newsstand.sync.actions import create_app_password, revoke_app_password
from newsstand.sync.models import AppPassword
from tests.gate.factories import LATER_MARKERS, MARKER, OPENING, make_gated_article
from tests.sync.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)

ATOM = "{http://www.w3.org/2005/Atom}"
GR_NS = "{http://www.google.com/schemas/reader/atom/}"
READING_LIST = gr.STREAM_READING_LIST


@pytest.fixture
def world():
    return make_world("active")


@pytest.fixture
def base(live_server) -> str:
    return f"{live_server.url}/api/greader"


@pytest.fixture
def client(base) -> gr.Client:
    return gr.Client(base)


@pytest.fixture
def auth(client, world) -> gr.AuthToken:
    return client.login(world.user.email, world.password)


@pytest.fixture
def csrf(client, auth) -> str:
    return client.get_token(auth)


def _headers(auth: gr.AuthToken) -> dict[str, str]:
    return {"Authorization": f"GoogleLogin auth={auth.AccessToken}"}


def _get(base: str, path: str, auth: gr.AuthToken | None, **params) -> requests.Response:
    headers = _headers(auth) if auth else {}
    return requests.get(f"{base}/{path}", params=params, headers=headers, timeout=10)


def _ids(refs: gr.StreamIDs) -> list[int]:
    return [int(r.id) for r in refs.item_refs]


def _usec(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _pks(articles: list[Article]) -> list[int]:
    return [a.pk for a in articles]


# Signing in ---------------------------------------------------------------------------------


def test_client_login_takes_an_app_password_and_gives_an_auth_token(base, client, world):
    auth = client.login(world.user.email, world.password)
    assert auth.TokenType == "GoogleLogin"
    row = AppPassword.objects.get(user=world.user)
    assert auth.AccessToken.startswith(f"{row.pk}/")
    assert world.password not in auth.AccessToken
    # The raw answer: the three lines of Google's ClientLogin, or JSON when asked.
    form = {"Email": world.user.email, "Passwd": world.password}
    raw = requests.post(f"{base}/accounts/ClientLogin", data=form, timeout=10)
    assert raw.headers["Content-Type"].startswith("text/plain")
    lines = dict(line.split("=", 1) for line in raw.text.strip().splitlines())
    assert set(lines) == {"SID", "LSID", "Auth"} and lines["Auth"] == auth.AccessToken
    as_json = requests.post(
        f"{base}/accounts/ClientLogin", data={**form, "output": "json"}, timeout=10
    ).json()
    assert as_json["Auth"] == auth.AccessToken
    assert requests.get(f"{base}/accounts/ClientLogin", params=form, timeout=10).status_code == 405


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (None, "aaaa-bbbb-cccc-dddd-eeee-ffff"),
        ("nobody@example.org", None),
        (None, ""),
    ],
)
def test_wrong_credentials_are_refused(base, client, world, email, password):
    with pytest.raises(gr.AuthenticationError):
        client.login(email or world.user.email, world.password if password is None else password)
    form = {"Email": email or world.user.email, "Passwd": password or ""}
    raw = requests.post(f"{base}/accounts/ClientLogin", data=form, timeout=10)
    assert raw.status_code == 401 and "Auth=" not in raw.text


def test_the_sign_in_password_is_not_an_app_password(client, world):
    world.user.set_password("correct horse battery staple")
    world.user.save()
    with pytest.raises(gr.AuthenticationError):
        client.login(world.user.email, "correct horse battery staple")


def test_the_token_is_revoked_with_its_app_password(client, world, auth):
    assert client.get_user_info(auth).user_email == world.user.email
    revoke_app_password(world.user, AppPassword.objects.get(user=world.user).pk)
    with pytest.raises(gr.AuthenticationError):
        client.get_user_info(auth)
    # A new app password for the same reader does not bring the old token back.
    create_app_password(world.user, "Reeder again")
    with pytest.raises(gr.AuthenticationError):
        client.get_user_info(auth)


def test_a_forged_token_is_refused(base, client, world, auth):
    pk, digest = auth.AccessToken.split("/")
    other = make_world("active")
    other_pk = AppPassword.objects.get(user=other.user).pk
    for forged in (f"{other_pk}/{digest}", f"{pk}/{'0' * len(digest)}", pk, "", "x/y"):
        with pytest.raises(gr.AuthenticationError):
            client.get_user_info(gr.AuthToken("GoogleLogin", forged))
    # Only the GoogleLogin scheme carries it.
    bearer = {"Authorization": f"Bearer {auth.AccessToken}"}
    response = requests.get(f"{base}/reader/api/0/user-info", headers=bearer, timeout=10)
    assert response.status_code == 401


def test_writes_need_the_t_token(base, client, world, auth, csrf):
    a = world.articles[0].pk
    assert len(csrf) == 57 and csrf != auth.AccessToken
    for token in ("y", csrf[:-1] + "Y", auth.AccessToken):
        response = requests.post(
            f"{base}/reader/api/0/edit-tag",
            data={"i": str(a), "a": gr.STREAM_READ, "T": token},
            headers=_headers(auth),
            timeout=10,
        )
        assert response.status_code == 401
        assert response.headers["X-Reader-Google-Bad-Token"] == "true"
    assert not ReadingHistory.objects.filter(user=world.user).exists()
    # Another app password of the same reader has its own T.
    other = create_app_password(world.user, "Other app").password
    other_csrf = client.get_token(client.login(world.user.email, other))
    assert other_csrf != csrf
    with pytest.raises(gr.ClientError):
        client.edit_tags(auth, other_csrf, item_ids=[str(a)], add_tags=[gr.STREAM_READ])
    assert client.edit_tags(auth, csrf, item_ids=[str(a)], add_tags=[gr.STREAM_READ])
    assert ReadingHistory.objects.filter(user=world.user, article_id=a).exists()
    # Write calls are POSTs.
    response = _get(base, "reader/api/0/edit-tag", auth, i=str(a), a=gr.STREAM_READ, T=csrf)
    assert response.status_code == 405


def test_apps_that_send_no_t_or_x_can_write(base, world, auth):
    # FeedMe sends no T and Reeder sends "x" (FreshRSS accepts both); the Authorization
    # header already proves the call is the app's.
    a, b = world.articles[0].pk, world.articles[1].pk
    for article, data in ((a, {}), (b, {"T": "x"})):
        response = requests.post(
            f"{base}/reader/api/0/edit-tag",
            data={"i": str(article), "a": gr.STREAM_READ, **data},
            headers=_headers(auth),
            timeout=10,
        )
        assert response.status_code == 200, data
    read = ReadingHistory.objects.filter(user=world.user).values_list("article_id", flat=True)
    assert sorted(read) == sorted([a, b])
    # Without the Authorization header the same call is refused, whatever T says.
    response = requests.post(
        f"{base}/reader/api/0/edit-tag", data={"i": str(a), "a": gr.STREAM_READ}, timeout=10
    )
    assert response.status_code == 401


# Lists --------------------------------------------------------------------------------------


def test_user_info(client, world, auth):
    info = client.get_user_info(auth)
    assert info == gr.UserInfo(
        user_id=str(world.user.pk),
        user_name=world.user.email,
        user_email=world.user.email,
        user_profile_id=str(world.user.pk),
    )


def test_subscriptions_and_tags_are_what_the_reader_follows(client, world, auth):
    subscriptions = client.list_subscriptions(auth)
    harbour, river = world.followed
    assert [(s.id, s.title) for s in subscriptions] == [
        (f"feed/{harbour.pk}", "Harbour Times"),
        (f"feed/{river.pk}", "River Post"),
    ]
    first = subscriptions[0]
    assert first.url.endswith(f"/feeds/publishers/{harbour.slug}/rss/")
    assert first.html_url == harbour.homepage
    assert first.categories == [
        gr.Tag(id="user/-/label/Following", label="Following", type="folder")
    ]
    assert client.list_tags(auth) == [
        gr.Tag(id=gr.STREAM_STARRED),
        gr.Tag(id="user/-/label/Following", label="Following", type="folder"),
    ]


def test_unread_count(base, client, world, auth, csrf):
    client.edit_tags(auth, csrf, item_ids=[str(world.articles[0].pk)], add_tags=[gr.STREAM_READ])
    counts = _get(base, "reader/api/0/unread-count", auth, output="json").json()
    harbour, river = world.followed
    by_id = {row["id"]: row["count"] for row in counts["unreadcounts"]}
    assert by_id == {
        f"feed/{harbour.pk}": 2,
        f"feed/{river.pk}": 2,
        "user/-/label/Following": 4,
        READING_LIST: 4,
    }
    assert counts["max"] == 4
    newest = max(a.fetched_at for a in world.articles)
    stamps = {row["id"]: row["newestItemTimestampUsec"] for row in counts["unreadcounts"]}
    assert stamps[READING_LIST] == str(_usec(newest))


# Streams ------------------------------------------------------------------------------------


def test_item_ids_newest_first_in_pages_with_continuations(client, world, auth):
    newest_first = _pks(world.articles)[::-1]
    everything = client.get_stream_items_ids(auth, stream_id=READING_LIST)
    assert _ids(everything) == newest_first
    assert not everything.continuation
    seen: list[int] = []
    continuation = None
    for _ in range(3):
        page = client.get_stream_items_ids(
            auth, stream_id=READING_LIST, limit=2, continuation=continuation
        )
        seen += _ids(page)
        continuation = page.continuation
        if not continuation:
            break
    assert seen == newest_first and not continuation
    oldest_first = client.get_stream_items_ids(auth, stream_id=READING_LIST, direction="asc")
    assert _ids(oldest_first) == _pks(world.articles)
    page = client.get_stream_items_ids(auth, stream_id=READING_LIST, limit=3, direction="asc")
    rest = client.get_stream_items_ids(
        auth, stream_id=READING_LIST, direction="asc", continuation=page.continuation
    )
    assert _ids(page) + _ids(rest) == _pks(world.articles)


def test_streams_feed_label_read_starred(base, client, world, auth, csrf):
    arts = world.articles
    harbour, _ = world.followed
    feed = client.get_stream_items_ids(auth, stream_id=f"feed/{harbour.pk}")
    assert _ids(feed) == [arts[4].pk, arts[2].pk, arts[0].pk]
    label = client.get_stream_items_ids(auth, stream_id=gr.get_label_id("Following"))
    assert _ids(label) == _pks(arts)[::-1]
    # The reader's own id may stand for "-".
    own = client.get_stream_items_ids(
        auth, stream_id=f"user/{world.user.pk}/state/com.google/reading-list"
    )
    assert _ids(own) == _pks(arts)[::-1]
    client.edit_tags(auth, csrf, item_ids=[str(arts[1].pk)], add_tags=[gr.STREAM_READ])
    client.edit_tags(auth, csrf, item_ids=[str(arts[3].pk)], add_tags=[gr.STREAM_STARRED])
    unread = client.get_stream_items_ids(
        auth, stream_id=READING_LIST, exclude_target=gr.STREAM_READ
    )
    assert _ids(unread) == [arts[4].pk, arts[3].pk, arts[2].pk, arts[0].pk]
    assert _ids(client.get_stream_items_ids(auth, stream_id=gr.STREAM_READ)) == [arts[1].pk]
    assert _ids(client.get_stream_items_ids(auth, stream_id=gr.STREAM_STARRED)) == [arts[3].pk]
    kept = client.get_stream_items_ids(
        auth, stream_id=READING_LIST, include_target=gr.STREAM_STARRED
    )
    assert _ids(kept) == [arts[3].pk]
    # Saved on the site from a publisher the reader does not follow: starred, in the reading list.
    SavedArticle.objects.create(user=world.user, article=world.elsewhere)
    starred = client.get_stream_items_ids(auth, stream_id=gr.STREAM_STARRED)
    assert _ids(starred) == sorted([arts[3].pk, world.elsewhere.pk], reverse=True)
    assert world.elsewhere.pk not in _ids(label)
    for missing in (f"feed/{world.other.pk}", "feed/999999", "user/-/label/Nope", "nonsense"):
        response = _get(base, "reader/api/0/stream/items/ids", auth, s=missing, output="json")
        assert response.status_code == 404, missing
    bad = _get(base, "reader/api/0/stream/items/ids", auth, s=READING_LIST, n="many")
    assert bad.status_code == 400


def test_ot_and_nt_are_the_time_stored(base, client, world, auth):
    now = timezone.now()
    for i, article in enumerate(world.articles):
        Article.objects.filter(pk=article.pk).update(fetched_at=now - timedelta(hours=10 - i))
    since = int((now - timedelta(hours=7, minutes=30)).timestamp())
    recent = client.get_stream_items_ids(auth, stream_id=READING_LIST, start_time=since)
    assert _ids(recent) == [a.pk for a in world.articles[3:]][::-1]
    until = int((now - timedelta(hours=8, minutes=30)).timestamp())
    older = _get(base, "reader/api/0/stream/items/ids", auth, s=READING_LIST, nt=until)
    assert [int(r["id"]) for r in older.json()["itemRefs"]] == [
        world.articles[1].pk,
        world.articles[0].pk,
    ]


def test_items_contents_by_long_and_short_ids(client, world, auth, csrf):
    a, b = world.articles[0], world.articles[3]
    long_a = gr.get_long_item_id(a.pk)
    assert long_a == f"tag:google.com,2005:reader/item/{a.pk:016x}"
    client.edit_tags(auth, csrf, item_ids=[long_a], add_tags=[gr.STREAM_STARRED])
    contents = client.get_stream_items_contents(
        auth, csrf, item_ids=[long_a, str(b.pk), str(world.elsewhere.pk)]
    )
    assert [i.id for i in contents.items] == [gr.get_long_item_id(b.pk), long_a]
    item = contents.items[1]
    assert item.title == a.title
    assert item.origin == gr.ContentItemOrigin(
        stream_id=f"feed/{world.followed[0].pk}",
        title="Harbour Times",
        html_url=world.followed[0].homepage,
    )
    assert item.categories == [READING_LIST, "user/-/label/Following", gr.STREAM_STARRED]
    assert item.alternate[0].href.endswith(a.get_absolute_url())
    assert item.published == int(a.published_at.timestamp())
    assert int(item.timestamp_usec) // 1000 == int(item.crawl_time_msec)
    assert all(m in item.content.content for m in LATER_MARKERS)
    assert item.summary.content == item.content.content


def test_stream_contents_json(base, world, auth):
    response = _get(
        base, "reader/api/0/stream/contents/user/-/state/com.google/reading-list", auth, n=2
    )
    data = response.json()
    assert data["id"] == READING_LIST
    assert [i["id"] for i in data["items"]] == [
        f"tag:google.com,2005:reader/item/{a.pk:016x}" for a in world.articles[::-1][:2]
    ]
    rest = _get(
        base, "reader/api/0/stream/contents/" + READING_LIST, auth, c=data["continuation"]
    ).json()
    assert [int(i["id"][-16:], 16) for i in rest["items"]] == _pks(world.articles)[::-1][2:]
    assert "continuation" not in rest
    # The stream named by `s`, and a feed's stream in its path.
    feed = world.followed[1]
    by_s = _get(base, "reader/api/0/stream/contents", auth, s=f"feed/{feed.pk}").json()
    by_path = _get(base, f"reader/api/0/stream/contents/feed/{feed.pk}", auth).json()
    assert by_s["items"] == by_path["items"]
    assert [i["origin"]["streamId"] for i in by_s["items"]] == [f"feed/{feed.pk}"] * 2


def test_atom_form(base, client, world, auth, csrf):
    client.edit_tags(auth, csrf, item_ids=[str(world.articles[4].pk)], add_tags=[gr.STREAM_READ])
    # RFC 4287 wants an author on every entry: the publisher when the article names none.
    Article.objects.filter(pk=world.articles[4].pk).update(authors=[])
    response = _get(base, "reader/atom/user/-/state/com.google/reading-list", auth, n=3)
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    continuation = root.find(f"{GR_NS}continuation").text
    entries = root.findall(f"{ATOM}entry")
    newest = world.articles[4]
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        f"tag:google.com,2005:reader/item/{a.pk:016x}" for a in world.articles[::-1][:3]
    ]
    first = entries[0]
    terms = {c.get("term") for c in first.findall(f"{ATOM}category")}
    assert gr.STREAM_READ in terms and READING_LIST in terms
    assert first.find(f"{ATOM}title").text == newest.title
    assert first.find(f"{ATOM}updated") is not None
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Harbour Times"
    assert entries[1].find(f"{ATOM}author/{ATOM}name").text == ", ".join(world.articles[3].authors)
    assert first.find(f"{ATOM}source").get(f"{GR_NS}stream-id") == f"feed/{newest.publisher_id}"
    assert first.get(f"{GR_NS}crawl-timestamp-msec").isdigit()
    assert all(m in first.find(f"{ATOM}content").text for m in LATER_MARKERS)
    rest = _get(base, "reader/atom/user/-/state/com.google/reading-list", auth, c=continuation)
    rest_entries = ET.fromstring(rest.content).findall(f"{ATOM}entry")
    assert len(rest_entries) == 2
    unread = _get(base, f"reader/atom/feed/{newest.publisher_id}", auth, xt=gr.STREAM_READ)
    assert len(ET.fromstring(unread.content).findall(f"{ATOM}entry")) == 2


# Marking ------------------------------------------------------------------------------------


def test_edit_tag_is_history_and_saved(base, client, world, auth, csrf):
    a, b = world.articles[0].pk, world.articles[1].pk
    items = [gr.get_long_item_id(a), str(b)]
    assert client.edit_tags(auth, csrf, item_ids=items, add_tags=[gr.STREAM_READ])
    assert set(
        ReadingHistory.objects.filter(user=world.user).values_list("article_id", flat=True)
    ) == {a, b}
    client.edit_tags(auth, csrf, item_ids=[str(a)], remove_tags=[gr.STREAM_READ])
    assert not ReadingHistory.objects.filter(user=world.user, article_id=a).exists()
    client.edit_tags(auth, csrf, item_ids=[str(b)], add_tags=[gr.STREAM_KEPT_UNREAD])
    assert not ReadingHistory.objects.filter(user=world.user).exists()
    client.edit_tags(auth, csrf, item_ids=[str(b)], add_tags=[gr.STREAM_STARRED])
    assert SavedArticle.objects.filter(user=world.user, article_id=b).exists()
    client.edit_tags(auth, csrf, item_ids=[str(b)], remove_tags=[gr.STREAM_STARRED])
    assert not SavedArticle.objects.filter(user=world.user).exists()
    # Opening an article on the site marks it read in the app too.
    note_article_opened(world.user, Article.objects.get(pk=a))
    assert a in _ids(client.get_stream_items_ids(auth, stream_id=gr.STREAM_READ))
    # Sharing and liking mean nothing here; an article outside the reader's entries is left alone.
    assert client.edit_tags(auth, csrf, item_ids=[str(b)], add_tags=[gr.STREAM_BROADCAST])
    client.edit_tags(auth, csrf, item_ids=[str(world.elsewhere.pk)], add_tags=[gr.STREAM_READ])
    assert not ReadingHistory.objects.filter(article=world.elsewhere).exists()
    # Labels on items, contradictions, and calls that name no item or no tag are refused.
    item = {"i": str(a)}
    for data, status in (
        ({**item, "a": gr.get_label_id("Mine")}, 403),
        ({**item, "a": gr.STREAM_READ, "r": gr.STREAM_READ}, 400),
        ({**item, "a": gr.STREAM_READ, "r": gr.STREAM_KEPT_UNREAD}, 200),
        ({**item, "a": gr.STREAM_READ + "x"}, 400),
        ({**item}, 400),
        ({"a": gr.STREAM_READ}, 400),
        ({"i": "tag:google.com,2005:reader/item/zz", "a": gr.STREAM_READ}, 400),
    ):
        response = requests.post(
            f"{base}/reader/api/0/edit-tag",
            data={"T": csrf, **data},
            headers=_headers(auth),
            timeout=10,
        )
        assert response.status_code == status, data


def test_mark_all_as_read(client, world, auth, csrf):
    arts = world.articles
    harbour = world.followed[0]
    assert client.mark_all_as_read(auth, csrf, stream_id=f"feed/{harbour.pk}")
    unread = client.get_stream_items_ids(
        auth, stream_id=READING_LIST, exclude_target=gr.STREAM_READ
    )
    assert _ids(unread) == [arts[3].pk, arts[1].pk]
    # Up to a time stored (the newest item the app has shown), in seconds or microseconds.
    now = timezone.now()
    Article.objects.filter(pk=arts[1].pk).update(fetched_at=now - timedelta(hours=2))
    Article.objects.filter(pk=arts[3].pk).update(fetched_at=now - timedelta(hours=1))
    stamp = _usec(Article.objects.get(pk=arts[1].pk).fetched_at)
    client.mark_all_as_read(
        auth, csrf, stream_id=gr.get_label_id("Following"), before_timestamp=stamp
    )
    unread = client.get_stream_items_ids(
        auth, stream_id=READING_LIST, exclude_target=gr.STREAM_READ
    )
    assert _ids(unread) == [arts[3].pk]
    client.mark_all_as_read(
        auth, csrf, stream_id=READING_LIST, before_timestamp=int(now.timestamp())
    )
    assert (
        _ids(
            client.get_stream_items_ids(auth, stream_id=READING_LIST, exclude_target=gr.STREAM_READ)
        )
        == []
    )
    assert ReadingHistory.objects.filter(user=world.user).count() == 5
    with pytest.raises(gr.ResourceNotFoundError):
        client.mark_all_as_read(auth, csrf, stream_id=f"feed/{world.other.pk}")


def test_writes_that_make_no_sense_here_are_a_clear_403(base, client, world, auth, csrf):
    with pytest.raises(gr.ClientError):
        client.edit_subscription(
            auth, csrf, subscription_id="feed/https://x.example/rss", action="subscribe"
        )
    for path in ("subscription/edit", "subscription/quickadd", "rename-tag", "disable-tag"):
        response = requests.post(
            f"{base}/reader/api/0/{path}", data={"T": csrf}, headers=_headers(auth), timeout=10
        )
        assert response.status_code == 403 and "cannot change feeds" in response.text
    assert _get(base, "reader/api/0/nothing-here", auth).status_code == 404
    assert requests.get(f"{base}/", timeout=10).text == "OK"


# The gate -----------------------------------------------------------------------------------


def _everything(base: str, client: gr.Client, world) -> str:
    """Every body an app can get: items contents, stream contents, and the Atom form."""
    auth = client.login(world.user.email, world.password)
    csrf = client.get_token(auth)
    ids = [r.id for r in client.get_stream_items_ids(auth, stream_id=READING_LIST).item_refs]
    bodies = [i.content.content for i in client.get_stream_items_contents(auth, csrf, ids).items]
    bodies += [i.summary.content for i in client.get_stream_items_contents(auth, csrf, ids).items]
    bodies.append(_get(base, "reader/api/0/stream/contents/" + READING_LIST, auth, n=50).text)
    bodies.append(_get(base, "reader/atom/" + READING_LIST, auth, n=50).text)
    return "".join(bodies)


@pytest.mark.parametrize("kind", ["active", "trial"])
def test_members_and_trials_get_whole_articles(base, client, kind):
    world = make_world(kind)
    text = _everything(base, client, world)
    assert all(marker in text for marker in LATER_MARKERS)


@pytest.mark.parametrize("kind", ["registered", "expired", "trial_over", "paid_over", "ended"])
def test_readers_without_access_get_teasers_only(base, client, settings, kind):
    # Metering on: syncing must never spend (or show) a free article either.
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3
    world = make_world("active" if kind == "ended" else kind)
    if kind == "ended":
        call_command("members", "end", world.user.email, stdout=StringIO())
    text = _everything(base, client, world)
    assert OPENING in text
    assert MARKER not in text and not any(m in text for m in LATER_MARKERS)
    assert "Read the whole article on Newsstand" in text


def test_anonymous_gets_401_and_no_body(base, world):
    a = world.articles[0].pk
    paths = [
        "reader/api/0/token",
        "reader/api/0/user-info",
        "reader/api/0/subscription/list",
        "reader/api/0/tag/list",
        "reader/api/0/unread-count",
        f"reader/api/0/stream/items/ids?s={READING_LIST}",
        f"reader/api/0/stream/items/contents?i={a}",
        "reader/api/0/stream/contents/" + READING_LIST,
        "reader/atom/" + READING_LIST,
    ]
    for path in paths:
        response = requests.get(f"{base}/{path}", timeout=10)
        assert response.status_code == 401, path
        assert MARKER not in response.text and OPENING not in response.text
    for path in ("reader/api/0/edit-tag", "reader/api/0/mark-all-as-read"):
        response = requests.post(
            f"{base}/{path}", data={"i": str(a), "a": gr.STREAM_READ, "s": READING_LIST}, timeout=10
        )
        assert response.status_code == 401
    assert not ReadingHistory.objects.exists()


def test_rate_limit_per_app_password(base, client, settings, world):
    settings.NEWSSTAND_SYNC_RATE_PER_MINUTE = 3
    auth = client.login(world.user.email, world.password)  # the first call
    client.get_user_info(auth)
    client.get_user_info(auth)
    response = _get(base, "reader/api/0/user-info", auth)
    assert response.status_code == 429 and response.headers["Retry-After"]
    other = create_app_password(world.user, "Other app").password
    assert client.get_user_info(client.login(world.user.email, other)).user_id == str(world.user.pk)


def test_item_in_entries_only(base, world, auth):
    old = make_gated_article(
        world.followed[0], title="Old", published_at=timezone.now() - timedelta(days=90)
    )
    response = _get(
        base, "reader/api/0/stream/items/contents", auth, i=[str(old.pk), str(world.old.pk)]
    )
    assert response.json()["items"] == []
