"""Per-day counts (sync.models.PublisherDay, ReadDay): kept by the database's triggers through
every way articles and History rows are written, and summed into the same totals as a count.

Runs on SQLite and PostgreSQL alike (the triggers are each database's own SQL).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal import actions as personal
from newsstand.personal.models import ReadingHistory
from newsstand.sync import counters, day_counts, queries
from newsstand.sync.feeds import reader_feeds
from newsstand.sync.models import PublisherDay, PublisherWeek, ReadDay, ReadWeek
from newsstand.sync.queries import EntryFilter, entries, window_start
from tests.gate.factories import make_gated_article, make_user
from tests.reader.factories import make_publisher
from tests.sync.factories import follow_publisher, make_world

pytestmark = pytest.mark.django_db


def _counted() -> tuple[Counter, Counter]:
    """The counts as they should be, worked out here in Python (day_counts.counted asks the
    database): what the triggers' tables (`day_counts.kept`) must equal."""
    articles = Counter(
        (publisher_id, published_at.astimezone(UTC).date())
        for publisher_id, published_at in Article.objects.filter(
            published_at__isnull=False
        ).values_list("publisher_id", "published_at")
    )
    reads = Counter(
        (user_id, publisher_id, published_at.astimezone(UTC).date())
        for user_id, publisher_id, published_at in ReadingHistory.objects.filter(
            article_publisher_id__isnull=False, article_published_at__isnull=False
        ).values_list("user_id", "article_publisher_id", "article_published_at")
    )
    return articles, reads


def _assert_kept() -> None:
    """The per-day counts are the rows', and the per-week counts their days' sums."""
    assert day_counts.kept() == _counted()
    articles, reads = _counted()
    weeks = Counter()
    for (publisher_id, day), n in articles.items():
        weeks[(publisher_id, day - timedelta(days=day.weekday()))] += n
    read_weeks = Counter()
    for (user_id, publisher_id, day), n in reads.items():
        read_weeks[(user_id, publisher_id, day - timedelta(days=day.weekday()))] += n
    assert day_counts.weeks_kept() == (weeks, read_weeks)


def test_the_counts_follow_every_way_articles_are_written():
    harbour, river = make_publisher("Harbour Times"), make_publisher("River Post")
    day = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    a = make_gated_article(harbour, published_at=day)
    b = make_gated_article(harbour, published_at=day + timedelta(hours=1))  # the next day (UTC)
    undated = make_gated_article(river, published_at=None)
    _assert_kept()
    assert PublisherDay.objects.get(publisher_id=harbour.pk, day=day.date()).articles == 1
    # A Friday and a Saturday: one week, named by its Monday.
    week = PublisherWeek.objects.get(publisher_id=harbour.pk)
    assert (week.week, week.articles) == (date(2026, 11, 16), 2)

    # Stored in bulk, as ingestion and imports do: no save(), no signal.
    template = Article.objects.values().get(pk=a.pk)
    bulk = []
    for i in range(3):
        row = {k: v for k, v in template.items() if k != "id"}
        row.update(url=f"https://example.org/bulk/{i}", guid=f"bulk-{i}", published_at=day)
        bulk.append(Article(**row))
    Article.objects.bulk_create(bulk)
    _assert_kept()

    # An editor moves a date, a publisher changes, a date appears and goes: save() and update().
    a.published_at = day - timedelta(days=3)
    a.save()
    Article.objects.filter(pk=b.pk).update(publisher=river)
    Article.objects.filter(pk=undated.pk).update(published_at=day)
    Article.objects.filter(pk=bulk[0].pk).update(published_at=None)
    b.refresh_from_db()
    b.save()  # every column written again, nothing moved
    _assert_kept()

    # Deleted one by one, in bulk, and with their publisher.
    a.delete()
    Article.objects.filter(pk__in=[bulk[1].pk]).delete()
    river.delete()
    _assert_kept()
    assert day_counts.kept()[0] == Counter({(harbour.pk, day.date()): 1})  # bulk[2]


def test_the_counts_follow_history_through_the_products_actions():
    world = make_world()
    other_user = make_user("active")
    a, b, c = world.articles[0], world.articles[1], world.articles[2]
    personal.mark_read(world.user, [a.pk, b.pk, world.old.pk, world.elsewhere.pk])
    personal.note_article_opened(world.user, c)
    personal.note_article_opened(world.user, c)  # opened again: one row still
    personal.mark_read(other_user, [a.pk])
    _assert_kept()

    personal.mark_unread(world.user, [b.pk])
    personal.remove_from_history(world.user, a.pk)
    _assert_kept()

    # An editor redates an article: History's copies follow (personal.actions), and the counts.
    c.published_at = c.published_at - timedelta(days=2)
    c.save()
    personal.copy_article_fields(c)
    _assert_kept()

    personal.clear_history(world.user)
    _assert_kept()
    get_user_model().objects.filter(pk=other_user.pk).delete()
    _assert_kept()
    assert not day_counts.kept()[1]


