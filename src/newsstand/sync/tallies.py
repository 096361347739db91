"""Totals of a reader's entries, counted once and then brought up to date, not counted again.

An app asks for the total with every page it fetches (Miniflux's `total`, Fever's
`total_items`). Counting the unread ones takes the window's entries and the reader's History
rows in it, 100,000 and 90,000 at the benchmark's size (`queries.count_parts`: 14 ms on SQLite,
55-75 on PostgreSQL; docs/benchmarks.md, Sync), more than the page's own query. Yet between
two calls little changes: the app marked a few entries read, a few articles arrived, the
window moved on by a minute. So a total is kept (`Tally`) with what it was counted at: the
reader's last change (`personal.StateChange`), the newest article id, and the time whose window
it counted. The next call reads, in one
statement, what has changed since (new articles, articles that left the window) and the log of
changes (read or unread, saved or not), and applies them:

- a changed article counts before and after by its states then and now (the log's first change
  of a kind says the state before, its last the state now): an entry if in the window or saved,
  counted if it matches the filter;
- articles that left the window since take their share off; new articles add theirs.

Follows are not in the log, but the total keeps the feeds it counted: if the reader followed or
unfollowed publishers since, the total is brought up to date in those feeds, then the window's
entries of the publishers concerned are added or taken off (`queries.feeds_moved`). What neither
describes (sections, topics or mutes changed, History cleared) retires the reader's entries
token (`personal.state.entries_token`), or fails the comparison, and the total is counted
again on the call.

A total whose full count is RECOUNT_S old is counted again by a background task
(`recount_total_task`) while calls go on being answered from it, and on the call once it is
KEEP_S old: that bounds how long an article edited, deleted, or committed out of id order
meanwhile (none of which the deltas see) can leave a total off.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal.actions import MAX_LOGGED_CHANGES
from newsstand.personal.models import StateChange
from newsstand.personal.state import entries_token
from newsstand.sync import queries
from newsstand.sync.feeds import ReaderFeeds, reader_feeds
from newsstand.sync.queries import (
    EntryFilter,
    Part,
    count_parts,
    entries_membership,
    feeds_articles,
    feeds_moved,
    leaving_window,
)

# A total is brought up to date from its last full count for KEEP_S; once that count is
# RECOUNT_S old, a task counts it again in the background while calls go on being answered from
# the kept one (see the module's docstring), so an app's page never waits for it. KEEP_S is a
# day: an app that syncs hourly, or each morning, finds its total kept and pays ~10 ms, not
# the anti-join (the task then corrects, seconds later, what the deltas cannot see). It stays
# under personal.actions.STATE_CHANGE_KEEP_S, so the changes a total needs are still logged.
RECOUNT_S = 5 * 60
KEEP_S = 24 * 3600
# More changes, or new articles, than this since the total was kept: counting again is
# as quick (and personal.actions logs no larger batch).
MAX_CHANGES = MAX_LOGGED_CHANGES
MAX_NEW_ARTICLES = 5_000
# The totals an app asked for lately, per reader, that a change through an app brings up at once
# (`refresh_kept`): Miniflux's unread list, its whole list, Fever's, a feed or two.
REMEMBERED_TOTALS = 4


@dataclass(frozen=True)
class Tally:
    """A total and what it was counted at."""

    total: int
    change_id: int  # the reader's last StateChange included (0: none)
    newest_id: int  # the newest article then
    at: datetime  # the `now` whose window it counts
    counted_at: datetime  # when last counted in full
    feeds: ReaderFeeds  # the feeds it counts (`ReaderFeeds.as_they_are`)
    recount_asked_at: datetime | None = None  # when a background count was last asked for


def total(
    user: Any,
    now: datetime,
    flt: EntryFilter | None = None,
    feeds: ReaderFeeds | None = None,
    scope: str | None = None,
) -> int:
    """How many entries match `flt` (`queries.count_entries`), kept and brought up to date.
    `scope` (`queries.kept_scope`): where a full count keeps the earliest entry's time it reads
    with the total (`queries.oldest_entry`), which the caller's page asks for next."""
    flt = flt or EntryFilter()
    feeds = feeds or reader_feeds(user)
    key = _key(user, flt)
    kept = cache.get(key)
    tally = None
    base = feeds_articles(feeds)
    if isinstance(kept, Tally) and kept.at <= now < kept.counted_at + timedelta(seconds=KEEP_S):
        tally = brought_up(kept, user, now, flt, feeds, base)
    ask = False
    if tally is None:
        tally = counted(user, now, flt, feeds, base, scope)
    elif _recount_due(tally, now):
        tally, ask = replace(tally, recount_asked_at=now), True
    # Written only when it moved (each write is a file on the default cache), and before the
    # recount is asked for, so that the recount's total is the one that stays.
    if not isinstance(kept, Tally) or _moved(kept, tally):
        cache.set(key, tally, KEEP_S)
    if ask:
        _ask_recount(user, flt)
    return tally.total


