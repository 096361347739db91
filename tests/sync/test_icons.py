"""Publisher icons in the apps: Miniflux's feed icon and icons, Fever's favicons, Google Reader's
iconUrl; a publisher without a stored icon has none (Miniflux), a blank one (Fever) or its
monogram (Google Reader)."""

from __future__ import annotations

import base64
import hashlib

import miniflux
import pytest
from django.test import Client

from newsstand.sources.actions import set_publisher_icon
from tests.ingest import images
from tests.sync.factories import greader_auth, make_world

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    return images.png(32, 32)


@pytest.fixture
def world():
    world = make_world("active")
    set_publisher_icon(
        world.followed[0],
        data=_png(),
        content_type="image/png",
        width=32,
        height=32,
        source_url="https://harbour.example/favicon.png",
    )
    set_publisher_icon(
        world.other,
        data=_png(),
        content_type="image/png",
        width=32,
        height=32,
        source_url="https://else.example/favicon.png",
    )
    return world


def test_miniflux_feed_icons(live_server, world):
    client = miniflux.Client(live_server.url, api_key=world.password)
    harbour, river = world.followed
    feeds = {f["id"]: f for f in client.get_feeds()}
    assert feeds[harbour.pk]["icon"] == {"feed_id": harbour.pk, "icon_id": harbour.pk}
    assert feeds[river.pk]["icon"] is None
    icon = client.get_feed_icon(harbour.pk)
    assert icon["mime_type"] == "image/png"
    kind, _, data = icon["data"].partition(";base64,")
    assert kind == "image/png" and base64.b64decode(data) == _png()
    assert client.get_icon(harbour.pk) == icon
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_feed_icon(river.pk)
    # The icon of a publisher the reader doesn't follow is not theirs to ask for.
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_icon(world.other.pk)


def test_fever_favicons_and_greader_icon_urls(world):
    harbour, river = world.followed
    client = Client()
    key = hashlib.md5(
        f"{world.user.email}:{world.password}".encode(), usedforsecurity=False
    ).hexdigest()
    favicons = client.post("/api/fever/?api&favicons", {"api_key": key}).json()["favicons"]
    by_id = {f["id"]: f["data"] for f in favicons}
    assert by_id[harbour.pk].startswith("image/png;base64,")
    assert by_id[river.pk].startswith("image/gif;base64,")  # the blank one
    assert world.other.pk not in by_id

    listed = client.get(
        "/api/greader/reader/api/0/subscription/list",
        {"output": "json"},
        **greader_auth(client, world),
    ).json()["subscriptions"]
    urls = {s["id"]: s["iconUrl"] for s in listed}
    assert urls[f"feed/{harbour.pk}"].startswith("http")
    assert f"/publishers/{harbour.slug}/icon?v=" in urls[f"feed/{harbour.pk}"]
    # The icon URL answers without signing in, with the stored image.
    path = urls[f"feed/{harbour.pk}"].split("://", 1)[1].split("/", 1)[1]
    response = Client().get("/" + path)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
