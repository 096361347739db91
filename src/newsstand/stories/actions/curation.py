"""State changes of curation: ranking Top stories, counting reads, editors' picks.

The scores are decided in `stories.ranking`; this module gathers signals and stores results.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.models import Pick, ReadTally, Story
from newsstand.stories.ranking import RankingSettings, StorySignals, score_story
from newsstand.web.pagecache import bust_pages

log = logging.getLogger(__name__)

# Rows per UPDATE in rank_stories; SQLite caps the number of parameters in one statement.
RANK_BATCH_ROWS = 400


@dataclass(frozen=True)
class RankReport:
    ranked: int
    zeroed: int


def hour_bucket(when: datetime) -> datetime:
    """The start of `when`'s hour, in UTC: ReadTally's bucket."""
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _count_subquery(queryset: Any, aggregate: Any) -> Coalesce:
    """A correlated per-story aggregate as one column of the outer query (0 when no rows)."""
    per_story = queryset.order_by().values("story").annotate(n=aggregate).values("n")
    return Coalesce(Subquery(per_story, output_field=IntegerField()), Value(0))


def rank_stories(now: datetime | None = None) -> RankReport:
    """Score every story updated within the ranking window and zero the scores of older ones.

    One query reads the signals of all candidate stories (breadth from the denormalised
    publisher_count, velocity and reads as correlated subqueries), then the scores are written
    with bulk_update: a handful of queries whatever the number of stories.
    """
    now = now or timezone.now()
    config = RankingSettings.from_settings()
    cutoff = now - timedelta(hours=config.window_hours)
    velocity_since = now - timedelta(hours=config.velocity_hours)
    reads_since = hour_bucket(now - timedelta(hours=config.reads_hours))

    recent_articles = _count_subquery(
        Article.objects.filter(story=OuterRef("pk"))
        # Undated articles count from when we fetched them; the publisher's date wins otherwise,
        # so a backlog fetched all at once does not look like a burst of coverage.
        .annotate(seen=Coalesce("published_at", "fetched_at"))
        .filter(seen__gte=velocity_since, seen__lte=now),
        Count("pk"),
    )
    recent_reads = _count_subquery(
        ReadTally.objects.filter(story=OuterRef("pk"), hour__gte=reads_since), Sum("count")
    )
    rows = (
        Story.objects.filter(last_updated_at__gte=cutoff)
        .annotate(recent_articles=recent_articles, recent_reads=recent_reads)
        .values_list("pk", "publisher_count", "last_updated_at", "recent_articles", "recent_reads")
    )
    updates = []
    for pk, publishers, updated_at, articles, reads in rows:
        result = score_story(
            StorySignals(
                publisher_count=publishers,
                recent_articles=articles,
                recent_reads=reads,
                last_updated_at=updated_at,
            ),
            now,
            config,
        )
        updates.append(
            Story(pk=pk, score=result.score, score_details=result.details(), ranked_at=now)
        )
    with transaction.atomic():
        if updates:
            Story.objects.bulk_update(
                updates, ["score", "score_details", "ranked_at"], batch_size=RANK_BATCH_ROWS
            )
        zeroed = (
            Story.objects.filter(last_updated_at__lt=cutoff)
            .exclude(score=0)
            .update(score=0.0, score_details={}, ranked_at=now)
        )
    log.info("ranked stories ranked=%d zeroed=%d", len(updates), zeroed)
    return RankReport(ranked=len(updates), zeroed=zeroed)


def record_read(article: Article, now: datetime | None = None) -> bool:
    """Count one read of the article's story in the current hour; False if it has no story.

    One statement on SQLite and PostgreSQL (INSERT … ON CONFLICT DO UPDATE), so concurrent
    first reads of an hour cannot collide; other databases update, then insert on a miss.
    """
    if article.story_id is None:
        return False
    return record_story_read(article.story_id, now)


def record_story_read(story_id: int, now: datetime | None = None) -> bool:
    """`record_read` by the story's id, for callers that hold no Article (the page cache)."""
    hour = hour_bucket(now or timezone.now())
    if connection.vendor in ("sqlite", "postgresql"):
        _upsert_tally(story_id, hour)
    else:
        _update_or_insert_tally(story_id, hour)
    return True


