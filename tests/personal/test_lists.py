"""List pages: HTMX paging fragments, Save buttons on cards, muted publishers left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from newsstand.articles.models import ArticleTopic
from newsstand.personal import actions
from newsstand.personal.targets import resolve_target
from newsstand.reader.views import HOME_LATEST_PER_PAGE
from newsstand.web.listing import ARTICLES_PER_PAGE
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
HX = {"HTTP_HX_REQUEST": "true"}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def many():
    pub = make_publisher("The Guardian")
    for i in range(ARTICLES_PER_PAGE + 5):
        make_article(
            pub,
            title=f"Story {i:02d}",
            section="World",
            topics=["Climate"],
            published_at=BASE_TIME + timedelta(minutes=i),
        )
    for article in pub.articles.all():
        ArticleTopic.objects.create(article=article, slug="climate", name="Climate")
    return pub


def _list_urls(pub) -> dict[str, str]:
    return {
        "home": reverse("reader:home"),
        "section": reverse("reader:section", args=["World"]),
        "publisher": reverse("reader:publisher", args=[pub.slug]),
        "topic": reverse("reader:topic", args=["climate"]),
    }


def test_pager_links_work_without_javascript_and_carry_htmx(client, many):
    for name, url in _list_urls(many).items():
        html = client.get(url).content.decode()
        pager = 'rel="next" href="?page=2" hx-get="?page=2" hx-target="closest .pager"'
        assert f'{pager} hx-swap="outerHTML"' in html, name
        assert '<script src="/static/reader/vendor/htmx.min.js" defer></script>' in html


def test_htmx_page_request_answers_the_next_cards_and_pager_only(client, many):
    # The home pages its Latest by HOME_LATEST_PER_PAGE (a phone's screenful): checked below.
    for name, url in _list_urls(many).items():
        if name == "home":
            continue
        response = client.get(url, {"page": 2}, **HX)
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "HX-Request" in response["Vary"], name
        assert html.lstrip().startswith('<ol class="cards"'), name
        assert 'start="31" data-appended="new"' in html
        assert "<html" not in html and "Top stories" not in html
        assert _titles(html) == [f"Story {i:02d}" for i in range(4, -1, -1)]
        # No "Newer" in an appended pager: the newer cards are already above it.
        assert 'rel="prev"' not in html
        # History shows its total (its Clear asks about "N in all"); other lists are not counted.
        expected = "Page 2 of 2" if name == "history" else "Page 2"
        assert f'pager__status">{expected}</span>' in html, name
        assert 'rel="next"' not in html, name


def test_plain_page_request_varies_on_hx_request_too(client, many):
    response = client.get(reverse("reader:home"), {"page": 2})
    assert "HX-Request" in response["Vary"]
    assert "<html" in response.content.decode()
    assert 'rel="prev" href="?page=1"' in response.content.decode()


def test_htmx_history_restore_gets_the_whole_page(client, many):
    response = client.get(
        reverse("reader:home"), {"page": 2}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX
    )
    assert "<html" in response.content.decode()


def test_section_pager_keeps_the_publisher_filter(client, many):
    url = reverse("reader:section", args=["World"])
    html = client.get(url, {"publisher": many.slug}).content.decode()
    assert f'hx-get="?publisher={many.slug}&amp;page=2"' in html
    fragment = client.get(url, {"publisher": many.slug, "page": 2}, **HX).content.decode()
    assert 'pager__status">Page 2</span>' in fragment


def test_cards_carry_save_buttons_for_signed_in_readers_only(client, reader, many):
    saved = many.articles.get(title="Story 34")
    actions.save_article(reader, saved.pk)
    anonymous = client.get(reverse("reader:home")).content.decode()
    assert "save-control" not in anonymous
    client.force_login(reader)
    html = client.get(reverse("reader:home")).content.decode()
    assert html.count('class="save-control"') == HOME_LATEST_PER_PAGE
    assert html.count('aria-pressed="true"') == 1
    assert f'id="save-{saved.pk}"' in html


def test_signed_in_list_pages_stay_within_ten_queries(
    reader_client, reader, many, django_assert_max_num_queries
):
    actions.mute(reader, resolve_target("publisher", str(make_publisher("Muted").pk)))
    actions.follow(reader, resolve_target("publisher", str(many.pk)))
    for name, url in _list_urls(many).items():
        with django_assert_max_num_queries(10):
            response = reader_client.get(url)
        assert response.status_code == 200, name
        with django_assert_max_num_queries(10):
            reader_client.get(url, {"page": 2}, **HX)


def test_muted_publishers_leave_home_section_and_topic_lists(client, reader):
    loud, calm = make_publisher("Loud Times"), make_publisher("Calm Post")
    for pub in (loud, calm):
        article = make_article(pub, title=f"{pub.name} on climate", section="World")
        ArticleTopic.objects.create(article=article, slug="climate", name="Climate")
    client.force_login(reader)
    actions.mute(reader, resolve_target("publisher", str(loud.pk)))
    for url in (
        reverse("reader:home"),
        reverse("reader:section", args=["World"]),
        reverse("reader:topic", args=["climate"]),
    ):
        titles = _titles(client.get(url).content.decode())
        assert titles == ["Calm Post on climate"], url
    # Asked for by name, the muted publisher's page and its sections still list it.
    assert _titles(client.get(reverse("reader:publisher", args=[loud.slug])).content.decode()) == [
        "Loud Times on climate"
    ]
    section_of_loud = client.get(
        reverse("reader:section", args=["World"]), {"publisher": loud.slug}
    )
    assert _titles(section_of_loud.content.decode()) == ["Loud Times on climate"]
    # Other readers and visitors see everything.
    client.logout()
    assert len(_titles(client.get(reverse("reader:home")).content.decode())) == 2


def test_a_section_all_muted_is_an_empty_page_not_a_404(reader_client, reader):
    loud = make_publisher("Loud Times")
    make_article(loud, section="Opinion")
    actions.mute(reader, resolve_target("publisher", str(loud.pk)))
    response = reader_client.get(reverse("reader:section", args=["opinion"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "from a publisher you muted" in html
    assert '<h1 class="page-title">Opinion</h1>' in html
    assert reader_client.get(reverse("reader:section", args=["Nowhere"])).status_code == 404


def test_home_htmx_page_request_appends_the_next_latest(client, many):
    response = client.get(reverse("reader:home"), {"page": 2}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<ol class="cards"')
    assert f'start="{HOME_LATEST_PER_PAGE + 1}" data-appended="new"' in html
    newest = ARTICLES_PER_PAGE + 4  # "Story 34": the first page shows 34 down to 23
    assert _titles(html) == [
        f"Story {i:02d}"
        for i in range(newest - HOME_LATEST_PER_PAGE, newest - 2 * HOME_LATEST_PER_PAGE, -1)
    ]
    assert 'rel="prev"' not in html and 'rel="next"' in html
