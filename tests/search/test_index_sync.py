"""The index follows the articles table: ingestion, edits, deletes, rebuilds, schema changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, models
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.ingest import actions as ingest
from newsstand.ingest.drafts import ArticleDraft
from newsstand.search import actions
from newsstand.search.backends import SearchFilters, get_backend
from newsstand.search.models import PublicText
from newsstand.search.query import parse_query
from newsstand.sources.models import Feed, Publisher
from tests.httpserver import PublisherWeb
from tests.reader.factories import make_article, make_feed
from tests.search.conftest import gated_html

pytestmark = pytest.mark.django_db


def found(text: str, *, public: bool = False) -> list[int]:
    return (
        get_backend()
        .rank(parse_query(text), SearchFilters(), now=timezone.now(), public=public)
        .ids
    )


def suggested(text: str) -> list[int]:
    return get_backend().suggest(parse_query(text, prefix_last=True), now=timezone.now(), limit=5)


def draft(url: str, title: str, text: str) -> ArticleDraft:
    return ArticleDraft(
        url=url,
        guid=url,
        title=title,
        authors=["Ines Albarran"],
        section="Local",
        topics=[],
        published=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        updated=None,
        lead_image_url="",
        lead_image_caption="",
        lead_image_credit="",
        summary="",
        html=f"<p>{text}</p>",
        text=text,
        language="en",
        word_count=len(text.split()),
        content_hash=url,
        extraction_error="",
    )


def test_store_article_makes_it_searchable_then_edits_and_deletes_follow(
    publisher: Publisher,
) -> None:
    feed = make_feed(publisher)
    article, created = ingest.store_article(
        feed, draft("https://p.example/a", "Lantern festival returns", "The lanterns drifted.")
    )
    assert created
    assert found("lantern") == [article.pk]
    assert found("albarran") == [article.pk]
    assert found("drifted") == [article.pk]
    assert suggested("lant") == [article.pk]

    # An edit through the ORM (as the admin saves).
    article.title = "Kite festival returns"
    article.content_text = "The kites soared."
    article.save()
    assert found("lantern") == []
    assert found("drifted") == []
    assert found("kite") == [article.pk]
    assert found("soared") == [article.pk]
    assert suggested("kit") == [article.pk]

    # A bulk update that never calls save().
    Article.objects.filter(pk=article.pk).update(summary="A gondola parade too.")
    assert found("gondola") == [article.pk]
    # Columns the index does not hold change nothing and cost nothing.
    Article.objects.filter(pk=article.pk).update(section="Culture")
    assert found(
        "kite",
    ) == [article.pk]

    article.delete()
    assert found("kite") == []
    assert suggested("kit") == []
    assert get_backend().check() == []


def test_the_public_index_follows_what_the_gate_shows(publisher: Publisher) -> None:
    paragraphs = [f"Opening paragraph about the lanterns, part {i}." for i in range(2)] + [
        "Much later the organisers admitted the zeppelin never flew." * 3
    ]
    body = draft("https://p.example/p", "Lantern festival returns", " ".join(paragraphs))
    body = replace(body, html="".join(f"<p>{p}</p>" for p in paragraphs))
    article, _ = ingest.store_article(make_feed(publisher), body)
    # Everyone finds the title, the byline and the teaser; only the full index has the rest.
    for words in ("festival", "albarran", "opening lanterns"):
        assert found(words, public=True) == [article.pk], words
    assert found("zeppelin") == [article.pk]
    assert found("zeppelin", public=True) == []

    # An edit through the ORM computes the public text again.
    article.title = "Kite festival returns"
    article.content_html = "<p>Kites soared over the bay.</p><p>" + "More words. " * 20 + "</p>"
    article.save()
    assert found("lantern", public=True) == []
    assert found("kite", public=True) == [article.pk]
    assert found("soared", public=True) == [article.pk]

    # Behind the ORM's back: the stale public text is dropped at once, and computed again by
    # the periodic task.
    Article.objects.filter(pk=article.pk).update(summary="A gondola parade too.")
    assert found("kite", public=True) == []
    assert found("gondola") == [article.pk]
    assert actions.fill_missing_public_texts() == 1
    assert found("gondola", public=True) == [article.pk]
    # Columns the public text is not made from leave it alone.
    Article.objects.filter(pk=article.pk).update(section="Culture", content_text="Other text.")
    assert found("kite", public=True) == [article.pk]

    assert actions.rebuild_index() == 1
    assert found("kite", public=True) == [article.pk]
    article.delete()
    assert found("kite", public=True) == []
    assert not PublicText.objects.exists()
    assert get_backend().check() == []


def test_public_search_takes_the_filters(publisher: Publisher) -> None:
    other = Publisher.objects.create(name="Other Post", slug="other-post")
    mine = make_article(publisher, title="Quarry plan approved")
    theirs = make_article(other, title="Quarry plan rejected")
    ranked = get_backend().rank(
        parse_query("quarry"),
        SearchFilters(publisher_id=other.pk, since=timezone.now() - timedelta(days=1)),
        now=timezone.now(),
        public=True,
    )
    assert ranked.ids == [theirs.pk]
    assert sorted(found("quarry", public=True)) == sorted([mine.pk, theirs.pk])


def test_deleting_a_publisher_cascades_into_the_index(publisher: Publisher) -> None:
    a = make_article(publisher, title="Saltmarsh survey")
    assert found("saltmarsh") == [a.pk]
    publisher.delete()
    assert found("saltmarsh") == []
    assert get_backend().check() == []


def test_raw_sql_writes_are_followed_too(publisher: Publisher) -> None:
    a = make_article(publisher, title="Windmill restored")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET title = %s WHERE id = %s", ["Watermill", a.pk])
    assert found("windmill") == []
    assert found("watermill") == [a.pk]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_article WHERE id = %s", [a.pk])
    assert found("watermill") == []


def test_bulk_create_is_indexed(publisher: Publisher) -> None:
    Article.objects.bulk_create(
        Article(
            publisher=publisher,
            url=f"https://p.example/bulk/{i}",
            title=f"Causeway flooding {i}",
            content_text="Tides rose.",
        )
        for i in range(50)
    )
    assert len(found("causeway")) == 50
    # No post_save: the public texts are missing, and readers without full access do not find
    # the articles, until the periodic task (or `newsstand search check`) computes them.
    assert found("causeway", public=True) == []
    assert any("50 article(s) have no public search text" in p for p in get_backend().check())
    assert actions.fill_missing_public_texts() == 50
    assert len(found("causeway", public=True)) == 50
    assert get_backend().check() == []


def test_rebuild_and_check(publisher: Publisher) -> None:
    for i in range(3):
        make_article(publisher, title=f"Beacon lit {i}")
    assert actions.rebuild_index() == 3
    assert len(found("beacon")) == 3
    assert get_backend().check() == []


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_remakes_the_articles_table_keeps_search_working() -> None:
    """SQLite alters a table by copying it, which drops its triggers; after `migrate`, search
    puts them back (post_migrate) and rebuilds. PostgreSQL alters in place."""
    publisher = Publisher.objects.create(name="Remake Post", slug="remake-post")
    before = make_article(publisher, title="Granite quarry reopens")
    old_field = Article._meta.get_field("title")
    wider = models.CharField(max_length=1200)
    wider.set_attributes_from_name("title")
    wider.model = Article
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Article, old_field, wider)
        repaired = actions.repair_index()
        assert repaired == (connection.vendor == "sqlite")
        after = make_article(publisher, title="Granite museum opens")
        assert sorted(found("granite")) == sorted([before.pk, after.pk])
        assert get_backend().check() == []
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Article, wider, old_field)
        actions.repair_index()
    assert get_backend().check() == []


@pytest.mark.django_db(transaction=True)
def test_post_migrate_repairs_dropped_triggers() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite's table copies drop triggers")
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_article_fts_insert")
    assert any("Missing triggers" in p for p in get_backend().check())
    call_command("migrate", verbosity=0)
    assert get_backend().check() == []


@pytest.mark.e2e
@pytest.mark.usefixtures("allow_private_urls")
def test_a_refreshed_feed_is_searchable(publisher_web: PublisherWeb) -> None:
    page = (
        "<!doctype html><html lang='en'><head><title>Otter census - Local Daily</title>"
        "<meta property='og:title' content='Otter census counts record numbers'>"
        "<meta name='author' content='Ravi Mendes'></head><body><article>"
        "<h1>Otter census counts record numbers</h1>"
        + "".join(
            f"<p>Volunteers walked the riverbanks at dawn, paragraph {i}, counting holts and "
            "tracks along every tributary of the estuary.</p>"
            for i in range(6)
        )
        + "</article></body></html>"
    )
    publisher_web.add("/otters", body=page.encode(), headers={"Content-Type": "text/html"})
    rss = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Local Daily</title>"
        f"<link>{publisher_web.base_url}</link><item><title>Otter census</title>"
        f"<link>{publisher_web.url('/otters')}</link><guid>otters</guid>"
        "<pubDate>Fri, 27 Nov 2026 09:30:00 GMT</pubDate></item></channel></rss>"
    )
    feed_url = publisher_web.add(
        "/rss.xml", body=rss.encode(), headers={"Content-Type": "application/rss+xml"}
    )
    publisher = Publisher.objects.create(name="Local Daily", slug="local-daily")
    feed = Feed.objects.create(publisher=publisher, url=feed_url)
    report = ingest.refresh_feed(feed.pk)
    assert report.new_articles == 1
    [article_id] = report.article_ids
    assert found("otter census") == [article_id]
    assert found("tributary estuary") == [article_id]


@pytest.mark.django_db(transaction=True)
def test_the_public_index_migration_computes_existing_articles() -> None:
    from django.db.migrations.executor import MigrationExecutor

    publisher = Publisher.objects.create(name="Migrated Post", slug="migrated-post")
    article = make_article(
        publisher,
        title="Ferry timetable",
        summary="",
        content_html="<p>Boats leave hourly.</p><p>" + "Later words here. " * 30 + "Zeppelin.</p>",
    )
    before = [("search", "0002_newest_matches_function")]
    after = [("search", "0003_public_text")]
    try:
        MigrationExecutor(connection).migrate(before)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        assert found("boats", public=True) == [article.pk]
        assert found("zeppelin", public=True) == []
        assert get_backend().check() == []
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)


@pytest.mark.django_db(transaction=True)
def test_public_texts_of_short_articles_are_computed_again_after_the_migration() -> None:
    """search.0004: a text stored under the old rule (the summary matched up to 60 words, even
    past half a short article) is dropped, and the repair after migrating computes it anew."""
    from django.db.migrations.executor import MigrationExecutor

    publisher = Publisher.objects.create(name="Short Post", slug="short-post")
    words = [f"{w}{i}" for i, w in enumerate(["harbour", "survey", "pier", "tide"] * 12)][:47]
    whole = " ".join(words)
    short = make_article(
        publisher, title="Harbour works", summary=whole, content_html=f"<p>{whole}</p>",
        word_count=len(words),
    )  # fmt: skip
    long = make_article(publisher, title="Ferry timetable", content_html=gated_html())
    tail = f'"{" ".join(words[40:44])}"'
    before = [("search", "0003_public_text")]
    after = [("search", "0004_recompute_short_public_texts")]
    try:
        MigrationExecutor(connection).migrate(before)
        # As the old rule stored it: the whole summary.
        PublicText.objects.filter(article_id=short.pk).update(text=whole)
        assert found(tail, public=True) == [short.pk]
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        assert set(PublicText.objects.values_list("article_id", flat=True)) == {long.pk}
        actions.repair_index()  # what post_migrate runs
        assert found(tail, public=True) == []
        assert found(f'"{" ".join(words[2:6])}"', public=True) == [short.pk]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)


def test_the_periodic_task_computes_missing_public_texts(publisher: Publisher) -> None:
    from huey.contrib.djhuey import HUEY

    from newsstand.search import tasks

    assert "fill_public_texts_tick" in {t.__name__ for t in HUEY._registry._periodic_tasks}
    a = make_article(publisher, title="Orchard harvest")
    PublicText.objects.filter(pk=a.pk).delete()
    assert found("orchard", public=True) == []
    tasks.fill_public_texts_tick.call_local()
    assert found("orchard", public=True) == [a.pk]
