"""Top stories right now: a pure score from a story's signals, with the reasons for staff.

The score is the sum of three positive signals, each with diminishing returns (log1p), less a
recency penalty:

- breadth: distinct publishers covering the story (ten outlets matter more than one, but the
  fiftieth adds little);
- velocity: the story's articles first published (or, undated, fetched) in the last
  `velocity_hours`;
- reads: reads of the story's articles on this site in the last `reads_hours` (ReadTally);
- recency: the positive sum decays by half every `half_life_hours` since the story was last
  updated. It is shown as its own, negative, contribution so that the parts add up to the score
  and staff can see how much age cost a story.

Nothing here touches the database: `stories.actions.rank_stories` gathers the signals in a few
queries and persists the results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from newsstand.config import load_group

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class RankingSettings:
    """Weights and windows of the ranking; override any of them in settings.NEWSSTAND_RANKING."""

    # Stories last updated longer ago than this are not ranked; their score is zeroed.
    window_hours: float = 48.0
    breadth_weight: float = 1.0
    velocity_weight: float = 0.6
    velocity_hours: float = 6.0
    reads_weight: float = 0.4
    reads_hours: float = 6.0
    # A story untouched for this long keeps half its score; two half-lives, a quarter.
    half_life_hours: float = 8.0

    @classmethod
    def from_settings(cls) -> RankingSettings:
        """The defaults above, overridden key by key by settings.NEWSSTAND_RANKING (read now)."""
        return load_group(cls, "NEWSSTAND_RANKING")


@dataclass(frozen=True)
class StorySignals:
    """What the ranking knows about one story at `now`."""

    publisher_count: int
    recent_articles: int
    recent_reads: int
    last_updated_at: datetime


@dataclass(frozen=True)
class SignalPart:
    """One signal's raw value and what it added to (or, for recency, took from) the score."""

    name: str
    raw: float
    contribution: float


@dataclass(frozen=True)
class StoryScore:
    score: float
    parts: tuple[SignalPart, ...]

    def details(self) -> dict[str, dict[str, float]]:
        """JSON-ready breakdown for Story.score_details: signal -> {raw, contribution}."""
        return {
            p.name: {"raw": round(p.raw, 4), "contribution": round(p.contribution, 6)}
            for p in self.parts
        }


def age_hours(last_updated_at: datetime, now: datetime) -> float:
    """Hours since the last update; never negative (clock skew puts some dates in the future)."""
    return max(0.0, (now - last_updated_at).total_seconds() / SECONDS_PER_HOUR)


def decay_factor(hours: float, half_life_hours: float) -> float:
    return float(0.5 ** (max(0.0, hours) / half_life_hours))


def score_story(signals: StorySignals, now: datetime, config: RankingSettings) -> StoryScore:
    """The story's score at `now` and its breakdown; the contributions sum to the score."""
    breadth = config.breadth_weight * math.log1p(max(0, signals.publisher_count))
    velocity = config.velocity_weight * math.log1p(max(0, signals.recent_articles))
    reads = config.reads_weight * math.log1p(max(0, signals.recent_reads))
    before_decay = breadth + velocity + reads
    age = age_hours(signals.last_updated_at, now)
    decayed = before_decay * decay_factor(age, config.half_life_hours)
    parts = (
        SignalPart("breadth", float(signals.publisher_count), breadth),
        SignalPart("velocity", float(signals.recent_articles), velocity),
        SignalPart("reads", float(signals.recent_reads), reads),
        SignalPart("recency", age, decayed - before_decay),
    )
    return StoryScore(score=decayed, parts=parts)
