"""SQLite FTS5: two external-content indexes over `articles_article`, kept in step by triggers.

- `search_article_fts` (title, authors, summary, content_text): the search. bm25 weighs a title
  match 10, the byline 5, the summary 2, the body 1. Porter stemming, accents folded.
- `search_title_fts` (title, unstemmed) with prefix indexes of 2 and 3 characters:
  search-as-you-type. A prefix query on the big index merges the doclists of every word with
  that prefix (130-200 ms for "co"* at 100,000 articles); titles alone are small enough to carry
  prefix indexes. Unstemmed, because the stemmer stores "election" as "elect", which the prefix
  "electi" would never reach.

- `search_public_fts` (title, authors, text) over `search_publictext`: what readers without
  full access search (search/public.py), weighted as the big index's first three columns.

External content: the indexes hold no copy of the text, only the inverted index; the triggers
on articles_article (insert, delete, and an update of an indexed column) keep them exact
whatever writes the table (ingestion, the admin, `QuerySet.update`, bulk loads, deletes and
cascades). The public index follows `search_publictext` by its own triggers; that table is
written from Python, and triggers on articles_article delete a row whose article changed or
went. A migration that remakes the articles table (SQLite alters a table by copying it) drops
the triggers on it; `ensure_index`, run after every `migrate`, puts them back and rebuilds.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper

from newsstand.search.backends import (
    Ranked,
    SearchBackend,
    SearchFilters,
    half_life_days,
    public_text_problems,
    rank_window,
    within_window,
)
from newsstand.search.backends.sql import ARTICLE_TIME, filter_clauses
from newsstand.search.query import ParsedQuery

log = logging.getLogger(__name__)

FTS_TABLE = "search_article_fts"
TITLE_TABLE = "search_title_fts"
PUBLIC_TABLE = "search_public_fts"
# bm25 column weights, in the FTS table's column order.
BM25_WEIGHTS = "10.0, 5.0, 2.0, 1.0"
PUBLIC_BM25_WEIGHTS = "10.0, 5.0, 2.0"
# Suggestions score this many of the newest title matches.
SUGGEST_WINDOW = 200

# The DDL is written out in full: what the migration creates is plain to read here.
_TRIGGERS = {
    "search_article_fts_insert": """
        CREATE TRIGGER IF NOT EXISTS search_article_fts_insert
        AFTER INSERT ON articles_article BEGIN
            INSERT INTO search_article_fts(rowid, title, authors, summary, content_text)
            VALUES (new.id, new.title, new.authors, new.summary, new.content_text);
            INSERT INTO search_title_fts(rowid, title) VALUES (new.id, new.title);
        END""",
    "search_article_fts_delete": """
        CREATE TRIGGER IF NOT EXISTS search_article_fts_delete
        AFTER DELETE ON articles_article BEGIN
            INSERT INTO search_article_fts(
                search_article_fts, rowid, title, authors, summary, content_text)
            VALUES ('delete', old.id, old.title, old.authors, old.summary, old.content_text);
            INSERT INTO search_title_fts(search_title_fts, rowid, title)
            VALUES ('delete', old.id, old.title);
        END""",
    "search_article_fts_update": """
        CREATE TRIGGER IF NOT EXISTS search_article_fts_update
        AFTER UPDATE OF title, authors, summary, content_text ON articles_article BEGIN
            INSERT INTO search_article_fts(
                search_article_fts, rowid, title, authors, summary, content_text)
            VALUES ('delete', old.id, old.title, old.authors, old.summary, old.content_text);
            INSERT INTO search_article_fts(rowid, title, authors, summary, content_text)
            VALUES (new.id, new.title, new.authors, new.summary, new.content_text);
            INSERT INTO search_title_fts(search_title_fts, rowid, title)
            VALUES ('delete', old.id, old.title);
            INSERT INTO search_title_fts(rowid, title) VALUES (new.id, new.title);
        END""",
}
TRIGGER_NAMES = tuple(_TRIGGERS)
# The public index (search/public.py): triggers on search_publictext keep the FTS table in step;
# triggers on articles_article delete a row computed from values that are no longer there.
_PUBLIC_TRIGGERS = {
    "search_public_fts_insert": """
        CREATE TRIGGER IF NOT EXISTS search_public_fts_insert
        AFTER INSERT ON search_publictext BEGIN
            INSERT INTO search_public_fts(rowid, title, authors, text)
            VALUES (new.article_id, new.title, new.authors, new.text);
        END""",
    "search_public_fts_delete": """
        CREATE TRIGGER IF NOT EXISTS search_public_fts_delete
        AFTER DELETE ON search_publictext BEGIN
            INSERT INTO search_public_fts(search_public_fts, rowid, title, authors, text)
            VALUES ('delete', old.article_id, old.title, old.authors, old.text);
        END""",
    "search_public_fts_update": """
        CREATE TRIGGER IF NOT EXISTS search_public_fts_update
        AFTER UPDATE ON search_publictext BEGIN
            INSERT INTO search_public_fts(search_public_fts, rowid, title, authors, text)
            VALUES ('delete', old.article_id, old.title, old.authors, old.text);
            INSERT INTO search_public_fts(rowid, title, authors, text)
            VALUES (new.article_id, new.title, new.authors, new.text);
        END""",
    "search_public_text_stale": """
        CREATE TRIGGER IF NOT EXISTS search_public_text_stale
        AFTER UPDATE OF title, authors, summary, content_html, lead_image_url,
            lead_image_caption, lead_image_credit ON articles_article
        WHEN old.title IS NOT new.title OR old.authors IS NOT new.authors
            OR old.summary IS NOT new.summary OR old.content_html IS NOT new.content_html
            OR old.lead_image_url IS NOT new.lead_image_url
            OR old.lead_image_caption IS NOT new.lead_image_caption
            OR old.lead_image_credit IS NOT new.lead_image_credit
        BEGIN
            DELETE FROM search_publictext WHERE article_id = old.id;
        END""",
    "search_public_text_delete": """
        CREATE TRIGGER IF NOT EXISTS search_public_text_delete
        AFTER DELETE ON articles_article BEGIN
            DELETE FROM search_publictext WHERE article_id = old.id;
        END""",
}
PUBLIC_TRIGGER_NAMES = tuple(_PUBLIC_TRIGGERS)
PUBLIC_CREATE_STATEMENTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_public_fts USING fts5(
        title, authors, text,
        content='search_publictext', content_rowid='article_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    *_PUBLIC_TRIGGERS.values(),
]
PUBLIC_DROP_STATEMENTS = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _PUBLIC_TRIGGERS),
    "DROP TABLE IF EXISTS search_public_fts",
]
PUBLIC_REBUILD_STATEMENT = "INSERT INTO search_public_fts(search_public_fts) VALUES ('rebuild')"
CREATE_STATEMENTS = [
    # Porter stemming, accents folded (remove_diacritics 2 also folds letters like "ø").
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_article_fts USING fts5(
        title, authors, summary, content_text,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    # Unstemmed, so a prefix typed so far ("electi") still matches "election", which the
    # stemmer would store as "elect".
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_title_fts USING fts5(
        title, content='articles_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    *_TRIGGERS.values(),
]
DROP_STATEMENTS = [
    "DROP TRIGGER IF EXISTS search_article_fts_insert",
    "DROP TRIGGER IF EXISTS search_article_fts_delete",
    "DROP TRIGGER IF EXISTS search_article_fts_update",
    "DROP TABLE IF EXISTS search_title_fts",
    "DROP TABLE IF EXISTS search_article_fts",
]
# 'rebuild' re-reads every article from the content table.
REBUILD_STATEMENTS = [
    "INSERT INTO search_article_fts(search_article_fts) VALUES ('rebuild')",
    "INSERT INTO search_title_fts(search_title_fts) VALUES ('rebuild')",
]
# 'integrity-check' with rank 1 also compares each index with the articles it indexes.
CHECK_STATEMENTS = {
    FTS_TABLE: "INSERT INTO search_article_fts(search_article_fts, rank)"
    " VALUES ('integrity-check', 1)",
    TITLE_TABLE: "INSERT INTO search_title_fts(search_title_fts, rank)"
    " VALUES ('integrity-check', 1)",
    PUBLIC_TABLE: "INSERT INTO search_public_fts(search_public_fts, rank)"
    " VALUES ('integrity-check', 1)",
}


def fts5_quote(text: str) -> str:
    """An FTS5 string: inside double quotes everything is text, a quote is doubled."""
    return '"' + text.replace('"', '""') + '"'


def match_expression(query: ParsedQuery) -> str:
    """`query` as an FTS5 MATCH expression. Every word is quoted, so nothing a reader typed is
    read as FTS5 syntax (NEAR, AND, *, ^, column filters)."""
    parts = [fts5_quote(t) for t in query.terms]
    parts += [fts5_quote(" ".join(p)) for p in query.phrases]
    if query.prefix:
        parts.append(fts5_quote(query.prefix) + "*")
    expression = " AND ".join(parts)
    for words in query.excluded:
        expression = f"({expression}) NOT {fts5_quote(' '.join(words))}"
    return expression


class SqliteSearch(SearchBackend):
    vendor = "sqlite"

    def rank(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        now: datetime,
        window: int | None = None,
        public: bool = False,
    ) -> Ranked:
        if query.is_empty:
            return Ranked([])
        window = rank_window(window)
        if public:
            return self._rank(
                PUBLIC_TABLE, query, filters, now=now, window=window, weights=PUBLIC_BM25_WEIGHTS
            )
        return self._rank(FTS_TABLE, query, filters, now=now, window=window, weights=BM25_WEIGHTS)

    def suggest(self, query: ParsedQuery, *, now: datetime, limit: int) -> list[int]:
        if query.is_empty:
            return []
        ranked = self._rank(TITLE_TABLE, query, SearchFilters(), now=now, window=SUGGEST_WINDOW)
        return ranked.ids[:limit]

    def _rank(
        self,
        table: str,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        now: datetime,
        window: int,
        weights: str = "",
    ) -> Ranked:
        expression = match_expression(query)
        clauses, filter_params = filter_clauses(filters)
        join = "JOIN articles_article a ON a.id = f.rowid" if clauses else ""
        where = "".join(f" AND {c}" for c in clauses)
        bm25_args = f"{table}, {weights}" if weights else table
        # Newest matches first (rowid order is native to FTS5 and stops at the LIMIT), then
        # bm25 (negative: lower is better) times the recency decay over just those.
        # Identifiers come from this module; everything from a reader is a parameter.
        sql = f"""
            WITH candidates AS (
                SELECT f.rowid AS id, -bm25({bm25_args}) AS relevance
                FROM {table} f {join}
                WHERE {table} MATCH %s{where}
                ORDER BY f.rowid DESC
                LIMIT %s
            )
            SELECT w.id FROM candidates w JOIN articles_article a ON a.id = w.id
            ORDER BY w.relevance * POWER(0.5,
                MAX(0.0, julianday(%s) - julianday({ARTICLE_TIME})) / %s) DESC, w.id DESC
        """  # noqa: S608 - see the comment above
        now_param = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            # One candidate more than the window tells whether more match, without counting.
            cursor.execute(
                sql, [expression, *filter_params, window + 1, now_param, half_life_days()]
            )
            ids = [row[0] for row in cursor.fetchall()]
        return within_window(ids, window)

    def rebuild(self) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in REBUILD_STATEMENTS:
                cursor.execute(statement)
            if self._public_installed(cursor):
                cursor.execute(PUBLIC_REBUILD_STATEMENT)
            cursor.execute("SELECT COUNT(*) FROM articles_article")
            indexed: int = cursor.fetchone()[0]
        log.info("search index rebuilt backend=sqlite articles=%d", indexed)
        return indexed

    def check(self) -> list[str]:
        problems: list[str] = []
        with connection.cursor() as cursor:
            missing = self._missing_triggers(cursor)
            if missing:
                problems.append("Missing triggers: " + ", ".join(sorted(missing)) + ".")
            public = self._public_installed(cursor)
            for table, statement in CHECK_STATEMENTS.items():
                if table == PUBLIC_TABLE and not public:
                    continue
                try:
                    cursor.execute(statement)
                except DatabaseError as exc:
                    problems.append(f"{table}: {exc}")
        return problems + (public_text_problems() if public else [])

    def ensure_index(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN (%s, %s)",
                [FTS_TABLE, TITLE_TABLE],
            )
            if cursor.fetchone()[0] < 2:
                return False  # search's migration has not run yet
            missing = self._missing_triggers(cursor)
            if not missing:
                return False
            for name in missing:
                cursor.execute({**_TRIGGERS, **_PUBLIC_TRIGGERS}[name])
        log.warning("search triggers were missing, re-created; rebuilding the index: %s", missing)
        self.rebuild()
        return True

    @staticmethod
    def _public_installed(cursor: CursorWrapper) -> bool:
        """Whether search.0003 (the public index) has run."""
        cursor.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = %s",
            [PUBLIC_TABLE],
        )
        return bool(cursor.fetchone()[0])

    @classmethod
    def _missing_triggers(cls, cursor: CursorWrapper) -> set[str]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        wanted = set(_TRIGGERS)
        if cls._public_installed(cursor):
            wanted |= set(_PUBLIC_TRIGGERS)
        return wanted - present


def install(cursor: CursorWrapper) -> None:
    """Create the indexes and triggers and index the existing articles (the migration)."""
    for statement in [*CREATE_STATEMENTS, *REBUILD_STATEMENTS]:
        cursor.execute(statement)


def uninstall(cursor: CursorWrapper) -> None:
    for statement in DROP_STATEMENTS:
        cursor.execute(statement)


def install_public(cursor: CursorWrapper) -> None:
    """The public index and its triggers (search.0003), filled from search_publictext."""
    for statement in [*PUBLIC_CREATE_STATEMENTS, PUBLIC_REBUILD_STATEMENT]:
        cursor.execute(statement)


def uninstall_public(cursor: CursorWrapper) -> None:
    for statement in PUBLIC_DROP_STATEMENTS:
        cursor.execute(statement)
