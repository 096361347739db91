"""Topic pages (/topics/<slug>/) and the portable topic index behind them."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from newsstand.articles.actions import index_article_topics, reindex_topics
from newsstand.articles.models import Article, ArticleTopic
from newsstand.articles.topics import topic_links, topic_slug
from newsstand.ingest.actions import store_article
from newsstand.ingest.drafts import ArticleDraft
from tests.reader.factories import make_article, make_feed, make_publisher

pytestmark = pytest.mark.django_db


def test_topic_slugs():
    assert topic_slug("World News") == topic_slug("world news") == "world-news"
    assert topic_slug("Élections 2024") == "élections-2024"
    assert topic_slug("Погода") == "погода"
    assert topic_slug("!!!") == ""
    links = topic_links(["Climate", "climate", "  ", "!!!", 7, "Energy policy"])
    assert [(t.name, t.slug) for t in links] == [
        ("Climate", "climate"),
        ("Energy policy", "energy-policy"),
    ]


def _draft(url: str, topics: list[str]) -> ArticleDraft:
    return ArticleDraft(
        url=url,
        guid=url,
        title="Floods in the valley",
        authors=[],
        section="World",
        topics=topics,
        published=None,
        updated=None,
        lead_image_url="",
        lead_image_caption="",
        lead_image_credit="",
        summary="",
        html="<p>Body</p>",
        text="Body",
        language="en",
        word_count=1,
        content_hash="",
        extraction_error="",
    )


def test_store_article_indexes_its_topics():
    feed = make_feed(make_publisher())
    article, created = store_article(
        feed, _draft("https://pub.example/a", ["Climate", "Floods", "climate"])
    )
    assert created
    assert sorted(article.topic_index.values_list("slug", "name")) == [
        ("climate", "Climate"),
        ("floods", "Floods"),
    ]
    # Storing the same article again writes nothing twice.
    store_article(feed, _draft("https://pub.example/a", ["Climate"]))
    assert ArticleTopic.objects.count() == 2


def test_reindex_rebuilds_from_article_topics():
    pub = make_publisher()
    a = make_article(pub, topics=["Climate"])
    b = make_article(pub, topics=["Energy", "Climate"])
    index_article_topics(a)
    ArticleTopic.objects.create(article=b, slug="stale", name="Stale")
    assert sum(reindex_topics(batch=1)) == 2
    assert sorted(ArticleTopic.objects.values_list("article_id", "slug")) == sorted(
        [(a.pk, "climate"), (b.pk, "energy"), (b.pk, "climate")]
    )


def test_topics_command_reindexes():
    make_article(make_publisher(), topics=["Climate"])
    out = StringIO()
    call_command("topics", "reindex", "--no-progress", stdout=out)
    assert "Reindexed the topics of 1 articles." in out.getvalue()
    assert ArticleTopic.objects.get().slug == "climate"


def test_backfill_migration_fills_the_index():
    make_article(make_publisher(), topics=["Climate", "Energy"])
    make_article(make_publisher(), topics="not a list")
    migration = importlib.import_module("newsstand.articles.migrations.0005_backfill_articletopic")
    migration.backfill(apps, None)
    assert sorted(ArticleTopic.objects.values_list("slug", flat=True)) == ["climate", "energy"]


def test_topic_page_lists_articles_across_publishers(client, django_assert_max_num_queries):
    one, two = make_publisher("One"), make_publisher("Two")
    for pub, topics in (
        (one, ["Climate change"]),
        (two, ["climate change", "Energy"]),
        (two, ["Energy"]),
    ):
        index_article_topics(
            make_article(pub, title=f"{pub.name} {' '.join(topics)}", topics=topics)
        )
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reader:topic", args=["climate-change"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "One Climate change" in html and "Two climate change Energy" in html
    assert "Two Energy<" not in html
    # The first article's spelling names the page.
    assert "<title>Climate change — Newsstand</title>" in html
    assert "Sign in to follow" in html
    assert client.get(reverse("reader:topic", args=["no-such-topic"])).status_code == 404


def test_article_page_links_its_topics(client):
    article = make_article(make_publisher(), topics=["Climate change", "Élections", "!!!"])
    index_article_topics(article)
    html = client.get(reverse("reader:article", args=[article.pk])).content.decode()
    assert '<nav class="article__topics" aria-label="Topics">' in html
    assert f'href="{reverse("reader:topic", args=["climate-change"])}">Climate change</a>' in html
    assert f'href="{reverse("reader:topic", args=["élections"])}">Élections</a>' in html
    assert "!!!" not in html
    assert client.get(reverse("reader:topic", args=["élections"])).status_code == 200


def test_article_without_topics_has_no_topic_list(client):
    article = make_article(make_publisher())
    assert Article.objects.get(pk=article.pk).topics == []
    html = client.get(reverse("reader:article", args=[article.pk])).content.decode()
    assert "article__topics" not in html
