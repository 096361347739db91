"""PostgreSQL full text: a tsvector per article in `search_articledocument`, GIN-indexed.

Triggers on articles_article write the row (insert, and an update changing an indexed column) with
`search_article_vector()`, the one definition of what is indexed, and delete it with its
article. Queries are built with django.contrib.postgres.search: a raw
`to_tsquery` written from the parsed query (never from the reader's text), `ts_rank` over the
newest RANK_WINDOW matches, times the recency decay (see backends/__init__.py).

Why the newest matches come from `search_newest_matches()`: each `document` (~4 KB) is stored out
of line (TOAST), and the planner does not cost reading it back. Left alone it walks the primary
key newest first and tests `@@` on every row it passes, reading each row's tsvector: a word in
one article of a hundred reads the 100,000 newest to find 1,000 (0.5 s at 100,000 articles).
The GIN index answers `@@` without reading a tsvector, so the function asks for its bitmap scan
(its own `SET`s, restored when it returns) and sorts the matching ids (docs/benchmarks.md).

Readers without full access search `search_publictext.document` (search/public.py): a trigger
on that table computes the vector from the row Python wrote (`search_public_vector()`, title A,
byline B, text C), and a trigger on articles_article deletes the row when the article goes or
anything it was computed from changes. Those vectors are small (a title and a teaser), stored
in the row, so the planner's own plan is used for them.

Why `to_tsquery` and not `websearch_to_tsquery`: search-as-you-type needs prefix matching
(`'electi':*`), which websearch cannot express, and one translation from `ParsedQuery` keeps the
syntax identical to SQLite's (tests/search run the same queries on both).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import DatabaseError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Power

from newsstand.search.backends import (
    SECONDS_PER_DAY,
    Ranked,
    SearchBackend,
    SearchFilters,
    half_life_days,
    public_text_problems,
    rank_window,
    within_window,
)
from newsstand.search.models import ArticleDocument, PublicText
from newsstand.search.query import ParsedQuery

log = logging.getLogger(__name__)

# Text search configurations of our own: PostgreSQL's english (stemmed, stop words out) and
# simple (unstemmed), each with accents folded by the unaccent extension when the server has it,
# as FTS5's remove_diacritics folds them on SQLite ("cafe" finds "café").
CONFIG = "newsstand_english"
TITLE_CONFIG = "newsstand_simple"
_CONFIG_BASES = ((CONFIG, "english", "english_stem"), (TITLE_CONFIG, "simple", "simple"))
SUGGEST_WINDOW = 200
# ts_rank normalisation 1: divide by 1 + log(document length), so long bodies do not win by size.
RANK_NORMALIZATION = 1
# to_tsvector refuses more than 1 MB of lexemes; 250,000 characters stay under it even in
# 4-byte characters, and no article needs more to be found.
MAX_INDEXED_BODY_CHARS = 250_000

TRIGGERS = ("search_article_document_sync", "search_article_document_delete")
# The ids of the `newest` most recently stored articles matching `query`, from the GIN index (see
# the module docstring). Seq and plain index scans off inside it only: a bitmap scan over GIN is
# then the one way left. ROWS: what the caller's plan should expect (about one window).
NEWEST_MATCHES_SQL = """
    CREATE OR REPLACE FUNCTION search_newest_matches(query tsquery, newest bigint)
    RETURNS SETOF bigint LANGUAGE sql STABLE PARALLEL SAFE ROWS 1000
    SET enable_seqscan = off SET enable_indexscan = off
    AS $$
        SELECT article_id FROM search_articledocument WHERE document @@ query
        ORDER BY article_id DESC LIMIT newest
    $$"""
INSTALL_SQL = [
    NEWEST_MATCHES_SQL,
    f"""
    CREATE OR REPLACE FUNCTION search_article_vector(
        title text, authors jsonb, summary text, body text
    ) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(title, '')), 'A')
            || setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(authors::text, '')), 'B')
            || setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(summary, '')), 'C')
            || setweight(to_tsvector('{CONFIG}'::regconfig,
                                     LEFT(COALESCE(body, ''), {MAX_INDEXED_BODY_CHARS})), 'D')
    $$""",
    f"""
    CREATE OR REPLACE FUNCTION search_article_document_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Compared here, not in the trigger's column list or WHEN: those make PostgreSQL refuse
        -- to alter the columns' types (a migration widening the title would fail).
        IF TG_OP = 'UPDATE'
           AND NEW.title IS NOT DISTINCT FROM OLD.title
           AND NEW.authors IS NOT DISTINCT FROM OLD.authors
           AND NEW.summary IS NOT DISTINCT FROM OLD.summary
           AND NEW.content_text IS NOT DISTINCT FROM OLD.content_text THEN
            RETURN NULL;
        END IF;
        INSERT INTO search_articledocument (article_id, document, title_document)
        VALUES (
            NEW.id,
            search_article_vector(NEW.title, NEW.authors, NEW.summary, NEW.content_text),
            to_tsvector('{TITLE_CONFIG}'::regconfig, COALESCE(NEW.title, ''))
        )
        ON CONFLICT (article_id) DO UPDATE
            SET document = EXCLUDED.document, title_document = EXCLUDED.title_document;
        RETURN NULL;
    END
    $$""",  # noqa: S608 - a module constant in DDL, no input
    """
    CREATE OR REPLACE FUNCTION search_article_document_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_articledocument WHERE article_id = OLD.id;
        RETURN NULL;
    END
    $$""",
    """
    CREATE TRIGGER search_article_document_delete
    AFTER DELETE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION search_article_document_delete()""",
    """
    CREATE TRIGGER search_article_document_sync
    AFTER INSERT OR UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION search_article_document_sync()""",
    "CREATE INDEX search_articledocument_document_gin"
    " ON search_articledocument USING gin (document)",
    "CREATE INDEX search_articledocument_title_gin"
    " ON search_articledocument USING gin (title_document)",
]
UNINSTALL_SQL = [
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG} CASCADE",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {TITLE_CONFIG} CASCADE",
    "DROP TRIGGER IF EXISTS search_article_document_sync ON articles_article",
    "DROP TRIGGER IF EXISTS search_article_document_delete ON articles_article",
    "DROP FUNCTION IF EXISTS search_article_document_sync()",
    "DROP FUNCTION IF EXISTS search_article_document_delete()",
    "DROP FUNCTION IF EXISTS search_article_vector(text, jsonb, text, text)",
    "DROP FUNCTION IF EXISTS search_newest_matches(tsquery, bigint)",
    "DROP INDEX IF EXISTS search_articledocument_document_gin",
    "DROP INDEX IF EXISTS search_articledocument_title_gin",
]
PUBLIC_TRIGGERS = ("search_public_text_vector", "search_public_text_stale")
# The public index (search.0003): the vector of a public text, computed as the row is written,
# and the row deleted with its article or when what it was computed from changes (compared in
# the function, not the trigger's column list: see search_article_document_sync).
PUBLIC_INSTALL_SQL = [
    f"""
    CREATE OR REPLACE FUNCTION search_public_vector(title text, authors text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(title, '')), 'A')
            || setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(authors, '')), 'B')
            || setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(body, '')), 'C')
    $$""",
    """
    CREATE OR REPLACE FUNCTION search_public_text_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.document := search_public_vector(NEW.title, NEW.authors, NEW.text);
        RETURN NEW;
    END
    $$""",
    """
    CREATE OR REPLACE FUNCTION search_public_text_stale() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.title IS NOT DISTINCT FROM OLD.title
           AND NEW.authors IS NOT DISTINCT FROM OLD.authors
           AND NEW.summary IS NOT DISTINCT FROM OLD.summary
           AND NEW.content_html IS NOT DISTINCT FROM OLD.content_html
           AND NEW.lead_image_url IS NOT DISTINCT FROM OLD.lead_image_url
           AND NEW.lead_image_caption IS NOT DISTINCT FROM OLD.lead_image_caption
           AND NEW.lead_image_credit IS NOT DISTINCT FROM OLD.lead_image_credit THEN
            RETURN NULL;
        END IF;
        DELETE FROM search_publictext WHERE article_id = OLD.id;
        RETURN NULL;
    END
    $$""",
    """
    CREATE TRIGGER search_public_text_vector
    BEFORE INSERT OR UPDATE ON search_publictext
    FOR EACH ROW EXECUTE FUNCTION search_public_text_vector()""",
    """
    CREATE TRIGGER search_public_text_stale
    AFTER UPDATE OR DELETE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION search_public_text_stale()""",
    "CREATE INDEX search_publictext_document_gin ON search_publictext USING gin (document)",
    # Rows written before the trigger existed.
    "UPDATE search_publictext SET document = search_public_vector(title, authors, text)",
]
PUBLIC_UNINSTALL_SQL = [
    "DROP TRIGGER IF EXISTS search_public_text_stale ON articles_article",
    "DROP TRIGGER IF EXISTS search_public_text_vector ON search_publictext",
    "DROP FUNCTION IF EXISTS search_public_text_stale()",
    "DROP FUNCTION IF EXISTS search_public_text_vector()",
    "DROP FUNCTION IF EXISTS search_public_vector(text, text, text)",
    "DROP INDEX IF EXISTS search_publictext_document_gin",
]
# Documents whose article went while the triggers were off.
PRUNE_SQL = """
    DELETE FROM search_articledocument d
    WHERE NOT EXISTS (SELECT 1 FROM articles_article a WHERE a.id = d.article_id)
