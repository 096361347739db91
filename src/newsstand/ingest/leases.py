"""Feed leases kept alive while a refresh runs.

A claimed feed waits in the queue under a long lease (actions.LEASE_S). When a worker starts it,
the lease becomes short (RUNNING_LEASE_S) and one thread per process renews every lease the
process holds every LEASE_RENEW_S. A worker that dies stops renewing, so its feeds are due again
RUNNING_LEASE_S later and the next ingest tick (every 15 s) hands them to a live worker.

The lease's end time is also its owner's token: every change is a conditional UPDATE on the
value this process last wrote, so a worker that lost its lease (paused past its end, then
reclaimed by another) never extends nor releases the new holder's.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from newsstand.sources.models import Feed

log = logging.getLogger(__name__)

# A running refresh's lease, and how often it is renewed: three renewals may fail (a slow
# database) before another worker may take the feed.
RUNNING_LEASE_S = 30
LEASE_RENEW_S = 10


class _Keeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, datetime] = {}
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    def start(self, feed_id: int, *, claimed: datetime | None, now: datetime) -> bool:
        """Turn the claim into a running lease; with `claimed`, only if it is still ours."""
        until = now + timedelta(seconds=RUNNING_LEASE_S)
        rows = Feed.objects.filter(pk=feed_id)
        if claimed is not None:
            rows = rows.filter(leased_until=claimed)
        if rows.update(leased_until=until) != 1:
            return False
        with self._lock:
            self._held[feed_id] = until
            self._ensure_thread()
        return True

    def finish(self, feed_id: int) -> None:
        with self._lock:
            until = self._held.pop(feed_id, None)
            if until is not None:
                Feed.objects.filter(pk=feed_id, leased_until=until).update(leased_until=None)

    def held(self) -> list[int]:
        with self._lock:
            return sorted(self._held)

    def renew(self, now: datetime | None = None) -> int:
        """Push every held lease RUNNING_LEASE_S past `now`; returns how many were renewed."""
        now = now or timezone.now()
        renewed = 0
        with self._lock:
            for feed_id, until in list(self._held.items()):
                new = now + timedelta(seconds=RUNNING_LEASE_S)
                if Feed.objects.filter(pk=feed_id, leased_until=until).update(leased_until=new):
                    self._held[feed_id] = new
                    renewed += 1
                else:
                    log.warning("feed lease lost while fetching feed_id=%s", feed_id)
                    del self._held[feed_id]
        return renewed

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(LEASE_RENEW_S)
            self._wake.clear()
            if not self.held():
                continue
            try:
                self.renew()
            except Exception:
                log.exception("feed lease renewal failed")
            finally:
                # This thread's own connection: closed, so an idle process holds none.
                connection.close()


_keeper = _Keeper()


def start_lease(
    feed_id: int, *, claimed: datetime | None = None, now: datetime | None = None
) -> bool:
    """Hold `feed_id` while refreshing it. `claimed`: the lease the tick took (only that one may
    start); None takes it whatever it was (a command fetching a feed by hand)."""
    return _keeper.start(feed_id, claimed=claimed, now=now or timezone.now())


def finish_lease(feed_id: int) -> None:
    """Release the feed, unless another worker took it since."""
    _keeper.finish(feed_id)


def held_leases() -> list[int]:
    """The feeds this process is refreshing now."""
    return _keeper.held()


def renew_leases(now: datetime | None = None) -> int:
    """Renew now what the keeper thread renews every LEASE_RENEW_S (tests)."""
    return _keeper.renew(now)
