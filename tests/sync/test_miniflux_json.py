"""Miniflux's feed JSON: the part every reader shares is built once, and never leaks one reader's
fields into another's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from newsstand.sync.feeds import publisher_feed, reader_feeds
from newsstand.sync.miniflux_json import feed_json, feeds_by_id
from tests.gate.factories import make_user
from tests.sync.factories import make_world

pytestmark = pytest.mark.django_db


def test_each_reader_gets_their_own_fields_and_a_rename_shows_at_once():
    world = make_world()
    other = make_user("active")
    harbour = world.followed[0]
    now = timezone.now()
    mine = feeds_by_id(world.user, reader_feeds(world.user), {harbour.pk}, now)[harbour.pk]
    theirs = feeds_by_id(other, reader_feeds(other), {harbour.pk}, now)[harbour.pk]
    assert (mine["user_id"], mine["category"]["user_id"]) == (world.user.pk, world.user.pk)
    assert (theirs["user_id"], theirs["category"]["user_id"]) == (other.pk, other.pk)
    # The same JSON as a feed read on its own (GET /v1/feeds/{id}), field for field, in order.
    assert mine == feed_json(world.user, publisher_feed(harbour), now)
    assert list(mine) == list(feed_json(world.user, publisher_feed(harbour), now))
    harbour.name = "Harbour Times Weekly"
    harbour.save()
    renamed = feeds_by_id(world.user, reader_feeds(world.user), {harbour.pk}, now)[harbour.pk]
    assert renamed["title"] == "Harbour Times Weekly"
    assert mine["title"] == "Harbour Times"  # what an earlier call returned is its own
