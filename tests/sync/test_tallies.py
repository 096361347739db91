"""Kept totals (sync.tallies): brought up to date by what changed, always equal to a count.

Each step changes the reader's state or the articles the way the product does, then compares
the kept total with a plain count of `queries.entries` for a set of filters, and says whether it was
brought up to date or counted again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsstand.articles.actions import index_article_topics
from newsstand.articles.models import Article
from newsstand.personal import actions as personal
from newsstand.personal.models import StateChange
from newsstand.personal.targets import resolve_target
from newsstand.sync import queries, tallies
from newsstand.sync.feeds import reader_feeds
from newsstand.sync.queries import EntryFilter, count_entries, entries, window_days
from tests.gate.factories import make_gated_article
from tests.sync.factories import make_world, spy_filters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

FILTERS = [
    EntryFilter(),
    EntryFilter(read=False),
    EntryFilter(read=True),
    EntryFilter(read=False, starred=False),
    EntryFilter(starred=True),
    EntryFilter(read=True, starred=True),
    EntryFilter(starred=False),
]


@pytest.fixture
def full_counts(monkeypatch):
    """The filters counted in full since the last `_check`."""
    return spy_filters(monkeypatch, "counted")


def _check(world, now, full_counts, *, derived: bool) -> None:
    """Every filter's kept total equals a full count; `derived`: none was counted in full."""
    full_counts.clear()
    for flt in FILTERS:
        feeds = reader_feeds(world.user)
        got = tallies.total(world.user, now, flt, feeds)
        # Counted the plain way, not in count_parts' parts, which a full count also uses.
        expected = entries(world.user, now, flt, feeds).count()
        assert got == expected, (flt, got, expected)
    assert full_counts == ([] if derived else FILTERS)


def test_a_kept_total_follows_reads_articles_and_the_window(world_now, full_counts):
    world, now = world_now
    a, b, c = world.articles[0], world.articles[1], world.articles[2]
    edge = now - timedelta(days=window_days()) + timedelta(minutes=2)
    leaving = [make_gated_article(world.followed[0], published_at=edge) for _ in range(3)]
    personal.mark_read(world.user, [leaving[0].pk])
    personal.save_article(world.user, leaving[2].pk)
    _check(world, now, full_counts, derived=False)

    personal.mark_read(world.user, [a.pk, b.pk])
    _check(world, now, full_counts, derived=True)

    personal.mark_unread(world.user, [a.pk])
    personal.note_article_opened(world.user, c)
    personal.note_article_opened(world.user, c)  # opened again: no change
    _check(world, now, full_counts, derived=True)

    # Read, unread and read again: the first change says before, the last says now.
    personal.mark_read(world.user, [a.pk])
    personal.remove_from_history(world.user, a.pk)
    personal.mark_read(world.user, [a.pk])
    # Unread and read again: no change in the end.
    personal.remove_from_history(world.user, b.pk)
    personal.mark_read(world.user, [b.pk])
    _check(world, now, full_counts, derived=True)

    # A new article, then one read before anything counted it.
    make_gated_article(world.followed[0], title="Fresh", published_at=now)
    _check(world, now, full_counts, derived=True)
    newer = make_gated_article(world.followed[1], title="Newer", published_at=now)
    personal.mark_read(world.user, [newer.pk])
    _check(world, now, full_counts, derived=True)

    # The window moves on, past two entries at its edge (one read, one not; one saved stays).
    later = now + timedelta(minutes=3)
    _check(world, later, full_counts, derived=True)
    assert count_entries(world.user, later) == count_entries(world.user, now) - 2


def test_an_article_arriving_between_the_lookup_and_the_count_is_counted_once(
    world_now, full_counts, monkeypatch
):
    """Without new articles the arrivals' parts are left out (an index lookup says so); one
    stored after that lookup, before the count's statement, is still counted, and once."""
    world, now = world_now
    _check(world, now, full_counts, derived=False)
    real = queries.newest_article_id
    stale = real()
    make_gated_article(world.followed[0], title="Just in", published_at=now)
    lookups = iter([stale])
    monkeypatch.setattr(queries, "newest_article_id", lambda: next(lookups, None) or real())
    _check(world, now, full_counts, derived=True)
    monkeypatch.setattr(queries, "newest_article_id", real)
    _check(world, now + timedelta(minutes=2), full_counts, derived=True)


def test_saves_are_applied_too(world_now, full_counts):
    """Saving moves starred totals, and makes an article outside the window an entry."""
    world, now = world_now
    a, b = world.articles[0], world.articles[1]
    _check(world, now, full_counts, derived=False)
    personal.save_article(world.user, a.pk)
    _check(world, now, full_counts, derived=True)
    # Outside the window (too old, and a publisher not followed): saved, they become entries.
    personal.save_article(world.user, world.old.pk)
    personal.save_article(world.user, world.elsewhere.pk)
    personal.mark_read(world.user, [world.old.pk, b.pk])
    _check(world, now, full_counts, derived=True)
    # Saved, read, unsaved and saved again; unsaved for good; read while saved then unsaved.
    personal.unsave_article(world.user, a.pk)
    personal.save_article(world.user, a.pk)
    personal.unsave_article(world.user, world.elsewhere.pk)
    personal.unsave_article(world.user, world.old.pk)
    personal.mark_unread(world.user, [b.pk])
    _check(world, now, full_counts, derived=True)


