"""What a reader did and follows, read from the database in one query, as the ranker's inputs.

ReadingHistory rows are reads, SavedArticle rows saves, the ledger's FullRead rows dwells (the
seconds between the page being served and the read being confirmed), each part newest first and
capped at `max_signals`, each with its article's story and copy set as stored now; Follow rows
are the follows and mutes. The four parts come back in one
UNION ALL, so a page asks for everything about its reader once, and the rows themselves are the
"signals version": a new read, save, follow or mute changes them, and with them the cache key of
the reader's profile and page (`foryou.live`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    Max,
    QuerySet,
    Value,
)

from newsstand.articles.models import Article
from newsstand.foryou.inputs import FollowSet, Signal, SignalKind, Targets
from newsstand.foryou.seen import Seen
from newsstand.ledger.models import FullRead
from newsstand.personal.models import Follow, ReadingHistory, SavedArticle

# The union's part carrying the highest article id (`with_latest_id`).
_LATEST = "latest"
_COLUMNS = (
    "fy_part",
    "fy_article",
    "fy_key",
    "fy_at",
    "fy_opened",
    "fy_muted",
    "fy_label",
    "fy_story",
    "fy_copy",
)


@dataclass(frozen=True)
class FollowRow:
    kind: str
    key: str
    label: str
    muted: bool


@dataclass(frozen=True)
class ReaderData:
    signals: tuple[Signal, ...]
    follows: tuple[FollowRow, ...]
    # Digests of the rows: equal digests, equal inputs. `signals_version` covers the signals
    # only (what the profile is built from), `version` the follows and the read articles'
    # stories and copy sets too.
    version: str
    signals_version: str = ""
    # The highest article id, when asked for (`load_reader(..., with_latest_id=True)`).
    latest_article_id: int | None = None

    @property
    def seen(self) -> Seen:
        return Seen.of(self.signals)

    @property
    def follow_set(self) -> FollowSet:
        return follow_set(self.follows)

    def label_of(self, kind: str, key: str) -> str:
        """The name a follow was made with (a topic's spelling, a section's)."""
        for row in self.follows:
            if row.kind == kind and row.key == key:
                return row.label
        return ""

    @property
    def muted_publisher_ids(self) -> list[int]:
        return [
            int(r.key)
            for r in self.follows
            if r.muted and r.kind == Follow.Kind.PUBLISHER and r.key.isascii() and r.key.isdigit()
        ]


def _ids(keys: Iterable[str]) -> list[int]:
    return [int(k) for k in keys if k.isascii() and k.isdigit()]


def follow_set(rows: Iterable[FollowRow]) -> FollowSet:
    """Follow rows as the ranker's FollowSet: publishers and stories by id, sections by their
    casefolded name, topics by slug (`personal.targets.normalise_key`)."""
    halves: dict[bool, dict[str, list[str]]] = {False: {}, True: {}}
    for row in rows:
        halves[row.muted].setdefault(row.kind, []).append(row.key)

    def targets(by_kind: dict[str, list[str]]) -> Targets:
        return Targets.of(
            publishers=_ids(by_kind.get(Follow.Kind.PUBLISHER, [])),
            sections=by_kind.get(Follow.Kind.SECTION, []),
            topics=by_kind.get(Follow.Kind.TOPIC, []),
            stories=_ids(by_kind.get(Follow.Kind.STORY, [])),
        )

    return FollowSet(followed=targets(halves[False]), muted=targets(halves[True]))


def _newest(model: Any, field: str, user_id: int, limit: int) -> QuerySet[Any]:
    """The ids of the reader's `limit` newest rows: a subquery, since SQLite takes no LIMIT in
    the parts of a UNION."""
    rows = model.objects.filter(user_id=user_id)
    if model is FullRead:
        rows = rows.filter(article_id__isnull=False)
    return rows.order_by(f"-{field}").values("pk")[:limit]


def load_reader(user_id: int, *, max_signals: int, with_latest_id: bool = False) -> ReaderData:
    """The reader's signals (newest first, at most `max_signals` of each kind) and follows.

    `with_latest_id` adds the highest article id to the same query: what the For You corpus
    must have seen before it ranks, and part of the page's cache key, asked here for free.
    """
    no_article = Value(None, output_field=IntegerField())
    no_text = Value("", output_field=CharField())
    false = Value(False, output_field=BooleanField())

    def signals(model: Any, kind: SignalKind, at: str, opened: str) -> QuerySet[Any]:
        return (
            model.objects.filter(pk__in=_newest(model, at, user_id, max_signals))
            .annotate(
                fy_part=Value(kind.value, output_field=CharField()),
                fy_article=F("article_id"),
                fy_key=no_text,
                fy_at=F(at),
                fy_opened=F(opened),
                fy_muted=false,
                fy_label=no_text,
                fy_story=F("article__story_id"),
                fy_copy=F("article__copy_of_id"),
            )
            .order_by()
            .values_list(*_COLUMNS)
        )

    reads = signals(ReadingHistory, SignalKind.READ, "last_read_at", "last_read_at")
    saves = signals(SavedArticle, SignalKind.SAVED, "saved_at", "saved_at")
    # A full read's dwell runs from the page being served to the read being confirmed.
    dwells = signals(FullRead, SignalKind.DWELL, "read_at", "opened_at")
    follows = (
        Follow.objects.filter(user_id=user_id)
        .annotate(
            fy_part=F("kind"),
            fy_article=no_article,
            fy_key=F("key"),
            fy_at=F("created_at"),
            fy_opened=F("created_at"),
            fy_muted=F("muted"),
            fy_label=F("label"),
            fy_story=no_article,
            fy_copy=no_article,
        )
        .order_by()
        .values_list(*_COLUMNS)
    )
    parts = [saves, dwells, follows]
    if with_latest_id:
        parts.append(
            Article.objects.order_by()
            .annotate(fy_part=Value(_LATEST, output_field=CharField()))
            .values("fy_part")
            .annotate(
                fy_article=Max("id"),
                fy_key=no_text,
                fy_at=Value(None, output_field=DateTimeField()),
                fy_opened=Value(None, output_field=DateTimeField()),
                fy_muted=false,
                fy_label=no_text,
                fy_story=no_article,
                fy_copy=no_article,
            )
            .values_list(*_COLUMNS)
        )
    rows = list(reads.union(*parts, all=True))
    return reader_data(rows)


def reader_data(rows: list[tuple[object, ...]]) -> ReaderData:
    """ReaderData from the union's rows (part, article, key, at, opened, muted, label, story,
    copy set)."""
    signals: list[Signal] = []
    follows: list[FollowRow] = []
    digest = hashlib.blake2b(digest_size=16)
    signal_digest = hashlib.blake2b(digest_size=16)
    latest: int | None = None
    for row in sorted(rows, key=_sort_key):
        part, article, key, at, opened, muted, label, story, copy = row
        if part == _LATEST:
            latest = int(article) if isinstance(article, int) else 0
            continue
        digest.update(repr(row).encode())
        if part in Follow.Kind.values:
            follows.append(FollowRow(str(part), str(key), str(label), bool(muted)))
            continue
        signal_digest.update(repr((part, article, at, opened)).encode())
        if not (isinstance(at, datetime) and isinstance(opened, datetime)):
            continue  # every part's times are non-null datetimes; this tells mypy so
        kind = SignalKind(str(part))
        dwell = max(0.0, (at - opened).total_seconds()) if kind is SignalKind.DWELL else 0.0
        signals.append(
            Signal(
                article_id=article,
                kind=kind,
                at_ts=at.timestamp(),
                dwell_s=dwell,
                story_id=story,
                copy_of=copy,
            )
        )
    return ReaderData(
        signals=tuple(signals),
        follows=tuple(follows),
        version=digest.hexdigest(),
        signals_version=signal_digest.hexdigest(),
        latest_article_id=latest,
    )


def _sort_key(row: tuple[object, ...]) -> tuple[str, str, str]:
    return (str(row[0]), str(row[1]), str(row[2]))