def record_story_reads(counts: Mapping[tuple[int, datetime], int]) -> int:
    """Add buffered reads, {(story id, hour bucket): reads}, in one transaction; returns the sum.

    Each row is one statement on SQLite and PostgreSQL (INSERT … ON CONFLICT DO UPDATE), so
    concurrent first reads of an hour cannot collide; other databases update, then insert on a
    miss. Reads of a story deleted meanwhile (merged away by repair) are dropped.
    """
    if not counts:
        return 0
    live = set(
        Story.objects.filter(pk__in={story_id for story_id, _ in counts}).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        for (story_id, hour), n in sorted(counts.items(), key=lambda item: item[0]):
            if story_id not in live or n <= 0:
                continue
            if connection.vendor in ("sqlite", "postgresql"):
                _upsert_tally(story_id, hour, n)
            else:
                _update_or_insert_tally(story_id, hour, n)
    return sum(n for (story_id, _), n in counts.items() if story_id in live and n > 0)


def _upsert_tally(story_id: int, hour: datetime, n: int = 1) -> None:
    qn = connection.ops.quote_name
    table = qn(ReadTally._meta.db_table)
    story_col = qn(ReadTally._meta.get_field("story").column)
    hour_col, count_col = qn("hour"), qn("count")
    sql = (
        f"INSERT INTO {table} ({story_col}, {hour_col}, {count_col}) VALUES (%s, %s, %s) "  # noqa: S608 - names come from the model, values are parameters
        f"ON CONFLICT ({story_col}, {hour_col}) "
        f"DO UPDATE SET {count_col} = {table}.{count_col} + %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [story_id, connection.ops.adapt_datetimefield_value(hour), n, n])


def _update_or_insert_tally(story_id: int, hour: datetime, n: int = 1) -> None:
    tallies = ReadTally.objects.filter(story_id=story_id, hour=hour)
    if tallies.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            ReadTally.objects.create(story_id=story_id, hour=hour, count=n)
    except IntegrityError:
        # Another request inserted the hour's row between our update and insert.
        tallies.update(count=F("count") + n)


class PickError(ValueError):
    """A pick that cannot be made; `field` names the form field to show it on ('' for all)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _queued_picks(now: datetime) -> Any:
    """Live and upcoming picks (not expired), in reader order."""
    return Pick.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by(
        "position", "-created_at", "-pk"
    )


def add_pick(
    *,
    story: Story | None = None,
    article: Article | None = None,
    blurb: str = "",
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
    created_by: Any = None,
    now: datetime | None = None,
) -> Pick:
    """Pick a story or an article (exactly one) at the end of the queue; raises PickError."""
    now = now or timezone.now()
    if (story is None) == (article is None):
        raise PickError("Pick either a story or an article, not both and not neither.")
    starts_at = starts_at or now
    if expires_at is not None and expires_at <= now:
        raise PickError("That expiry time has already passed.", "expires_at")
    if expires_at is not None and expires_at <= starts_at:
        raise PickError("The pick must expire after it starts.", "expires_at")
    queued = _queued_picks(now)
    if story is not None and queued.filter(story=story).exists():
        raise PickError(f"“{story.headline}” is already picked.")
    if article is not None and queued.filter(article=article).exists():
        raise PickError(f"“{article.title}” is already picked.")
    last = queued.order_by("-position").values_list("position", flat=True).first()
    pick = Pick.objects.create(
        story=story,
        article=article,
        blurb=blurb.strip(),
        starts_at=starts_at,
        expires_at=expires_at,
        created_by=created_by,
        created_at=now,
        position=0 if last is None else last + 1,
    )
    log.info(
        "pick added pick_id=%s story_id=%s article_id=%s", pick.pk, pick.story_id, pick.article_id
    )
    # Our Picks is on the home and every article page: cached copies go once the pick is saved.
    transaction.on_commit(bust_pages)
    return pick


def move_pick(pick: Pick, direction: Literal["up", "down"], now: datetime | None = None) -> bool:
    """Swap the pick with its neighbour in the queue; False if it is already at that end.

    Positions are renumbered 0..n-1 on the way, so ties and gaps left by removals go away.
    """
    queue = list(_queued_picks(now or timezone.now()))
    index = next((i for i, p in enumerate(queue) if p.pk == pick.pk), None)
    if index is None:
        return False
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(queue):
        return False
    queue[index], queue[other] = queue[other], queue[index]
    changed = []
    for position, item in enumerate(queue):
        if item.position != position:
            item.position = position
            changed.append(item)
    Pick.objects.bulk_update(changed, ["position"])
    log.info("pick moved pick_id=%s direction=%s", pick.pk, direction)
    transaction.on_commit(bust_pages)
    return True


def remove_pick(pick: Pick) -> None:
    log.info("pick removed pick_id=%s", pick.pk)
    pick.delete()
    transaction.on_commit(bust_pages)