def test_follows_are_derived_and_a_cleared_history_counts_again(world_now, full_counts):
    world, now = world_now
    a = world.articles[0]
    _check(world, now, full_counts, derived=False)
    personal.mark_read(world.user, [a.pk])
    _check(world, now, full_counts, derived=True)
    # Following a publisher adds its window's entries; one of them read, one saved already.
    extra = [make_gated_article(world.other, published_at=now - timedelta(hours=i)) for i in (1, 2)]
    personal.mark_read(world.user, [extra[0].pk])
    personal.save_article(world.user, extra[1].pk)
    _check(world, now, full_counts, derived=True)
    personal.follow(world.user, resolve_target("publisher", str(world.other.pk)))
    _check(world, now, full_counts, derived=True)
    # Read and followed in one gap, then unfollowed in another, with the window moving on.
    personal.unfollow(world.user, "publisher", str(world.followed[1].pk))
    personal.mark_read(world.user, [world.articles[3].pk])
    _check(world, now + timedelta(minutes=1), full_counts, derived=True)
    personal.follow(world.user, resolve_target("publisher", str(world.followed[1].pk)))
    personal.unfollow(world.user, "publisher", str(world.other.pk))
    fresh = make_gated_article(world.other, published_at=now + timedelta(minutes=1))
    personal.mark_unread(world.user, [world.articles[3].pk])
    personal.save_article(world.user, fresh.pk)
    _check(world, now + timedelta(minutes=2), full_counts, derived=True)
    # Muting changes what section and topic feeds hold: counted again.
    personal.mute(world.user, resolve_target("publisher", str(world.other.pk)))
    _check(world, now + timedelta(minutes=2), full_counts, derived=False)
    personal.clear_history(world.user)
    _check(world, now + timedelta(minutes=2), full_counts, derived=False)


def test_a_publisher_followed_beside_sections_and_topics(world_now, full_counts):
    """An article of the publisher followed may have been an entry already, in a section or
    topic feed: the follow moves it between feeds, and the total by nothing."""
    world, now = world_now
    make_gated_article(world.other, published_at=now, section="Harbours")
    on_topic = make_gated_article(world.other, published_at=now, topics=["Ships"])
    make_gated_article(world.other, published_at=now)  # in neither: followed with its publisher
    index_article_topics(on_topic)
    personal.follow(world.user, resolve_target("section", "Harbours"))
    personal.follow(world.user, resolve_target("topic", "Ships"))
    personal.mark_read(world.user, [on_topic.pk])
    _check(world, now, full_counts, derived=False)
    before = count_entries(world.user, now)
    personal.follow(world.user, resolve_target("publisher", str(world.other.pk)))
    _check(world, now, full_counts, derived=True)
    assert count_entries(world.user, now) == before + 2  # the one in neither, and world.elsewhere
    personal.unfollow(world.user, "publisher", str(world.other.pk))
    _check(world, now, full_counts, derived=True)
    assert count_entries(world.user, now) == before
    # A section feed's meaning changes with the sections followed: counted again.
    personal.unfollow(world.user, "section", "harbours")
    _check(world, now, full_counts, derived=False)


def test_an_old_total_is_counted_again_in_the_background_then_on_the_call(
    world_now, full_counts, monkeypatch
):
    world, now = world_now
    flt = EntryFilter(read=False)
    assert tallies.total(world.user, now, flt) == 5
    # An edit the log does not see (an article moved out of the window) shows once counted again.
    world.articles[1].published_at = now - timedelta(days=60)
    world.articles[1].save(update_fields=["published_at"])
    assert tallies.total(world.user, now + timedelta(seconds=10), flt) == 5
    # RECOUNT_S on, the call still answers from the kept total and asks a task to count it
    # (the tests' tasks run at once, inside the call: the next call has the task's count).
    asked = []
    real = tallies._ask_recount
    monkeypatch.setattr(tallies, "_ask_recount", lambda u, f: (asked.append(f), real(u, f)))
    later = now + timedelta(seconds=tallies.RECOUNT_S + 1)
    monkeypatch.setattr(tallies.timezone, "now", lambda: later)  # the task's clock
    full_counts.clear()
    assert tallies.total(world.user, later, flt) == 5
    assert asked == [flt] and full_counts == [flt]  # the task's count
    assert tallies.total(world.user, later + timedelta(seconds=1), flt) == 4
    assert asked == [flt] and full_counts == [flt]  # asked once, and not counted on the call
    # Past KEEP_S without a count (the task lost), the call counts.
    monkeypatch.setattr(tallies, "_ask_recount", lambda u, f: asked.append(f))
    world.articles[2].published_at = now - timedelta(days=60)
    world.articles[2].save(update_fields=["published_at"])
    much_later = later + timedelta(seconds=tallies.KEEP_S + 5)
    full_counts.clear()
    assert tallies.total(world.user, much_later, flt) == 3
    assert full_counts == [flt]