"""
REBUILD_SQL = f"""
    INSERT INTO search_articledocument (article_id, document, title_document)
    SELECT id, search_article_vector(title, authors, summary, content_text),
           to_tsvector('{TITLE_CONFIG}'::regconfig, COALESCE(title, ''))
    FROM articles_article
    ON CONFLICT (article_id) DO UPDATE
        SET document = EXCLUDED.document, title_document = EXCLUDED.title_document
"""  # noqa: S608 - a module constant, no input


def _lexeme(word: str, *, prefix: bool = False) -> str:
    # Words are letters and digits only (query.py), so single quotes cannot be unbalanced.
    return f"'{word}'" + (":*" if prefix else "")


def _phrase(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return _lexeme(words[0])
    return "(" + " <-> ".join(_lexeme(w) for w in words) + ")"


def tsquery_text(query: ParsedQuery) -> str:
    """`query` in to_tsquery syntax: every term, phrase and prefix required, exclusions negated."""
    parts = [_lexeme(t) for t in query.terms]
    parts += [_phrase(p) for p in query.phrases]
    if query.prefix:
        parts.append(_lexeme(query.prefix, prefix=True))
    parts += ["!" + _phrase(p) for p in query.excluded]
    return " & ".join(parts)


def _article_time() -> Coalesce:
    """The article's publication time, else its fetch time (as backends/sql.py's ARTICLE_TIME)."""
    return Coalesce(F("article__published_at"), F("article__fetched_at"))


class AgeDays(Func):
    """Days from the article's time to `now`, never negative (a future date counts as now)."""

    template = f"GREATEST(EXTRACT(EPOCH FROM (%(expressions)s)), 0) / {SECONDS_PER_DAY}"
    output_field = models.FloatField()


