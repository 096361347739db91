"""The followed-publishers condition (sync.lookups): one answer, written per database."""

from __future__ import annotations

import pytest
from django.db import connection

from newsstand.articles.models import Article
from newsstand.personal.models import Follow
from newsstand.sync.feeds import reader_feeds
from tests.gate.factories import make_gated_article
from tests.reader.factories import make_publisher
from tests.sync.factories import make_world

pytestmark = pytest.mark.django_db


def test_followed_publishers_are_the_same_as_a_list_or_as_a_subquery():
    world = make_world()
    muted = make_publisher("Muted Post")
    make_gated_article(muted, title="Muted")
    Follow.objects.create(
        user=world.user, kind=Follow.Kind.PUBLISHER, key=str(muted.pk), muted=True
    )
    # A key that names no publisher is skipped by reader_feeds, and so by the subquery.
    Follow.objects.create(user=world.user, kind=Follow.Kind.PUBLISHER, key="not-a-number")
    feeds = reader_feeds(world.user)
    qs = Article.objects.filter(feeds.publishers_q())
    sql, params = qs.query.sql_with_params()
    if connection.vendor == "postgresql":
        # One parameter for the reader, not one per publisher.
        assert "personal_follow" in sql and world.user.pk in params
        assert not set(feeds.publisher_ids) <= set(params)
    else:
        assert "personal_follow" not in sql and set(feeds.publisher_ids) <= set(params)
    got = set(qs.values_list("pk", flat=True))
    assert got == {a.pk for a in [*world.articles, world.old]}
    # A reader who follows no publisher has no publisher articles.
    Follow.objects.filter(user=world.user).delete()
    assert not Article.objects.filter(reader_feeds(world.user).publishers_q()).exists()


def test_links_from_a_template_are_what_reverse_gives_under_any_script_prefix():
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    from newsstand.sync.links import article_links, feed_url

    world = make_world()
    article, publisher = world.articles[0], world.followed[0]
    try:
        for prefix in ("/", "/news/"):
            set_script_prefix(prefix)
            article_link = article_links()
            assert article_link(article).endswith(reverse("reader:article", args=[article.pk]))
            assert feed_url(publisher).endswith(
                reverse("feeds:publisher_rss", args=[publisher.slug])
            )
            assert (prefix + "articles/") in article_link(article) or prefix == "/"
    finally:
        clear_script_prefix()
