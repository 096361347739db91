"""A story's denormalised summary from its members: counts, times, labels, representative.

Pure: members come in as plain rows (what `Article.objects.values(...)` gives).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# A member with fewer words is a brief or a failed extraction: a poor face for the story.
COMPLETE_MIN_WORDS = 150
LEAD_MAX_CHARS = 300
MAX_SECTIONS = 5
MAX_TOPICS = 10

MEMBER_FIELDS = (
    "id",
    "story_id",
    "publisher_id",
    "title",
    "summary",
    "published_at",
    "fetched_at",
    "section",
    "topics",
    "copy_of_id",
    "word_count",
    "extraction_error",
)


@dataclass(frozen=True, slots=True)
class StoryStats:
    headline: str
    lead: str
    representative_id: int | None
    first_seen_at: datetime
    last_updated_at: datetime
    article_count: int
    publisher_count: int
    sections: list[str]
    topics: list[str]


def member_time(row: Mapping[str, Any]) -> datetime:
    return row["published_at"] or row["fetched_at"]


def lead_of(summary: str, text_head: str = "") -> str:
    """The summary, else the start of the body, cut at a word under `LEAD_MAX_CHARS`."""
    text = " ".join((summary or text_head or "").split())
    if len(text) <= LEAD_MAX_CHARS:
        return text
    return text[:LEAD_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def representative(members: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The earliest complete original: not a wire copy, a real body, a headline."""

    def key(row: Mapping[str, Any]) -> tuple[int, int, datetime, int]:
        complete = (
            row["word_count"] >= COMPLETE_MIN_WORDS
            and not row["extraction_error"]
            and bool(row["title"])
        )
        return (row["copy_of_id"] is not None, not complete, member_time(row), row["id"])

    return min(members, key=key)


def story_sections(sections: Iterable[str]) -> list[str]:
    """A story's sections from its members' (one each, blank for none): the most common first."""
    counts = Counter(s.strip() for s in sections if s and s.strip())
    return [s for s, _ in counts.most_common(MAX_SECTIONS)]


def story_stats(members: Sequence[Mapping[str, Any]]) -> StoryStats:
    """Summary of a non-empty member list."""
    if not members:
        raise ValueError("a story needs at least one article")
    rep = representative(members)
    times = [member_time(m) for m in members]
    topics = Counter(t for m in members for t in dict.fromkeys(m["topics"] or []) if t)
    return StoryStats(
        headline=rep["title"],
        lead=lead_of(rep["summary"], rep.get("text_head", "")),
        representative_id=rep["id"],
        first_seen_at=min(times),
        last_updated_at=max(times),
        article_count=len(members),
        publisher_count=len({m["publisher_id"] for m in members}),
        sections=story_sections(m["section"] for m in members),
        topics=[t for t, _ in topics.most_common(MAX_TOPICS)],
    )
