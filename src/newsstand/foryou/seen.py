"""What a reader has in effect read: never offered to them again. Pure.

Reading an article (or saving it, or dwelling on it) counts for

- the article itself;
- its wire copies: every article of its copy set (`Article.copy_of` names the set's first
  article, so the set is that article and all that point to it);
- the rest of its story's coverage as it stood then: an article of the same story that arrived
  (`fetched_at`) before the reader's latest signal in that story. What arrives later is news to
  them, and may be offered.

An article without a story yet (clustering runs after ingest) is caught by the similarity guard
in `feed.build_feed` instead.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from newsstand.foryou.inputs import Signal


@dataclass(frozen=True)
class Seen:
    articles: frozenset[Hashable] = frozenset()
    # The copy sets read from, by their first article.
    copy_sets: frozenset[Hashable] = frozenset()
    # Story -> the reader's latest signal in it (POSIX seconds).
    stories: Mapping[Hashable, float] = field(default_factory=dict)

    @classmethod
    def of(cls, signals: Iterable[Signal]) -> Seen:
        articles: set[Hashable] = set()
        copy_sets: set[Hashable] = set()
        stories: dict[Hashable, float] = {}
        for s in signals:
            articles.add(s.article_id)
            copy_sets.add(s.copy_of if s.copy_of is not None else s.article_id)
            if s.story_id is not None:
                stories[s.story_id] = max(stories.get(s.story_id, s.at_ts), s.at_ts)
        return cls(frozenset(articles), frozenset(copy_sets), stories)

    def __bool__(self) -> bool:
        return bool(self.articles)

    def hides(
        self,
        article_id: Hashable,
        *,
        story_id: Hashable | None,
        copy_of: Hashable | None,
        arrived_ts: float,
    ) -> bool:
        """Is this article one the reader has in effect read?"""
        if article_id in self.articles:
            return True
        if (copy_of if copy_of is not None else article_id) in self.copy_sets:
            return True
        if story_id is not None:
            read_at = self.stories.get(story_id)
            if read_at is not None and arrived_ts <= read_at:
                return True
        return False