def filter_q(filters: SearchFilters) -> Q:
    """`filters` over ArticleDocument, the same rules as backends/sql.py's for SQLite."""
    q = Q()
    if filters.publisher_id:
        q &= Q(article__publisher_id=filters.publisher_id)
    if filters.section:
        q &= Q(article__section__iexact=filters.section)
    if filters.language:
        code = filters.language.lower()
        q &= (
            Q(article__language__iexact=code)
            | Q(article__language__istartswith=code + "-")
            | Q(article__language__istartswith=code + "_")
        )
    if filters.since:
        q &= Q(article_time__gte=filters.since)
    if filters.until:
        q &= Q(article_time__lt=filters.until)
    return q


class PostgresSearch(SearchBackend):
    vendor = "postgresql"

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
        text = tsquery_text(query)
        tsquery = SearchQuery(text, search_type="raw", config=CONFIG)
        if public:
            public_texts = PublicText.objects.all()
            if filters.since or filters.until:
                public_texts = public_texts.alias(article_time=_article_time())
            matches = public_texts.filter(filter_q(filters), document=tsquery)
            newest_public = matches.order_by("-article_id").values("article_id")[: window + 1]
            ids = self._ranked_ids(newest_public, "document", tsquery, now=now, model=PublicText)
            return within_window(ids, window)
        # One candidate more than the window tells whether more match, without counting.
        newest: QuerySet[ArticleDocument, Any] | RawSQL
        if filters.active:
            # The newest matching articles that pass the filters, whatever the newest matches.
            newest = self._newest(
                self._documents(filters).filter(filter_q(filters), document=tsquery), window + 1
            )
        else:
            newest = RawSQL(
                "SELECT search_newest_matches(to_tsquery(%s::regconfig, %s), %s)",
                (CONFIG, text, window + 1),
            )
        ids = self._ranked_ids(newest, "document", tsquery, now=now)
        return within_window(ids, window)

    def suggest(self, query: ParsedQuery, *, now: datetime, limit: int) -> list[int]:
        if query.is_empty:
            return []
        tsquery = SearchQuery(tsquery_text(query), search_type="raw", config=TITLE_CONFIG)
        # Titles are small enough to be stored in the row, so testing them walking the key costs
        # little; no need for search_newest_matches().
        matches = ArticleDocument.objects.filter(title_document=tsquery)
        newest = self._newest(matches, SUGGEST_WINDOW)
        return self._ranked_ids(newest, "title_document", tsquery, now=now)[:limit]

    @staticmethod
    def _documents(filters: SearchFilters) -> QuerySet[ArticleDocument]:
        documents = ArticleDocument.objects.all()
        if filters.since or filters.until:
            # Joins the article only when dates are asked for.
            documents = documents.alias(article_time=_article_time())
        return documents

    @staticmethod
    def _newest(matches: QuerySet[ArticleDocument], window: int) -> QuerySet[ArticleDocument, Any]:
        """The ids of the newest `window` of `matches` (ids grow with storage time)."""
        return matches.order_by("-article_id").values("article_id")[:window]

    @staticmethod
    def _ranked_ids(
        newest: QuerySet[Any, Any] | RawSQL,
        vector: str,
        tsquery: SearchQuery,
        *,
        now: datetime,
        model: type[ArticleDocument] | type[PublicText] = ArticleDocument,
    ) -> list[int]:
        # The candidates scored: ts_rank reads each one's tsvector, so there are never more than
        # a window of them.
        recency = Power(
            Value(0.5),
            AgeDays(Value(now) - _article_time()) / Value(half_life_days()),
        )
        ranked = (
            model.objects.filter(article_id__in=newest)
            .annotate(
                score=SearchRank(F(vector), tsquery, normalization=RANK_NORMALIZATION) * recency
            )
            .order_by("-score", "-article_id")
            .values_list("article_id", flat=True)
        )
        return list(ranked)

    def rebuild(self) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(PRUNE_SQL)
            cursor.execute(REBUILD_SQL)
            indexed = cursor.rowcount
            cursor.execute(PUBLIC_INSTALL_SQL[-1])  # every public vector again
        log.info("search index rebuilt backend=postgresql articles=%d", indexed)
        return indexed

    def check(self) -> list[str]:
        problems: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM articles_article a WHERE NOT EXISTS"
                " (SELECT 1 FROM search_articledocument d WHERE d.article_id = a.id)"
            )
            missing = cursor.fetchone()[0]
            if missing:
                problems.append(f"{missing} article(s) have no search document.")
            cursor.execute(
                "SELECT COUNT(*) FROM search_articledocument d WHERE NOT EXISTS"
                " (SELECT 1 FROM articles_article a WHERE a.id = d.article_id)"
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                problems.append(f"{orphans} search document(s) have no article.")
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname IN"
                " ('search_article_document_sync', 'search_article_document_delete')"
            )
            missing = set(TRIGGERS) - {row[0] for row in cursor.fetchall()}
            if missing:
                problems.append("Missing triggers: " + ", ".join(sorted(missing)) + ".")
            cursor.execute(
                "SELECT COUNT(*) FROM articles_article a JOIN search_articledocument d"
                " ON d.article_id = a.id WHERE d.document IS DISTINCT FROM"
                " search_article_vector(a.title, a.authors, a.summary, a.content_text)"
            )
            stale = cursor.fetchone()[0]
            if stale:
                problems.append(f"{stale} search document(s) differ from their article.")
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname IN"
                " ('search_public_text_vector', 'search_public_text_stale')"
            )
            missing = set(PUBLIC_TRIGGERS) - {row[0] for row in cursor.fetchall()}
            if missing:
                problems.append("Missing triggers: " + ", ".join(sorted(missing)) + ".")
            cursor.execute(
                "SELECT COUNT(*) FROM search_publictext WHERE document IS DISTINCT FROM"
                " search_public_vector(title, authors, text)"
            )
            stale = cursor.fetchone()[0]
            if stale:
                problems.append(f"{stale} public search document(s) differ from their text.")
        return problems + public_text_problems()


