"""Politeness shared through Redis: N workers together keep one per-host limit, fetch each
robots.txt once and honour one back-off. Two RedisPoliteness instances stand for two workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from pytest_django.fixtures import Settings

from newsstand.ingest import politeness
from newsstand.ingest.leases import RUNNING_LEASE_S
from newsstand.ingest.politeness import RedisPoliteness
from tests.httpserver import PublisherWeb

pytestmark = [pytest.mark.usefixtures("allow_private_urls")]


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("NEWSSTAND_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {url} under CI")
        pytest.skip(f"no Redis at {url} (NEWSSTAND_TEST_REDIS_URL)")
    return url


@pytest.fixture
def workers(redis_url: str) -> Iterator[tuple[RedisPoliteness, RedisPoliteness]]:
    # A prefix of its own: the server may be shared, and the test never flushes it.
    prefix = f"newsstand-test-{uuid.uuid4().hex}:"
    pair = (RedisPoliteness(redis_url, prefix=prefix), RedisPoliteness(redis_url, prefix=prefix))
    yield pair
    pair[0].reset()


def test_two_workers_together_keep_the_per_host_limit(
    workers: tuple[RedisPoliteness, RedisPoliteness],
) -> None:
    a, b = workers
    url = "http://news.example/a"
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def fetch(worker: RedisPoliteness) -> None:
        nonlocal in_flight, peak
        with worker.host_slot(url):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.15)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=fetch, args=(w,)) for w in (a, b) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert peak == politeness.PER_HOST_CONCURRENCY
    # Other hosts are not held up by this one.
    with a.host_slot(url), a.host_slot(url), b.host_slot("http://other.example/"):
        pass


# A worker process that takes every slot of the host, says so, and keeps fetching until killed.
_SLOT_HOLDER = """
import contextlib, sys, time
from newsstand.ingest import politeness
redis_url, prefix, url, ttl_s, renew_s = sys.argv[1:]
politeness.SLOT_TTL_S, politeness.SLOT_RENEW_S = float(ttl_s), float(renew_s)
worker = politeness.RedisPoliteness(redis_url, prefix=prefix)
with contextlib.ExitStack() as stack:
    for _ in range(politeness.PER_HOST_CONCURRENCY):
        stack.enter_context(worker.host_slot(url))
    print("holding", flush=True)
    time.sleep(120)
