"""What the For You ranker is given: plain dataclasses a database adapter fills.

The adapter (written once `newsstand.personal` lands) turns ReadingHistory and SavedArticle rows
into `Signal`s, Follow rows into a `FollowSet` (muted ones into its `muted` half), and article
rows into `ArticleMeta` for the `Corpus`. Nothing here knows about models or the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from newsstand.stories.similarity import ArticleVector


class SignalKind(StrEnum):
    READ = "read"  # opened the article
    DWELL = "dwell"  # stayed on it for `dwell_s` seconds
    SAVED = "saved"  # saved it for later


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing the reader did with one article, at `at_ts` (POSIX seconds)."""

    article_id: Hashable
    kind: SignalKind
    at_ts: float
    dwell_s: float = 0.0
    # The headline, for "Because you read …"; the corpus's title is used when this is empty.
    title: str = ""
    # The article's vector when it is not in the corpus (read before the window began); the
    # adapter can vectorise it with `Corpus.vectorize` or keep it from when it was read.
    vector: ArticleVector | None = None
    # The article's story and the first article of its wire-copy set, as stored now (None:
    # none yet): what else the reader has in effect read (`seen.Seen`).
    story_id: Hashable | None = None
    copy_of: Hashable | None = None


@dataclass(frozen=True, slots=True)
class ReaderSignals:
    """Everything the reader did that says what they like, any order."""

    signals: tuple[Signal, ...] = ()

    @property
    def article_ids(self) -> frozenset[Hashable]:
        return frozenset(s.article_id for s in self.signals)


def normalise_label(label: str) -> str:
    """Sections and topics compare case- and space-insensitively ("World  News" = "world news")."""
    return " ".join(label.casefold().split())


@dataclass(frozen=True, slots=True)
class Targets:
    """A set of publishers, sections, topics and stories (followed, or muted)."""

    publishers: frozenset[Hashable] = frozenset()
    sections: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    stories: frozenset[Hashable] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        publishers: Iterable[Hashable] = (),
        sections: Iterable[str] = (),
        topics: Iterable[str] = (),
        stories: Iterable[Hashable] = (),
    ) -> Targets:
        """Build from any iterables; section and topic labels are normalised."""
        return cls(
            publishers=frozenset(publishers),
            sections=frozenset(normalise_label(s) for s in sections if s.strip()),
            topics=frozenset(normalise_label(t) for t in topics if t.strip()),
            stories=frozenset(stories),
        )

    def __bool__(self) -> bool:
        return bool(self.publishers or self.sections or self.topics or self.stories)


@dataclass(frozen=True, slots=True)
class FollowSet:
    """What the reader follows, and what they muted: muted things never appear in the feed."""

    followed: Targets = field(default_factory=Targets)
    muted: Targets = field(default_factory=Targets)


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What the feed needs to know of an article besides its text."""

    id: Hashable
    publisher_id: Hashable
    publisher_name: str = ""
    title: str = ""
    section: str = ""
    topics: frozenset[str] = frozenset()
    story_id: Hashable | None = None
    # When the site got it (POSIX seconds; 0 when unknown): coverage that arrived after the
    # reader read its story is new to them (`seen.Seen`).
    arrived_ts: float = 0.0
