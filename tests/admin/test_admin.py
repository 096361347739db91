from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.sources.models import Feed, Publisher
from newsstand.stories.models import Story
from tests.reader.factories import make_article, make_feed, make_publisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    pub = make_publisher("Reuters")
    healthy = make_feed(pub)
    broken = make_feed(
        pub,
        url="https://broken.example/rss.xml",
        error_count=3,
        last_error="HTTP 503 from upstream " + "x" * 300,
        is_active=True,
    )
    story = Story.objects.create(headline="Blinken in Central Asia")
    article = make_article(pub, title="Blinken holds talks", feed=healthy, story=story)
    # A second publisher with an article: the article list's publisher filter shows from two.
    make_article(make_publisher("AP"), title="Markets close higher")
    return {"pub": pub, "healthy": healthy, "broken": broken, "story": story, "article": article}


# model, seeded object, how the list shows it, a search that finds it, the list's filters
CHANGELISTS = [
    (
        "sources_publisher",
        "pub",
        "Reuters",
        "Reuters",
        ["is active", "name source", "language", "country"],
    ),
    (
        "sources_feed",
        "broken",
        "https://broken.example/rss.xml",
        "broken",
        ["is active", "has errors"],
    ),
    ("articles_article", "article", "Blinken holds talks", "holds talks", ["publisher", "section"]),
    ("stories_story", "story", "Blinken in Central Asia", "Central Asia", []),
]


@pytest.mark.parametrize(("model", "key", "shown", "query", "filters"), CHANGELISTS)
def test_changelists_list_search_and_filter(admin_client, data, model, key, shown, query, filters):
    url = reverse(f"admin:{model}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert data[key] in cl.result_list
    assert shown in response.content.decode()
    assert [str(spec.title) for spec in cl.filter_specs] == filters

    found = admin_client.get(url, {"q": query}).context["cl"]
    assert data[key] in found.result_list
    missed = admin_client.get(url, {"q": "no-such-thing-anywhere"})
    assert list(missed.context["cl"].result_list) == []
    assert shown not in missed.content.decode().split('id="changelist-form"', 1)[1]


def _form_values(response) -> dict[str, list[str]]:
    """What a browser would submit from the admin's change form, unchanged."""
    page = lxml.html.fromstring(response.content)
    (form,) = [f for f in page.forms if f.get("id", "").endswith("_form")]
    values: dict[str, list[str]] = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


# model, object, field, its value now, the new value
CHANGES = [
    ("sources_publisher", "pub", "name", "Reuters", "Reuters News Agency"),
    ("sources_feed", "broken", "section", "World", "Europe"),
    ("articles_article", "article", "title", "Blinken holds talks", "Blinken ends his tour"),
    ("stories_story", "story", "headline", "Blinken in Central Asia", "Blinken tours the region"),
]


@pytest.mark.parametrize(("model", "key", "field", "before", "after"), CHANGES)
def test_change_forms_show_the_object_and_save_an_edit(
    admin_client, data, model, key, field, before, after
):
    url = reverse(f"admin:{model}_change", args=[data[key].pk])
    values = _form_values(admin_client.get(url))
    assert values[field] == [before]
    values[field] = [after]
    response = admin_client.post(url, values)
    errors = response.context and response.context["adminform"].form.errors
    assert response.status_code == 302, errors
    assert response["Location"] == reverse(f"admin:{model}_changelist")
    data[key].refresh_from_db()
    assert getattr(data[key], field) == after


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


def test_a_name_typed_in_the_admin_is_staffs(admin_client, data):
    pub = data["pub"]
    Publisher.objects.filter(pk=pub.pk).update(name_source="host")
    url = reverse("admin:sources_publisher_change", args=[pub.pk])
    form = admin_client.get(url).context["adminform"].form
    fields = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    fields.update(
        {
            "name": "Reuters News",
            "topics": "[]",
            "created_at_0": pub.created_at.strftime("%Y-%m-%d"),
            "created_at_1": pub.created_at.strftime("%H:%M:%S"),
            "feeds-TOTAL_FORMS": "0",
            "feeds-INITIAL_FORMS": "0",
        }
    )
    response = admin_client.post(url, fields)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    pub.refresh_from_db()
    assert (pub.name, pub.name_source) == ("Reuters News", "staff")