def kept_total(
    user: Any,
    now: datetime,
    what: str,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    scope: str | None = None,
) -> int:
    """`total`, kept for as long as the reader's state and the articles stay the same
    (`queries.kept`, under the call's name `what`), and remembered for `refresh_kept`."""

    def compute() -> int:
        _remember(user, what, flt)
        return total(user, now, flt, feeds, scope)

    return queries.kept(user, now, what, compute, scope)


def refresh_kept(user: Any, now: datetime | None = None) -> int:
    """After a change the reader made through an app: the totals apps asked for lately, brought
    up to date and kept for the state now; how many.

    An app marks or stars entries, then fetches a page, which asks for its total again. Brought
    up here, in the write, the page finds it kept (`kept_total`) rather than bringing it up
    itself: 10-15 ms of that page on SQLite, 15-20 on PostgreSQL (docs/benchmarks.md, Sync),
    on the call apps wait for. The write takes that time instead, with the earliest entry's time
    the next page also needs (`queries.oldest_entry`).
    """
    remembered = cache.get(_remembered_key(user.pk))
    if not remembered:
        return 0
    now = now or timezone.now()
    feeds = reader_feeds(user)
    scope = queries.kept_scope(user, now)
    queries.oldest_entry(user, now, scope)
    for what, data in remembered:
        flt = _filter_from_json(data)
        queries.kept(user, now, what, partial(total, user, now, flt, feeds), scope)
    return len(remembered)


def remembers_totals(user_id: int) -> bool:
    """Whether an app asked for totals of the reader's lately (`refresh_kept` has work)."""
    return bool(cache.get(_remembered_key(user_id)))


def _remembered_key(user_id: int) -> str:
    return f"sync:remembered-totals:{user_id}"


def _remember(user: Any, what: str, flt: EntryFilter) -> None:
    """`what` first among the reader's remembered totals (written only when it was not)."""
    entry = (what, _filter_to_json(flt))
    remembered = cache.get(_remembered_key(user.pk)) or []
    if remembered and remembered[0] == entry:
        return
    rest = [r for r in remembered if r != entry]
    cache.set(_remembered_key(user.pk), [entry, *rest][:REMEMBERED_TOTALS], KEEP_S)


def recount(user_id: int, flt: dict[str, Any]) -> int | None:
    """Count a reader's total in full and keep it (the background task's work); None if the
    reader is gone."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    entry_filter = _filter_from_json(flt)
    tally = counted(user, timezone.now(), entry_filter, reader_feeds(user))
    cache.set(_key(user, entry_filter), tally, KEEP_S)
    return tally.total


def _recount_due(tally: Tally, now: datetime) -> bool:
    every = timedelta(seconds=RECOUNT_S)
    if now < tally.counted_at + every:
        return False
    # Asked already: again only if that task was lost (a worker killed, a queue emptied).
    return tally.recount_asked_at is None or now >= tally.recount_asked_at + every


@task()
def refresh_kept_task(user_id: int) -> int:
    """`refresh_kept` off the request, after a change made on the website (sync.actions); 0 if
    the reader is gone."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return 0 if user is None else refresh_kept(user)


@task()
def recount_total_task(user_id: int, flt: dict[str, Any]) -> int | None:
    """`recount`, off the request (django.tasks finds it by this module's path)."""
    return recount(user_id, flt)


def _ask_recount(user: Any, flt: EntryFilter) -> None:
    recount_total_task.enqueue(user.pk, _filter_to_json(flt))


def _moved(kept: Tally, tally: Tally) -> bool:
    def what(t: Tally) -> tuple[Any, ...]:
        return (
            t.total,
            t.change_id,
            t.newest_id,
            t.recount_asked_at,
            t.feeds.follows,
        )

    return what(tally) != what(kept)