def _edges(start_hour: int, day: int = 7):
    """A reader following three publishers, with articles just inside and outside the window's
    start, on its first partial day, at midnight, either side of the first whole week's start
    and dated ahead, every other one read. On 2026-12-`day`: the 7th's window has its first
    whole day on a Sunday (one day before the first whole week), the 8th's on a Monday (none),
    the 10th's on a Wednesday (five)."""
    user = make_user("active")
    followed = [make_publisher(f"Followed {i}") for i in range(3)]
    other = make_publisher("Not followed")
    for publisher in followed:
        follow_publisher(user, publisher)
    now = datetime(2026, 12, day, start_hour, 17, 3, tzinfo=UTC)
    start = window_start(now)
    midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), UTC)
    week = midnight + timedelta(days=-midnight.weekday() % 7)
    times = [
        start - timedelta(microseconds=1),
        start,
        start + timedelta(minutes=1),
        midnight - timedelta(microseconds=1),
        midnight,
        midnight + timedelta(days=3, hours=4),
        now,
        now + timedelta(days=2),  # dated ahead
        week - timedelta(microseconds=1),
        week,
    ]
    made = [
        make_gated_article(publisher, published_at=when)
        for publisher in [*followed, other]
        for when in times
    ]
    make_gated_article(followed[0], published_at=None)
    # The last publisher's only entry in the window is on its first, partial day.
    make_gated_article(followed[2], published_at=start + timedelta(seconds=5))
    personal.mark_read(user, [article.pk for article in made[::2]])
    personal.save_article(user, made[0].pk)  # before the window, saved: an entry still
    return user, followed, now


@pytest.mark.parametrize(("start_hour", "day"), [(0, 7), (5, 7), (23, 7), (5, 8), (23, 10)])
def test_summed_by_day_the_total_is_the_count_at_every_edge_of_the_window(start_hour, day):
    """Counted by day and row by row, against a plain count of the entries."""
    user, followed, now = _edges(start_hour, day)
    _assert_kept()
    feeds = reader_feeds(user)
    filters = [
        EntryFilter(read=False),
        EntryFilter(read=True),
        EntryFilter(read=False, feed_ids=(followed[1].pk,)),
        EntryFilter(read=True, feed_ids=(followed[0].pk, followed[2].pk)),
    ]
    for flt in filters:
        expected = entries(user, now, flt, feeds).count()
        assert queries.count_entries(user, now, flt, feeds) == expected, flt
        by_day = queries.count_parts(user, now, flt, feeds)
        rows = queries.count_parts(user, now, flt, feeds, by_day=False)
        assert any(part.summed for part in by_day) and not any(part.summed for part in rows)
        assert sum(p.sign * p.number() for p in rows) == expected, flt


@pytest.mark.parametrize(("start_hour", "day"), [(0, 7), (5, 7), (23, 7), (5, 8), (23, 10)])
@pytest.mark.usefixtures("empty_cache")
def test_the_counters_per_feed_are_each_feeds_entries(start_hour, day):
    user, followed, now = _edges(start_hour, day)
    feeds = reader_feeds(user)

    def count(pk: int, read: bool) -> int:
        return entries(user, now, EntryFilter(read=read, feed_ids=(pk,)), feeds).count()

    expected_reads = {p.pk: count(p.pk, True) for p in followed}
    expected_unread = {p.pk: count(p.pk, False) for p in followed}
    reads, unread = counters.counters(user, now)
    # A saved article outside the window is an entry, but of no feed's window.
    assert reads == {pk: n - (pk == followed[0].pk) for pk, n in expected_reads.items()}
    assert unread == expected_unread
    by_feed = counters.unread_by_feed(user, now)
    assert {pk: row.unread for pk, row in by_feed.items()} == expected_unread


def test_a_window_that_starts_at_midnight_has_no_partial_day():
    user = make_user("active")
    publisher = make_publisher("Harbour Times")
    follow_publisher(user, publisher)
    now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = window_start(now)
    for when in (start - timedelta(seconds=1), start, start + timedelta(hours=1)):
        make_gated_article(publisher, published_at=when)
    assert queries.count_entries(user, now, EntryFilter(read=False)) == 2


def test_check_finds_counts_the_triggers_missed_and_rebuild_mends_them():
    from io import StringIO

    from django.core.management import CommandError, call_command

    world = make_world()
    personal.mark_read(world.user, [a.pk for a in world.articles[:3]])
    out = StringIO()
    call_command("sync", "check", stdout=out)
    assert "agree" in out.getvalue()
    # What a TRUNCATE or a restore without the triggers leaves: counts that say nothing.
    PublisherDay.objects.all().delete()
    ReadDay.objects.filter(user_id=world.user.pk).update(reads=7)
    ReadWeek.objects.filter(user_id=world.user.pk).update(reads=0)
    with pytest.raises(CommandError, match="kept 0, counted 1") as failed:
        call_command("sync", "check")
    assert "kept 7, counted" in str(failed.value)
    assert "in the week of" in str(failed.value)
    assert "newsstand sync rebuild" in str(failed.value)
    out = StringIO()
    call_command("sync", "rebuild", stdout=out)
    assert "publisher days" in out.getvalue()
    _assert_kept()
    call_command("sync", "check", stdout=StringIO())
    # Kept by the triggers from there on.
    personal.mark_unread(world.user, [world.articles[0].pk])
    _assert_kept()
