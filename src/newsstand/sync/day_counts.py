"""The per-day counts (sync.models.PublisherDay, ReadDay) as they should be, counted from the
articles and History, and the per-week ones (PublisherWeek, ReadWeek) as the days sum to: what
`newsstand sync check` compares them with, and `sync rebuild` writes
(sync.actions.rebuild_day_counts).

The triggers keep the counts in every write the database sees; what they cannot see is a
`TRUNCATE` of the articles or History (PostgreSQL fires no row triggers for it) or a restore
that loaded the rows without the triggers in place.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from newsstand.articles.models import Article
from newsstand.personal.models import ReadingHistory
from newsstand.sync.models import PublisherDay, PublisherWeek, ReadDay, ReadWeek

ArticleDays = Counter[tuple[int, date]]
ReadDays = Counter[tuple[int, int, date]]
MAX_REPORTED = 10  # differences listed by `check`; the rest are counted


def counted() -> tuple[ArticleDays, ReadDays]:
    """Articles per (publisher, day) and History rows per (reader, publisher, day), UTC days."""
    articles: ArticleDays = Counter()
    rows = (
        Article.objects.filter(published_at__isnull=False)
        .annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values("publisher_id", "day")
        .annotate(n=Count("pk"))
        .values_list("publisher_id", "day", "n")
    )
    for publisher_id, day, n in rows:
        articles[(publisher_id, day)] = n
    reads: ReadDays = Counter()
    history = (
        ReadingHistory.objects.filter(
            article_publisher_id__isnull=False, article_published_at__isnull=False
        )
        .annotate(day=TruncDate("article_published_at", tzinfo=UTC))
        .values("user_id", "article_publisher_id", "day")
        .annotate(n=Count("pk"))
        .values_list("user_id", "article_publisher_id", "day", "n")
    )
    for user_id, copied_publisher, day, n in history:
        if copied_publisher is not None:  # always (filtered above); the field allows None
            reads[(user_id, copied_publisher, day)] = n
    return articles, reads


def kept() -> tuple[ArticleDays, ReadDays]:
    """The counts as the tables hold them, rows back at 0 left out."""
    return (
        _nonzero(PublisherDay.objects.values_list("publisher_id", "day", "articles")),
        _nonzero(ReadDay.objects.values_list("user_id", "publisher_id", "day", "reads")),
    )


def _nonzero(rows: Any) -> Counter[Any]:
    """(key..., count) rows as a Counter of the keys, those at 0 left out."""
    return Counter({tuple(key): n for *key, n in rows if n})


def weeks_of(articles: ArticleDays, reads: ReadDays) -> tuple[ArticleDays, ReadDays]:
    """Per-day counts summed per week (named by its Monday), as the per-week tables hold them."""
    article_weeks: ArticleDays = Counter()
    for (p, d), n in articles.items():
        article_weeks[(p, monday(d))] += n
    read_weeks: ReadDays = Counter()
    for (u, p, d), n in reads.items():
        read_weeks[(u, p, monday(d))] += n
    return +article_weeks, +read_weeks


def monday(day: date) -> date:
    """The Monday of `day`'s week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def weeks_kept() -> tuple[ArticleDays, ReadDays]:
    """The per-week counts as the tables hold them, rows back at 0 left out."""
    return (
        _nonzero(PublisherWeek.objects.values_list("publisher_id", "week", "articles")),
        _nonzero(ReadWeek.objects.values_list("user_id", "publisher_id", "week", "reads")),
    )


def differences() -> list[str]:
    """What the kept counts get wrong, in words; empty when they agree."""
    want_articles, want_reads = counted()
    have_articles, have_reads = kept()
    want_weeks, want_read_weeks = weeks_of(want_articles, want_reads)
    have_weeks, have_read_weeks = weeks_kept()
    return [
        *_wrong("articles of publisher {} on {}", want_articles, have_articles),
        *_wrong("reads of reader {}, publisher {} on {}", want_reads, have_reads),
        *_wrong("articles of publisher {} in the week of {}", want_weeks, have_weeks),
        *_wrong(
            "reads of reader {}, publisher {} in the week of {}", want_read_weeks, have_read_weeks
        ),
    ]


def _wrong(label: str, want: Counter[Any], have: Counter[Any]) -> list[str]:
    wrong = sorted(k for k in want.keys() | have.keys() if want[k] != have[k])
    lines = [f"{label.format(*key)}: kept {have[key]}, counted {want[key]}" for key in wrong]
    if len(lines) > MAX_REPORTED:
        lines[MAX_REPORTED:] = [f"… and {len(wrong) - MAX_REPORTED} more like these"]
    return lines