def install(cursor: CursorWrapper) -> None:
    """Create the configurations, function, triggers and indexes; index the existing articles."""
    unaccent = _create_unaccent(cursor)
    for name, base, dictionary in _CONFIG_BASES:
        cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        if unaccent:
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {name}"
                f" ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}"
            )
    for statement in INSTALL_SQL:
        cursor.execute(statement)
    cursor.execute(REBUILD_SQL)


def _create_unaccent(cursor: CursorWrapper) -> bool:
    """The unaccent extension (trusted: the database owner may create it), if the server has it.

    Without it (a server lacking postgresql-contrib, or no right to create extensions) search
    still works; accented and plain spellings just do not match each other."""
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    if cursor.fetchone() is None:
        log.warning("search: the unaccent extension is not available; accents are not folded")
        return False
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError as exc:
        log.warning("search: cannot create the unaccent extension (%s); accents not folded", exc)
        return False
    return True


def uninstall(cursor: CursorWrapper) -> None:
    for statement in UNINSTALL_SQL:
        cursor.execute(statement)


def install_public(cursor: CursorWrapper) -> None:
    """The public index's function, triggers and index (search.0003)."""
    for statement in PUBLIC_INSTALL_SQL:
        cursor.execute(statement)


def uninstall_public(cursor: CursorWrapper) -> None:
    for statement in PUBLIC_UNINSTALL_SQL:
        cursor.execute(statement)
