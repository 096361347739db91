"""Search backends: one class per database's full-text engine, chosen once in settings.

`settings.NEWSSTAND_SEARCH_BACKEND` names the class (settings.py picks it from the database
engine); domain code calls `get_backend()` and never asks which database it runs on.

Ranking, the same formula on every backend:

    score = relevance * 0.5 ** (age_days / NEWSSTAND_SEARCH_HALF_LIFE_DAYS)

relevance is the engine's own text score (FTS5 bm25, PostgreSQL ts_rank), both weighting the
title above the byline, the summary and then the body; age_days is the time since the article's
publication (its fetch time when it has no date), never below 0. So an article one half-life
older needs twice the relevance to rank level with a newer one.

Readers without full access search a second, public index instead (`public=True`): titles,
bylines and the text the gate shows them, never the body behind it (search/public.py).

Only the RANK_WINDOW most recently stored matches are scored, and matches beyond it are not
counted: for a broad word matching tens of thousands of articles, bm25/ts_rank over all of
them, or even counting them, is what costs (see docs/benchmarks.md), and with any sensible
half-life the best results are among the newest matches anyway. Below RANK_WINDOW matches,
which is most queries, the ranking is exact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from newsstand.search.query import ParsedQuery

# Matches scored per query (see the module docstring); pages beyond it are not offered. At
# 100,000 articles the first page over the newest 1,000 equals the exact ranking over every
# match for 100 of 100 broad queries (500: 0.997 on average, 0.85 at worst), at half the cost
# of 2,000 (bench/search.py --window, docs/benchmarks.md).
RANK_WINDOW = 1_000
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing a search. Dates compare with the publication time (else the fetch time)."""

    publisher_id: int | None = None
    section: str = ""  # matched whole, ignoring case
    language: str = ""  # a primary language subtag: "en" matches "en", "en-GB", "en_US"
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    @property
    def active(self) -> bool:
        return bool(self.publisher_id or self.section or self.language or self.since or self.until)


@dataclass(frozen=True)
class Ranked:
    """Article ids, best first. `more`: the window was full, more articles match than these."""

    ids: list[int]
    more: bool = False


class SearchBackend(ABC):
    """What the search page needs from a full-text engine."""

    # The Django database vendor this backend works with (checked at start-up).
    vendor: ClassVar[str]

    @abstractmethod
    def rank(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        now: datetime,
        window: int | None = None,
        public: bool = False,
    ) -> Ranked:
        """The best of the newest `window` (default RANK_WINDOW) matches of `query`, by the
        module's formula; in the public index (what the gate shows) when `public`."""

    @abstractmethod
    def suggest(self, query: ParsedQuery, *, now: datetime, limit: int) -> list[int]:
        """Ids of up to `limit` articles whose titles match `query` (its prefix included)."""

    @abstractmethod
    def rebuild(self) -> int:
        """Index every article again from the articles table, and the public index from the
        public texts as they are (actions.rebuild_index computes those first); returns the
        number of articles indexed."""

    @abstractmethod
    def check(self) -> list[str]:
        """Problems with the index (empty when it agrees with the articles table)."""

    def ensure_index(self) -> bool:
        """Re-create what a schema change may have dropped; True when it had to. Idempotent."""
        return False


def within_window(ranked_ids: list[int], window: int) -> Ranked:
    """Ranked ids of the newest `window` + 1 candidates, cut to the newest `window`: the extra
    one (the lowest id, stored first) only says that more match."""
    if len(ranked_ids) <= window:
        return Ranked(ranked_ids)
    oldest = min(ranked_ids)
    return Ranked([pk for pk in ranked_ids if pk != oldest], more=True)


def rank_window(window: int | None) -> int:
    """`window`, else RANK_WINDOW as it is now (bench/search.py tries others)."""
    return window or RANK_WINDOW


def half_life_days() -> float:
    return float(settings.NEWSSTAND_SEARCH_HALF_LIFE_DAYS)


def get_backend() -> SearchBackend:
    """The backend settings chose."""
    backend_class = import_string(settings.NEWSSTAND_SEARCH_BACKEND)
    backend: SearchBackend = backend_class()
    return backend


def public_text_problems() -> list[str]:
    """Articles without a public search text, and public texts without an article."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM articles_article a WHERE NOT EXISTS"
            " (SELECT 1 FROM search_publictext p WHERE p.article_id = a.id)"
        )
        missing = cursor.fetchone()[0]
        if missing:
            problems.append(
                f"{missing} article(s) have no public search text (readers without full access "
                "cannot find them)."
            )
        cursor.execute(
            "SELECT COUNT(*) FROM search_publictext p WHERE NOT EXISTS"
            " (SELECT 1 FROM articles_article a WHERE a.id = p.article_id)"
        )
        orphans = cursor.fetchone()[0]
        if orphans:
            problems.append(f"{orphans} public search text(s) have no article.")
    return problems