def counted(
    user: Any,
    now: datetime,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    base: QuerySet[Article] | None = None,
    scope: str | None = None,
) -> Tally:
    """The total counted in full, with the last change and the newest article in one snapshot;
    with `scope`, the earliest entry's time read in the same statement and kept there (a
    statement of its own on the page otherwise, planned and sent apart)."""
    parts = count_parts(user, now, flt, feeds, base)
    if scope is None:
        counts, change_id, newest_id, _ = _read_together(user, parts)
    else:
        dated, undated = queries.saved_dates(user)
        counts, change_id, newest_id, oldest = _read_together(
            user, [*parts, Part(undated)], earliest=(dated, queries.SAVED_PUBLISHED)
        )
        *counts, undated_n = counts
        queries.keep_oldest_entry(user, now, scope, (oldest, undated_n))
    total = sum(part.sign * n for part, n in zip(parts, counts, strict=True))
    return Tally(total, change_id, newest_id, now, now, feeds.as_they_are())


def brought_up(
    kept: Tally,
    user: Any,
    now: datetime,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    base: QuerySet[Article] | None = None,
) -> Tally | None:
    """`kept` brought up to `now` by what changed since, or None if that is not known.

    If the reader followed or unfollowed publishers since, the total is first brought up in
    the feeds it counted, then the entries the follows added or removed are counted: those of
    the publishers concerned only (`queries.feeds_moved`), a few hundred rows, not the window.
    """
    moved: list[QuerySet[Article]] = []
    now_feeds = feeds
    if kept.feeds.follows != feeds.follows:
        sides = feeds_moved(user, now, flt, kept.feeds, feeds)
        if sides is None:
            return None
        moved = list(sides)
        feeds, base = kept.feeds, None
    base = feeds_articles(feeds) if base is None else base
    # One statement, one snapshot: articles that left the window and new ones, counted in the
    # reader's state as of `change_id`, the last change it includes.
    # New articles are found by id first: filtered by the window first, SQLite would walk the
    # whole window's index to find the few past `newest_id` (16 ms at 100,000 entries).
    # With none (one index lookup says so), their parts are left out: building them was a third
    # of the time of bringing a total up when only the minute had moved, the first page of
    # most syncs (2-4 ms; docs/benchmarks.md, Sync).
    arrive = queries.newest_article_id() != kept.newest_id
    if arrive:
        new_ids = Article.objects.filter(pk__gt=kept.newest_id).order_by("pk").values("pk")
        new_rows: QuerySet[Any] = new_ids[: MAX_NEW_ARTICLES + 1]
        arrivals = [
            part.among(new_ids[:MAX_NEW_ARTICLES])
            for part in count_parts(user, now, flt, feeds, base, by_day=False)
        ]
    else:
        # Matches nothing: a 0 in the statement (`_read_together`), no subquery.
        new_rows, arrivals = Article.objects.none(), []
    parts = [
        Part(new_rows),
        Part(leaving_window(user, kept.at, now, flt, feeds, base).filter(pk__lte=kept.newest_id)),
        *arrivals,
        *(Part(side) for side in moved),
    ]
    counts, change_id, newest_id, _ = _read_together(user, parts)
    if not arrive and newest_id != kept.newest_id:
        # Articles arrived between the lookup and the statement: counted with their parts.
        return brought_up(kept, user, now, flt, now_feeds)
    if moved:
        counts, (added, removed) = counts[:-2], counts[-2:]
    else:
        added = removed = 0
    new, left = counts[0], counts[1]
    arrived = sum(part.sign * n for part, n in zip(arrivals, counts[2:], strict=True))
    changed = _changes(user, kept, change_id)
    if new > MAX_NEW_ARTICLES or changed is None:
        return None
    in_kept_feeds = kept.total + _state_delta(user, kept, flt, feeds, base, changed)
    return Tally(
        in_kept_feeds - left + arrived + added - removed,
        change_id,
        newest_id,
        now,
        kept.counted_at,
        now_feeds.as_they_are(),
    )


# Per article changed: per kind (StateChange.READ, SAVED), its state before and now.
Changes = dict[int, dict[str, tuple[bool, bool]]]


def _changes(user: Any, kept: Tally, upto: int) -> Changes | None:
    """The changes in (kept.change_id, upto]; None if too many. Only of articles the kept total
    could include (the newer ones are counted as new)."""
    if upto <= kept.change_id:
        return {}
    rows = list(
        StateChange.objects.filter(user_id=user.pk, pk__gt=kept.change_id, pk__lte=upto)
        .order_by("pk")
        .values_list("article_id", "kind", "on")[: MAX_CHANGES + 1]
    )
    if len(rows) > MAX_CHANGES:
        return None
    changed: Changes = {}
    for article_id, kind, on in rows:
        if article_id > kept.newest_id:
            continue
        # The first change says the state before (each is a change), the last the state now.
        kinds = changed.setdefault(article_id, {})
        before = kinds[kind][0] if kind in kinds else not on
        kinds[kind] = (before, on)
    return changed


