"""The configured backend (SQLite FTS5 or PostgreSQL, whichever this run uses) on real rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from newsstand.articles.models import Article
from newsstand.search.backends import Ranked, SearchFilters, get_backend
from newsstand.search.query import parse_query
from newsstand.sources.models import Publisher
from tests.reader.factories import make_article, make_publisher
from tests.search.test_query import HOSTILE

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def rank(text: str, filters: SearchFilters | None = None, **kwargs: object) -> Ranked:
    return get_backend().rank(
        parse_query(text),
        filters or SearchFilters(),
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def article(
    publisher: Publisher, title: str, *, days_old: float = 0.1, **kwargs: object
) -> Article:
    return make_article(
        publisher, title=title, published_at=NOW - timedelta(days=days_old), **kwargs
    )


def test_settings_chose_the_backend_of_this_database() -> None:
    assert get_backend().vendor == connection.vendor
    assert settings.NEWSSTAND_SEARCH_BACKEND.endswith(
        {"sqlite": "SqliteSearch", "postgresql": "PostgresSearch"}[connection.vendor]
    )


def test_finds_words_in_title_byline_summary_and_body(publisher: Publisher) -> None:
    in_title = article(publisher, "Lighthouse keeper retires")
    in_byline = article(publisher, "Budget day", authors=["Marisol Quenby"])
    in_summary = article(publisher, "Ferry news", summary="The ferry timetable changes soon.")
    in_body = article(
        publisher, "Council meets", content_text="Members discussed the aqueduct at length."
    )
    assert rank("lighthouse").ids == [in_title.pk]
    assert rank("quenby").ids == [in_byline.pk]
    assert rank("timetable").ids == [in_summary.pk]
    assert rank("aqueduct").ids == [in_body.pk]
    assert rank("nothingmatchesthis").ids == []


def test_stemming_finds_other_forms(publisher: Publisher) -> None:
    a = article(publisher, "Elections called in the province")
    assert rank("election").ids == [a.pk]
    assert rank("ELECTED").ids == [a.pk]


def test_every_word_must_match_and_phrases_keep_order(publisher: Publisher) -> None:
    both = article(publisher, "Harbour bridge reopens")
    one = article(publisher, "Bridge club results")
    reversed_ = article(publisher, "Bridge over the harbour")
    assert set(rank("harbour bridge").ids) == {both.pk, reversed_.pk}
    assert rank('"harbour bridge"').ids == [both.pk]
    assert set(rank("bridge -harbour").ids) == {one.pk}


def test_title_match_outranks_body_match_of_the_same_age(publisher: Publisher) -> None:
    body = article(publisher, "Weekly roundup", content_text="Also: the granary fire.")
    title = article(publisher, "Granary fire destroys barn", content_text="Firefighters came.")
    assert rank("granary").ids == [title.pk, body.pk]


def test_recency_halves_the_score_every_half_life(publisher: Publisher, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NEWSSTAND_SEARCH_HALF_LIFE_DAYS = 7.0
    old = article(publisher, "Orchard harvest begins", days_old=70)
    new = article(publisher, "Orchard harvest begins", days_old=1)
    assert rank("orchard").ids == [new.pk, old.pk]
    # Ten half-lives is a factor of 1,024: a much better match still loses to a recent one.
    old_strong = article(
        publisher,
        "Orchard orchard orchard",
        days_old=70,
        summary="Orchard news.",
        content_text="orchard " * 30,
    )
    weak_new = article(publisher, "Village notes", days_old=1, content_text="the orchard")
    ranked = rank("orchard").ids
    assert ranked.index(weak_new.pk) < ranked.index(old_strong.pk)
    # With a long half-life, relevance decides.
    settings.NEWSSTAND_SEARCH_HALF_LIFE_DAYS = 10_000.0
    ranked = rank("orchard").ids
    assert ranked.index(old_strong.pk) < ranked.index(weak_new.pk)


def test_filters(publisher: Publisher) -> None:
    other = make_publisher("Valley Times")
    a = article(publisher, "Quarry plan", section="Local", language="en-GB", days_old=3)
    b = article(other, "Quarry plan", section="Business", language="de", days_old=20)
    c = article(other, "Quarry plan", section="local", language="en_US", days_old=40)
    assert set(rank("quarry").ids) == {a.pk, b.pk, c.pk}
    assert set(rank("quarry", SearchFilters(publisher_id=other.pk)).ids) == {b.pk, c.pk}
    assert set(rank("quarry", SearchFilters(section="LOCAL")).ids) == {a.pk, c.pk}
    assert set(rank("quarry", SearchFilters(language="en")).ids) == {a.pk, c.pk}
    assert rank("quarry", SearchFilters(language="de")).ids == [b.pk]
    assert rank("quarry", SearchFilters(since=NOW - timedelta(days=10))).ids == [a.pk]
    assert rank("quarry", SearchFilters(until=NOW - timedelta(days=30))).ids == [c.pk]
    assert rank(
        "quarry",
        SearchFilters(since=NOW - timedelta(days=30), until=NOW - timedelta(days=10)),
    ).ids == [b.pk]
    assert rank("quarry", SearchFilters(publisher_id=publisher.pk, language="de")).ids == []


def test_undated_articles_use_their_fetch_time(publisher: Publisher) -> None:
    undated = make_article(publisher, title="Kiln fire", published_at=None)
    Article.objects.filter(pk=undated.pk).update(
        published_at=None, fetched_at=NOW - timedelta(days=2)
    )
    assert rank("kiln").ids == [undated.pk]
    assert rank("kiln", SearchFilters(since=NOW - timedelta(days=3))).ids == [undated.pk]
    assert rank("kiln", SearchFilters(since=NOW - timedelta(days=1))).ids == []


def test_window_ranks_the_newest_matches_and_says_more_match(publisher: Publisher) -> None:
    articles = [article(publisher, f"Turbine report {i}", days_old=i) for i in range(7)]
    assert not rank("turbine").more
    assert not rank("turbine", window=7).more
    ranked = rank("turbine", window=3)
    assert ranked.more
    # The three most recently stored (highest ids), then best (here: most recent) first.
    assert ranked.ids == [articles[4].pk, articles[5].pk, articles[6].pk]
    filtered = rank("turbine", SearchFilters(since=NOW - timedelta(days=3.5)), window=2)
    assert filtered.more
    assert filtered.ids == [articles[2].pk, articles[3].pk]
    assert not rank("turbine", SearchFilters(since=NOW - timedelta(days=3.5)), window=4).more


def test_suggestions_match_title_prefixes_newest_first(publisher: Publisher) -> None:
    older = article(publisher, "Electricity prices rise", days_old=5)
    newer = article(publisher, "Election night live", days_old=1)
    body_only = article(publisher, "Other", content_text="Election talk")
    backend = get_backend()
    ids = backend.suggest(parse_query("electi", prefix_last=True), now=NOW, limit=5)
    assert ids == [newer.pk]
    ids = backend.suggest(parse_query("elect", prefix_last=True), now=NOW, limit=5)
    assert ids == [newer.pk, older.pk]
    assert body_only.pk not in ids
    ids = backend.suggest(parse_query("night elec", prefix_last=True), now=NOW, limit=5)
    assert ids == [newer.pk]
    assert backend.suggest(parse_query("elect", prefix_last=True), now=NOW, limit=1) == [newer.pk]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(publisher: Publisher, text: str) -> None:
    article(publisher, "Straße café naïve 東京 選挙 AND OR NEAR title")
    backend = get_backend()
    for prefix_last in (False, True):
        q = parse_query(text, prefix_last=prefix_last)
        backend.rank(q, SearchFilters(), now=NOW)
        backend.suggest(q, now=NOW, limit=5)


def test_accents_and_scripts_match(publisher: Publisher) -> None:
    a = article(publisher, "Straße café naïve 東京 選挙")
    assert rank("cafe").ids == [a.pk]
    assert rank("NAÏVE").ids == [a.pk]
    assert rank("東京").ids == [a.pk]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_any_text_is_a_valid_query_on_the_database(publisher: Publisher, text: str) -> None:
    backend = get_backend()
    for prefix_last in (False, True):
        q = parse_query(text, prefix_last=prefix_last)
        backend.rank(q, SearchFilters(), now=NOW)
        backend.suggest(q, now=NOW, limit=3)


def test_future_dates_count_as_now(publisher: Publisher) -> None:
    future = make_article(publisher, title="Regatta", published_at=NOW + timedelta(days=3))
    past = article(publisher, "Regatta", days_old=0.5)
    assert set(rank("regatta").ids) == {future.pk, past.pk}


def test_dates_at_the_edges_of_a_day(publisher: Publisher) -> None:
    midnight = timezone.make_aware(datetime(2025, 3, 1))
    at = make_article(publisher, title="Tide tables", published_at=midnight)
    assert rank("tide", SearchFilters(since=midnight)).ids == [at.pk]
    assert rank("tide", SearchFilters(until=midnight)).ids == []


def test_postgres_finds_the_newest_matches_in_the_gin_index(publisher: Publisher) -> None:
    """Not by testing `@@` on each row walking the key: every row's tsvector would be read back
    from TOAST (0.5 s for a rare word at 100,000 articles, docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    for i in range(3):
        article(publisher, f"Lighthouse keeper {i}")
    plans: list[str] = []
    connection.ensure_connection()
    pg = connection.connection
    pg.add_notice_handler(lambda diagnostic: plans.append(diagnostic.message_primary or ""))
    with connection.cursor() as cursor:
        # auto_explain shows the plan of the query inside the function, as its own SETs make it.
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 0")
        cursor.execute("SET auto_explain.log_nested_statements = on")
        cursor.execute("SET auto_explain.log_level = notice")
    try:
        assert len(rank("lighthouse").ids) == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")
    inner = [plan for plan in plans if "search_newest_matches" not in plan and "@@" in plan]
    assert inner, plans
    assert "Bitmap Index Scan on search_articledocument_document_gin" in inner[0], inner[0]