def test_many_changes_are_counted_on_the_call(world_now, full_counts, monkeypatch):
    world, now = world_now
    flt = EntryFilter(read=False)
    assert tallies.total(world.user, now, flt) == 5
    # Past MAX_CHANGES read changes, counting again is as quick as applying them.
    monkeypatch.setattr(tallies, "MAX_CHANGES", 2)
    personal.mark_read(world.user, [p.pk for p in world.articles[2:]])
    full_counts.clear()
    assert tallies.total(world.user, now, flt) == 2
    assert full_counts == [flt]


def test_a_batch_too_large_to_log_is_counted_again(world_now, full_counts, monkeypatch):
    """An app's "mark all as read" writes no change per article: the totals are counted again."""
    world, now = world_now
    _check(world, now, full_counts, derived=False)
    monkeypatch.setattr(personal, "MAX_LOGGED_CHANGES", 2)
    personal.mark_read(world.user, [a.pk for a in world.articles[:3]])
    assert not StateChange.objects.exists()
    _check(world, now, full_counts, derived=False)
    personal.mark_unread(world.user, [a.pk for a in world.articles[:3]])
    assert not StateChange.objects.exists()
    _check(world, now, full_counts, derived=False)
    personal.mark_read(world.user, [a.pk for a in world.articles[:2]])  # small enough: logged
    assert StateChange.objects.count() == 2
    _check(world, now, full_counts, derived=True)


def test_filters_survive_the_trip_to_the_task():
    when = timezone.now()
    flt = EntryFilter(
        read=False, feed_ids=(3, 1_000_000_007), published_after=when, ids=(5,), search="x"
    )
    assert tallies._filter_from_json(tallies._filter_to_json(flt)) == flt
    assert tallies._filter_from_json(tallies._filter_to_json(EntryFilter())) == EntryFilter()


def test_read_changes_are_kept_for_a_day_then_pruned(world_now):
    world, now = world_now
    personal.mark_read(world.user, [world.articles[0].pk], now=now)
    personal.mark_unread(world.user, [world.articles[0].pk])
    assert list(StateChange.objects.values_list("article_id", "on")) == [
        (world.articles[0].pk, True),
        (world.articles[0].pk, False),
    ]
    soon = timezone.now() + timedelta(seconds=personal.STATE_CHANGE_KEEP_S - 60)
    assert personal.prune_state_changes(now=soon) == 0
    late = timezone.now() + timedelta(seconds=personal.STATE_CHANGE_KEEP_S + 60)
    assert personal.prune_state_changes(now=late) == 2
    # Longer kept than a total may go uncounted, or a total would miss changes pruned.
    assert personal.STATE_CHANGE_KEEP_S > tallies.KEEP_S > tallies.RECOUNT_S


@pytest.fixture
def world_now():
    world = make_world()
    return world, timezone.now()


def test_the_prune_task_runs_every_five_minutes_and_prunes(world_now):
    from huey.contrib.djhuey import HUEY

    from newsstand.personal import tasks

    periodic = {t.__name__: t for t in HUEY._registry._periodic_tasks}
    due = periodic["prune_state_changes_tick"]().validate_datetime
    assert due(timezone.now().replace(minute=5, second=0, microsecond=0))
    assert not due(timezone.now().replace(minute=6, second=0, microsecond=0))
    world, now = world_now
    old = now - timedelta(seconds=personal.STATE_CHANGE_KEEP_S + 60)
    personal.mark_read(world.user, [world.articles[0].pk], now=old)
    personal.mark_read(world.user, [world.articles[1].pk], now=now)
    tasks.prune_state_changes_tick.call_local()
    assert list(StateChange.objects.values_list("article_id", flat=True)) == [world.articles[1].pk]


def test_a_full_count_keeps_the_earliest_entry_it_read_with_the_total(
    world_now, django_assert_num_queries
):
    """A page that counts its total in full reads the earliest time an entry can have in the
    same statement (`tallies.counted` with a scope): the page's own lookup is then kept."""
    world, now = world_now
    undated = make_gated_article(world.followed[0], title="Undated")
    Article.objects.filter(pk=undated.pk).update(published_at=None)
    steps = [
        lambda: None,  # nothing saved: the window's start
        lambda: personal.save_article(world.user, world.old.pk),  # saved 90 days ago
        lambda: personal.save_article(world.user, undated.pk),  # undated: no bound
    ]
    for step in steps:
        step()
        cache.clear()  # nothing kept: else the saves bring the total up, and nothing is read
        feeds = reader_feeds(world.user)
        scope = queries.kept_scope(world.user, now)
        flt = EntryFilter(read=False)
        tallies.kept_total(world.user, now, "a page's total", flt, feeds, scope)
        with django_assert_num_queries(0):
            kept = queries.oldest_entry(world.user, now, scope)
        assert kept == queries._oldest_entry(world.user, now)
    assert kept is None