def _state_delta(
    user: Any,
    kept: Tally,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    base: QuerySet[Article],
    changed: Changes,
) -> int:
    """How the changes move the total, in the window the kept total counted.

    An article is an entry if it is in the window or saved, and counts if it also matches the
    filter: its fixed conditions (asked of the database once for all changed articles) and its
    read and starred conditions (from the states before and after).
    """
    ids = [pk for pk, kinds in changed.items() if any(b != a for b, a in kinds.values())]
    if not ids:
        return 0
    members = entries_membership(user, kept.at, flt, feeds, base, ids)

    def counts(window: bool, read: bool, saved: bool) -> bool:
        return (
            (window or saved)
            and (flt.read is None or read == flt.read)
            and (flt.starred is None or saved == flt.starred)
        )

    delta = 0
    for pk, member in members.items():
        # The other state of an article whose one kind changed is as it is now.
        kinds, window = changed[pk], member.in_window
        read = kinds.get(StateChange.READ, (member.read, member.read))
        saved = kinds.get(StateChange.SAVED, (member.saved, member.saved))
        delta += counts(window, read[1], saved[1]) - counts(window, read[0], saved[0])
    return delta


def _read_together(
    user: Any, parts: list[Part], earliest: tuple[QuerySet[Any], str] | None = None
) -> tuple[list[int], int, int, datetime | None]:
    """Each part's number (unsigned), the reader's last change and the newest article id, read
    in one statement so that they describe one state of the database (one snapshot on
    PostgreSQL, whatever the isolation level; one read transaction on SQLite). The per-day
    counts are written by triggers in the transactions that store the articles and History
    rows (sync.models), so they are of the same snapshot. Last, the earliest time in the
    column of `earliest` (rows, column name; None without it, or rows)."""
    selects: list[str] = []
    params: list[Any] = []
    for n, part in enumerate(parts):
        column = part.summed or "pk"
        try:
            rows = part.rows if part.rows.query.is_sliced else part.rows.order_by().values(column)
            sql, part_params = rows.query.sql_with_params()
        except EmptyResultSet:  # a part that matches nothing whatever the rows (none())
            selects.append("0")
            continue
        if part.summed is None:
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS part{n})")  # noqa: S608 - Django's SQL, values are parameters
        else:
            name = connection.ops.quote_name(part.summed)
            selects.append(f"(SELECT COALESCE(SUM(part{n}.{name}), 0) FROM ({sql}) AS part{n})")  # noqa: S608 - as above
        params.extend(part_params)
    quote = connection.ops.quote_name
    changes, articles = StateChange._meta.db_table, Article._meta.db_table
    selects.append(f"(SELECT MAX(id) FROM {quote(changes)} WHERE user_id = %s)")  # noqa: S608 - table names from the models
    selects.append(f"(SELECT MAX(id) FROM {quote(articles)})")  # noqa: S608 - as above
    params.append(user.pk)
    if earliest is not None:
        rows, column = earliest
        sql, earliest_params = rows.query.sql_with_params()
        selects.append(f"(SELECT MIN(least.{quote(column)}) FROM ({sql}) AS least)")  # noqa: S608 - as above
        params.extend(earliest_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = list(cursor.fetchone())
    smallest = _as_time(row.pop()) if earliest is not None else None
    *counts, change_id, newest_id = row
    return [int(c) for c in counts], int(change_id or 0), int(newest_id or 0), smallest


def _as_time(value: Any) -> datetime | None:
    """A time as a raw statement returns it, converted as Django converts a DateTimeField's
    column (SQLite returns the text it stored)."""
    column = Article._meta.get_field("published_at").get_col(Article._meta.db_table)
    for convert in connection.ops.get_db_converters(column):
        value = convert(value, column, connection)
    return value


def _key(user: Any, flt: EntryFilter) -> str:
    what = hashlib.sha256(json.dumps(_filter_to_json(flt), sort_keys=True).encode()).hexdigest()
    # "totals", no longer "tally": the Tallies kept before they held their feeds are not read.
    return f"sync:totals:{user.pk}:{entries_token(user.pk)}:{what[:24]}"


def _filter_to_json(flt: EntryFilter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields(flt):
        value = getattr(flt, field.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[field.name] = value
    return out


def _filter_from_json(data: dict[str, Any]) -> EntryFilter:
    """The filter `_filter_to_json` wrote (every field present)."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, str) and name.endswith(("_after", "_before")):
            value = datetime.fromisoformat(value)
        values[name] = value
    return EntryFilter(**values)
