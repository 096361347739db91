from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.sources.models import Feed
from newsstand.stories.models import Story
from tests.reader.factories import make_article, make_feed, make_publisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    pub = make_publisher("Reuters")
    healthy = make_feed(pub)
    broken = make_feed(
        pub, error_count=3, last_error="HTTP 503 from upstream " + "x" * 300, is_active=True
    )
    story = Story.objects.create(headline="Blinken in Central Asia")
    article = make_article(pub, title="Blinken holds talks", feed=healthy, story=story)
    return {"pub": pub, "healthy": healthy, "broken": broken, "story": story, "article": article}


@pytest.mark.parametrize(
    "model",
    ["sources_publisher", "sources_feed", "articles_article", "stories_story"],
)
def test_changelists_render(admin_client, data, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("sources_publisher", "pub"),
        ("sources_feed", "broken"),
        ("articles_article", "article"),
        ("stories_story", "story"),
    ],
)
def test_change_forms_render(admin_client, data, model, key):
    response = admin_client.get(reverse(f"admin:{model}_change", args=[data[key].pk]))
    assert response.status_code == 200


def test_publisher_list_shows_feed_count_without_n_plus_one(
    admin_client, data, django_assert_max_num_queries
):
    for i in range(10):
        make_feed(make_publisher(f"Pub {i}"))
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:sources_publisher_changelist"))
    html = response.content.decode()
    assert '<td class="field-feed_count">2</td>' in html


def test_feed_list_filters_by_errors_and_shortens_last_error(admin_client, data):
    url = reverse("admin:sources_feed_changelist")
    html = admin_client.get(url, {"has_errors": "yes"}).content.decode()
    assert data["broken"].url in html
    assert data["healthy"].url not in html
    assert "x" * 200 not in html
    html = admin_client.get(url, {"has_errors": "no"}).content.decode()
    assert data["healthy"].url in html
    assert data["broken"].url not in html


def test_article_search_and_publisher_filter(admin_client, data):
    other = make_article(make_publisher("BBC"), title="Something else")
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url, {"q": "Blinken"}).content.decode()
    assert "Blinken holds talks" in html and "Something else" not in html
    html = admin_client.get(url, {"publisher__id__exact": other.publisher_id}).content.decode()
    assert "Something else" in html and "Blinken holds talks" not in html


def test_check_now_action(admin_client, data):
    later = timezone.now() + timedelta(hours=6)
    Feed.objects.update(next_check_at=later)
    before = timezone.now()
    response = admin_client.post(
        reverse("admin:sources_feed_changelist"),
        {"action": "check_now", "_selected_action": [data["broken"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 feed(s) will be checked" in response.content.decode()
    data["broken"].refresh_from_db()
    data["healthy"].refresh_from_db()
    assert before <= data["broken"].next_check_at <= timezone.now()
    assert data["healthy"].next_check_at == later
