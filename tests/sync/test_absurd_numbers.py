"""Numbers no entry, list or clock can reach answer the sync APIs' own errors or nothing, never a
server error (issue #13 item 8, for Miniflux, Google Reader and Fever): an id past the database's
64-bit integers, an offset past any list, a negative limit, a time past year 9999.

Read and write calls alike; the app password is real, so every call gets past authentication.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.test import Client

from newsstand.personal.models import ReadingHistory, SavedArticle
from tests.sync.factories import World, greader_auth, make_world

pytestmark = pytest.mark.django_db

INT64_MAX = 2**63 - 1
ABSURD = [str(INT64_MAX), str(INT64_MAX + 1), "1" + "0" * 40, str(-INT64_MAX - 2)]
# 9999-12-31 23:59:59 UTC: a time datetime holds, but not the second after it.
LAST_SECOND = "253402300799"
ITEM = "tag:google.com,2005:reader/item/"
GREADER = "/api/greader/reader/api/0/"

MINIFLUX_READS = [
    "/v1/entries?offset={}",
    "/v1/entries?limit={}",
    "/v1/entries?after_entry_id={}",
    "/v1/entries?before_entry_id={}",
    "/v1/entries?after={}",
    "/v1/entries?before={}",
    "/v1/entries?published_after={}",
    "/v1/entries?published_before={}",
    "/v1/entries?changed_after={}",
    "/v1/entries/{}",
    "/v1/entries/{}/fetch-content",
    "/v1/feeds/{}/entries",
    "/v1/feeds/{}",
    "/v1/categories/{}/entries",
    "/v1/icons/{}",
]
GREADER_READS = [
    GREADER + "stream/contents?n={}",
    GREADER + "stream/contents?c={}",
    GREADER + "stream/contents?c={}&r=o",
    GREADER + "stream/contents?ot={}",
    GREADER + "stream/contents?nt={}",
    GREADER + "stream/items/ids?s=user/-/state/com.google/reading-list&n={}",
    GREADER + "stream/items/contents?i={}",
    GREADER + "stream/items/contents?i=" + ITEM + "{}",
]
FEVER_READS = ["items&since_id={}", "items&max_id={}", "items&with_ids={}", "items&with_ids=1,{}"]


@pytest.fixture
def world() -> World:
    return make_world("active")


@pytest.fixture
def miniflux(world: World) -> dict[str, str]:
    basic = base64.b64encode(f"{world.user.email}:{world.password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {basic}"}


@pytest.fixture
def greader(world: World) -> dict[str, str]:
    return greader_auth(Client(), world)


@pytest.fixture
def fever_key(world: World) -> str:
    return hashlib.md5(f"{world.user.email}:{world.password}".encode()).hexdigest()


def _server_errors(calls: dict[str, int]) -> dict[str, int]:
    return {url: status for url, status in calls.items() if status >= 500}


def test_absurd_numbers_in_reads_are_no_server_error(
    miniflux: dict[str, str], greader: dict[str, str], fever_key: str
) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/v1/entries", **miniflux).status_code == 200
    assert client.get(GREADER + "stream/contents", **greader).status_code == 200
    calls: dict[str, int] = {}
    for number in ABSURD:
        for template in MINIFLUX_READS:
            url = template.format(number)
            calls[url] = client.get(url, **miniflux).status_code
        for template in GREADER_READS:
            url = template.format(number)
            calls[url] = client.get(url, **greader).status_code
        for template in FEVER_READS:
            url = "/api/fever/?api&" + template.format(number)
            response = client.post(url, {"api_key": fever_key})
            calls[url] = response.status_code
            if response.status_code == 200:
                assert response.json()["auth"] == 1
    assert sorted(_server_errors(calls)) == []


def test_absurd_numbers_in_writes_are_no_server_error_and_change_nothing(
    world: World, miniflux: dict[str, str], greader: dict[str, str], fever_key: str
) -> None:
    client = Client(raise_request_exception=False)
    token = client.get(GREADER + "token", **greader).content.decode().strip()
    calls: dict[str, int] = {}
    for number in ABSURD:
        calls[f"PUT /v1/entries {number}"] = client.put(
            "/v1/entries",
            json.dumps({"entry_ids": [int(number)], "status": "read"}),
            content_type="application/json",
            **miniflux,
        ).status_code
        calls[f"PUT /v1/entries/{number}/bookmark"] = client.put(
            f"/v1/entries/{number}/bookmark", **miniflux
        ).status_code
        for item in (number, ITEM + number):
            for tag in ("a", "r"):
                calls[f"edit-tag {tag}={item}"] = client.post(
                    GREADER + "edit-tag",
                    {"i": item, tag: "user/-/state/com.google/starred", "T": token},
                    **greader,
                ).status_code
        fever = [
            f"mark=item&as={mark}&id={number}" for mark in ("read", "saved", "unsaved", "unread")
        ]
        fever += [
            f"mark={kind}&as=read&id={world.followed[0].pk}&before={number}"
            for kind in ("feed", "group")
        ]
        for query in fever:
            url = f"/api/fever/?api&{query}"
            response = client.post(url, {"api_key": fever_key})
            calls[url] = response.status_code
            if response.status_code == 200:  # Fever answers a wrong key with 200 and auth 0
                assert response.json()["auth"] == 1, url
        url = GREADER + "mark-all-as-read"
        stream = "user/-/state/com.google/reading-list"
        for ts in (number, LAST_SECOND):
            calls[f"{url} ts={ts}"] = client.post(
                url, {"s": stream, "ts": ts, "T": token}, **greader
            ).status_code
    assert sorted(_server_errors(calls)) == []
    # Past authentication (and its limits) every time: else nothing was asked to change.
    assert sorted(url for url, status in calls.items() if status in (401, 403, 429)) == []
    assert not ReadingHistory.objects.filter(user=world.user).exists()
    assert not SavedArticle.objects.filter(user=world.user).exists()


def test_a_negative_limit_is_the_default_page_and_an_offset_past_every_list_is_empty(
    miniflux: dict[str, str],
) -> None:
    client = Client()
    everything = client.get("/v1/entries", **miniflux).json()
    assert everything["total"] > 0
    negative = client.get("/v1/entries?limit=-1", **miniflux).json()
    assert [e["id"] for e in negative["entries"]] == [e["id"] for e in everything["entries"]]
    past = client.get(f"/v1/entries?offset={INT64_MAX + 1}", **miniflux).json()
    assert past == {"total": everything["total"], "entries": []}


def test_a_time_past_the_year_9999_is_a_bad_request(
    miniflux: dict[str, str], greader: dict[str, str]
) -> None:
    client = Client()
    for name in ("after", "before", "published_after", "published_before"):
        response = client.get(f"/v1/entries?{name}={LAST_SECOND}", **miniflux)
        assert response.status_code == 400
        assert response.json() == {
            "error_message": f"Invalid {name} value: {LAST_SECOND} is past the year 9999"
        }
    for name in ("ot", "nt"):
        response = client.get(GREADER + f"stream/contents?{name}={INT64_MAX}", **greader)
        assert response.status_code == 400
        assert "past the year 9999" in response.content.decode()
