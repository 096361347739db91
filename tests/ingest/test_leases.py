"""Leases: a feed claimed twice is fetched once, a running fetch keeps its lease, and a dead
worker's feed is due again within a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ingest import actions, leases
from newsstand.ingest.models import FeedCheck
from newsstand.sources.models import Feed, Publisher
from tests.httpserver import PublisherWeb
from tests.ingest.corpus import rss, serve_articles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private_urls")]


@pytest.fixture
def publisher() -> Publisher:
    return Publisher.objects.create(name="Local Daily", slug="local-daily")


def test_a_claim_starts_once_and_a_stale_claim_never(publisher: Publisher) -> None:
    feed = Feed.objects.create(publisher=publisher, url="http://127.0.0.1:9/feed.xml")
    [(pk, claim)] = actions.claim_due_leases()
    assert pk == feed.pk
    assert leases.start_lease(pk, claimed=claim)
    try:
        # The same claim, enqueued twice by a tick that ran twice, does not start again.
        assert not leases.start_lease(pk, claimed=claim)
        assert leases.held_leases() == [pk]
    finally:
        leases.finish_lease(pk)
    feed.refresh_from_db()
    assert feed.leased_until is None and leases.held_leases() == []


def test_a_running_lease_is_short_and_renewed(publisher: Publisher) -> None:
    feed = Feed.objects.create(publisher=publisher, url="http://127.0.0.1:9/feed.xml")
    now = timezone.now()
    assert leases.start_lease(feed.pk, now=now)
    try:
        feed.refresh_from_db()
        assert feed.leased_until == now + timedelta(seconds=leases.RUNNING_LEASE_S)
        later = now + timedelta(seconds=leases.LEASE_RENEW_S)
        assert leases.renew_leases(later) == 1
        feed.refresh_from_db()
        assert feed.leased_until == later + timedelta(seconds=leases.RUNNING_LEASE_S)
        # Nobody may claim it while it is renewed.
        assert actions.claim_due_feeds(now=later + timedelta(seconds=1)) == []
    finally:
        leases.finish_lease(feed.pk)


def test_a_dead_worker_s_feed_is_due_again_within_a_minute(publisher: Publisher) -> None:
    feed = Feed.objects.create(publisher=publisher, url="http://127.0.0.1:9/feed.xml")
    now = timezone.now()
    [(_, claim)] = actions.claim_due_leases(now=now)
    assert leases.start_lease(feed.pk, claimed=claim, now=now)
    # The worker dies here: nothing renews, nothing releases.
    leases._keeper._held.clear()
    gone = now + timedelta(seconds=leases.RUNNING_LEASE_S + 1)
    assert actions.claim_due_feeds(now=now + timedelta(seconds=leases.RUNNING_LEASE_S - 1)) == []
    assert actions.claim_due_feeds(now=gone) == [feed.pk]


def test_a_worker_that_lost_its_lease_leaves_the_new_one_alone(publisher: Publisher) -> None:
    feed = Feed.objects.create(publisher=publisher, url="http://127.0.0.1:9/feed.xml")
    now = timezone.now()
    assert leases.start_lease(feed.pk, now=now)
    # Paused past its lease, the feed went to another worker.
    later = now + timedelta(seconds=leases.RUNNING_LEASE_S + 1)
    theirs = actions.claim_feed(feed.pk, now=later)
    assert theirs is not None
    assert leases.renew_leases(later) == 0
    leases.finish_lease(feed.pk)
    feed.refresh_from_db()
    assert feed.leased_until == theirs


def test_a_refresh_with_a_stale_claim_fetches_nothing(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    items = serve_articles(publisher_web, "news", 2)
    feed = Feed.objects.create(
        publisher=publisher, url=publisher_web.add("/feed.xml", rss(publisher_web, items))
    )
    [(_, claim)] = actions.claim_due_leases()
    assert actions.refresh_feed(feed.pk, lease=claim).new_articles == 2
    again = actions.refresh_feed(feed.pk, lease=claim)
    assert again.outcome == "skipped" and publisher_web.hits("/feed.xml") == 1
    assert Article.objects.count() == 2 and FeedCheck.objects.count() == 1


def test_a_claim_whose_task_was_lost_is_released(publisher: Publisher) -> None:
    lost, fresh, running = (
        Feed.objects.create(publisher=publisher, url=f"http://127.0.0.1:9/{name}.xml")
        for name in ("lost", "fresh", "running")
    )
    now = timezone.now()
    lost_claim = actions.claim_feed(lost.pk, now=now - timedelta(seconds=actions.LOST_CLAIM_S + 1))
    assert actions.claim_feed(fresh.pk, now=now - timedelta(seconds=actions.LOST_CLAIM_S - 5))
    assert leases.start_lease(running.pk, now=now - timedelta(seconds=5))
    try:
        assert actions.release_lost_claims(now=now) == 1
        lost.refresh_from_db()
        assert lost.leased_until is None
        # The task turns up after all: its claim is no longer the feed's, so it fetches nothing.
        assert not leases.start_lease(lost.pk, claimed=lost_claim, now=now)
        assert Feed.objects.filter(leased_until__isnull=False).count() == 2
    finally:
        leases.finish_lease(running.pk)


def test_the_tick_hands_on_a_lost_claim_when_the_queue_is_empty(
    publisher_web: PublisherWeb, publisher: Publisher
) -> None:
    from newsstand.ingest.tasks import enqueue_due_feeds

    items = serve_articles(publisher_web, "news", 2)
    feed = Feed.objects.create(
        publisher=publisher, url=publisher_web.add("/feed.xml", rss(publisher_web, items))
    )
    # Claimed by a tick, its task taken by a worker killed before starting it.
    assert actions.claim_feed(
        feed.pk, now=timezone.now() - timedelta(seconds=actions.LOST_CLAIM_S + 1)
    )
    # Tasks run inline here (tests/conftest.py), so the queue is empty.
    assert enqueue_due_feeds() == 1
    assert Article.objects.count() == 2 and publisher_web.hits("/feed.xml") == 1


def test_the_tick_leaves_claims_alone_while_tasks_wait_in_the_queue(
    publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey.contrib.djhuey import HUEY

    from newsstand.ingest.tasks import enqueue_due_feeds

    feed = Feed.objects.create(publisher=publisher, url="http://127.0.0.1:9/feed.xml")
    claim = actions.claim_feed(
        feed.pk, now=timezone.now() - timedelta(seconds=actions.LOST_CLAIM_S + 1)
    )
    # Its task may be one of those waiting: it keeps its claim.
    monkeypatch.setattr(HUEY, "pending_count", lambda: 3)
    assert enqueue_due_feeds() == 0
    feed.refresh_from_db()
    assert feed.leased_until == claim