"""


def test_slots_live_while_their_worker_does_and_free_soon_after_it_dies(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short times; under load a renewal may be late by a second, hence the margins.
    ttl_s, renew_s = 1.5, 0.3
    monkeypatch.setattr(politeness, "SLOT_TTL_S", ttl_s)
    monkeypatch.setattr(politeness, "SLOT_RENEW_S", renew_s, raising=False)
    prefix = f"newsstand-test-{uuid.uuid4().hex}:"
    url = "http://news.example/a"
    holder = subprocess.Popen(
        [sys.executable, "-c", _SLOT_HOLDER, redis_url, prefix, url, str(ttl_s), str(renew_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    other = RedisPoliteness(redis_url, prefix=prefix)
    got: list[float] = []

    def take() -> None:
        with other.host_slot(url):
            got.append(time.monotonic())

    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        taker = threading.Thread(target=take, daemon=True)
        taker.start()
        # A fetch longer than SLOT_TTL_S keeps its slot: the per-host limit holds.
        time.sleep(2 * ttl_s)
        assert not got, "a live worker's slot expired under it"
        holder.kill()  # SIGKILL: no release, no renewal
        killed = time.monotonic()
        taker.join(timeout=ttl_s + 10)
        assert got, "a dead worker's slot never came free"
        assert got[0] - killed <= ttl_s + 2
    finally:
        holder.kill()
        holder.wait()
        other.reset()


def test_a_dead_worker_s_slots_free_no_later_than_its_feeds_leases() -> None:
    # Its feeds are due again RUNNING_LEASE_S after its last renewal; slots held longer would
    # keep the live workers off the host past the minute the feeds must be fetched in.
    assert politeness.SLOT_TTL_S <= RUNNING_LEASE_S


def test_a_back_off_one_worker_heard_holds_for_all(
    workers: tuple[RedisPoliteness, RedisPoliteness],
) -> None:
    a, b = workers
    assert b.cooling_down_s("http://busy.example/x") == 0
    assert a.note_throttled("http://busy.example/page", 120) == 120
    assert 115 < b.cooling_down_s("http://busy.example/other") <= 120
    # A shorter one never shortens it.
    b.note_throttled("http://busy.example/page", None)
    assert a.cooling_down_s("http://busy.example/") > 115


def test_robots_txt_is_fetched_once_for_all_workers(
    workers: tuple[RedisPoliteness, RedisPoliteness], publisher_web: PublisherWeb
) -> None:
    a, b = workers
    publisher_web.add(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\n",
        headers={"Content-Type": "text/plain"},
    )
    agent = politeness.product_token()
    results = []

    def ask(worker: RedisPoliteness, path: str) -> None:
        rules = worker.robots_rules(publisher_web.url(path))
        results.append(politeness.decide(rules, publisher_web.url(path), agent).allowed)

    threads = [
        threading.Thread(target=ask, args=(w, p))
        for w in (a, b) * 3
        for p in ("/news/1.html", "/private/2.html")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(results) == [False] * 6 + [True] * 6
    assert publisher_web.hits("/robots.txt") == 1


def test_robots_txt_read_between_a_miss_and_the_lock_is_not_fetched_again(
    workers: tuple[RedisPoliteness, RedisPoliteness],
    publisher_web: PublisherWeb,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = workers
    publisher_web.add("/robots.txt", "User-agent: *\nDisallow:\n")
    url = publisher_web.url("/news/1.html")
    read_shared = b._read_shared
    misses = [True]

    def read_once_too_early(key: str) -> object:
        if misses and misses.pop():
            # b looked before a stored its answer; a finishes and lets the lock go.
            a.robots_rules(url)
            return None
        return read_shared(key)

    monkeypatch.setattr(b, "_read_shared", read_once_too_early)
    b.robots_rules(url)
    assert publisher_web.hits("/robots.txt") == 1


def test_a_dead_workers_robots_lock_holds_the_host_up_only_until_it_expires(
    workers: tuple[RedisPoliteness, RedisPoliteness],
    publisher_web: PublisherWeb,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _ = workers
    publisher_web.add("/robots.txt", "User-agent: *\nDisallow:\n")
    url = publisher_web.url("/news/1.html")
    monkeypatch.setattr(politeness, "ROBOTS_LOCK_S", 1.0)
    # A worker killed while fetching robots.txt: its lock stays, nobody renews it.
    lock_key = a.prefix + "robots-fetch:" + politeness.origin(url)
    a.client.set(lock_key, "dead-worker", px=int(politeness.ROBOTS_LOCK_S * 1000))
    started = time.monotonic()
    a.robots_rules(url)
    assert time.monotonic() - started < 3.0
    assert publisher_web.hits("/robots.txt") == 1


def test_a_dead_worker_s_robots_lock_frees_no_later_than_its_feeds_leases() -> None:
    # As its slots: a lock living longer would keep every worker off the host past the minute.
    assert politeness.ROBOTS_LOCK_S <= RUNNING_LEASE_S


def test_a_slow_robots_fetch_keeps_its_lock_while_it_runs(
    workers: tuple[RedisPoliteness, RedisPoliteness],
    publisher_web: PublisherWeb,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = workers
    monkeypatch.setattr(politeness, "ROBOTS_LOCK_S", 1.0)
    monkeypatch.setattr(politeness, "SLOT_TTL_S", 1.0)
    monkeypatch.setattr(politeness, "SLOT_RENEW_S", 0.2)
    # Longer than the lock lives unrenewed.
    publisher_web.drip("/robots.txt", total_bytes=5, chunk_bytes=1, delay_s=0.5)
    url = publisher_web.url("/news/1.html")
    first = threading.Thread(target=a.robots_rules, args=(url,))
    first.start()
    time.sleep(0.3)
    b.robots_rules(url)
    first.join(timeout=20)
    assert publisher_web.hits("/robots.txt") == 1


def test_settings_choose_the_backend(settings: Settings, redis_url: str) -> None:
    settings.COORDINATION_REDIS_URL = ""
    assert isinstance(politeness.backend(), politeness.LocalPoliteness)
    settings.COORDINATION_REDIS_URL = redis_url
    assert isinstance(politeness.backend(), RedisPoliteness)
