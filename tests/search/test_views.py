"""The search page and the suggestions fragment, through Django's test client."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.search.searching import RESULTS_PER_PAGE
from newsstand.sources.models import Publisher
from tests.reader.factories import make_article, make_publisher
from tests.search.conftest import MARKER, gated_body
from tests.search.test_query import HOSTILE

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def search_url(**params: object) -> str:
    return reverse("search:search") + "?" + urlencode(params)


def test_urls() -> None:
    assert reverse("search:search") == "/search"
    assert reverse("search:suggest") == "/search/suggest"


def test_empty_page_is_a_form(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/search")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert '<label class="search-form__label" for="id_q">' in html
    assert "noindex" in html
    # The slash form answers too.
    assert client.get("/search/?q=x").status_code == 200


def test_results_link_to_articles_with_marks(client: Client, publisher: Publisher) -> None:
    a = make_article(publisher, title="Lighthouse keeper retires", summary="After 40 years.")
    make_article(publisher, title="Unrelated story")
    response = client.get(search_url(q="lighthouse"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("reader:article", args=[a.pk])}"' in html
    assert "<mark>Lighthouse</mark> keeper retires" in html
    assert "1 article for “lighthouse”" in html
    assert "Unrelated story" not in html


def test_no_results_says_so(client: Client, publisher: Publisher) -> None:
    make_article(publisher, title="Lighthouse keeper retires")
    html = client.get(search_url(q="zzzyxw")).content.decode()
    assert "No articles for “zzzyxw”" in html
    assert "Nothing matches every word" in html


def test_query_count_for_anonymous_and_member(  # type: ignore[no-untyped-def]
    client: Client, publisher: Publisher, member: User, django_assert_max_num_queries
) -> None:
    other = make_publisher("Valley Times")
    for i in range(RESULTS_PER_PAGE * 2 + 3):
        make_article(
            (publisher, other)[i % 2],
            title=f"Harbour works update {i}",
            content_text=gated_body(),
            section="Local",
        )
    params = {"q": "harbour", "section": "Local", "language": "", "since": "2000-01-01"}
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(search_url(**params, page=2))
    assert response.status_code == 200
    assert "Page 2 of 3" in response.content.decode()
    client.force_login(member)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(search_url(**params))
    assert response.status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("search:suggest") + "?q=harb").status_code == 200


def test_pages_keep_the_filters(client: Client, publisher: Publisher) -> None:
    for i in range(RESULTS_PER_PAGE + 1):
        make_article(publisher, title=f"Ferry timetable {i}", section="Transport")
    html = client.get(
        search_url(q="ferry", section="Transport", publisher=publisher.slug)
    ).content.decode()
    assert f"q=ferry&amp;section=Transport&amp;publisher={publisher.slug}&amp;page=2" in html
    page2 = client.get(
        search_url(q="ferry", section="Transport", publisher=publisher.slug, page=2)
    ).content.decode()
    assert page2.count('class="card search-result"') == 1
    # A page past the end shows the last page, as the reader's lists do.
    assert client.get(search_url(q="ferry", page=99)).status_code == 200
    assert client.get(search_url(q="ferry", page="x")).status_code == 200


def test_filters_narrow_the_results(client: Client, publisher: Publisher) -> None:
    other = make_publisher("Valley Times")
    now = timezone.now()
    mine = make_article(publisher, title="Quarry plan approved", language="en")
    theirs = make_article(
        other, title="Quarry plan rejected", language="de", published_at=now - timedelta(days=40)
    )
    html = client.get(search_url(q="quarry", publisher=other.slug)).content.decode()
    assert "rejected" in html and "approved" not in html
    html = client.get(search_url(q="quarry", language="en")).content.decode()
    assert "approved" in html and "rejected" not in html
    until = (now - timedelta(days=30)).date().isoformat()
    html = client.get(search_url(q="quarry", until=until)).content.decode()
    assert "rejected" in html and "approved" not in html
    # The filters are offered: publishers by name, languages by name.
    assert f'<option value="{other.slug}">Valley Times</option>' in html
    assert '<option value="de">German</option>' in html
    assert mine.pk != theirs.pk


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"publisher": "no-such-paper"}, "There is no publisher “no-such-paper”."),
        ({"since": "yesterday"}, "Enter the start date as YYYY-MM-DD"),
        ({"until": "2025-02-30"}, "Enter the end date as YYYY-MM-DD"),
        ({"since": "0001-01-01"}, "Enter a start date between 1900 and 2999."),
        ({"until": "9999-12-31"}, "Enter a end date between 1900 and 2999."),
        ({"since": "2025-03-02", "until": "2025-03-01"}, "The end date is before the start date."),
        ({"language": "not a code"}, "is not a language code"),
        ({"section": "x" * 300}, "A section name is at most 200 characters."),
    ],
)
def test_bad_filters_get_specific_messages(
    client: Client, publisher: Publisher, params: dict[str, str], message: str
) -> None:
    make_article(publisher, title="Harbour news")
    response = client.get(search_url(q="harbour", **params))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html or "end date is before" in html


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_fail(client: Client, publisher: Publisher, text: str) -> None:
    make_article(publisher, title="Harbour AND OR NEAR news")
    assert client.get(search_url(q=text)).status_code == 200
    assert client.get(reverse("search:suggest") + "?" + urlencode({"q": text})).status_code == 200


def test_notes_tell_what_was_left_out(client: Client, publisher: Publisher) -> None:
    make_article(publisher, title="The harbour")
    html = client.get(search_url(q="the harbour")).content.decode()
    assert "Left out very common words: the." in html
    html = client.get(search_url(q="the")).content.decode()
    assert "add a more specific word" in html


def test_gate_anonymous_finds_the_article_but_never_sees_the_body(
    client: Client, publisher: Publisher, lapsed: User
) -> None:
    gated = make_article(
        publisher,
        title="Pier inspection report",
        summary="Engineers inspected the pier.",
        content_text=gated_body(),
    )
    searched, rest = MARKER.split()
    for who in (None, lapsed):
        if who is not None:
            client.force_login(who)
        html = client.get(search_url(q=searched)).content.decode()
        # Found through the body's fifth paragraph ...
        assert reverse("reader:article", args=[gated.pk]) in html
        # ... but nothing of that paragraph is in the page: the snippet is the teaser.
        assert rest not in html
        assert "nesting in the pier" not in html
        results = html[html.index('<ol class="search-results__list"') :]
        assert searched not in results
        assert "Engineers inspected the pier." in results
        assert "Snippets show the start of each article." in html


def test_gate_anonymous_page_never_contains_the_marker(
    client: Client, publisher: Publisher
) -> None:
    make_article(
        publisher,
        title="Pier inspection report",
        summary="",
        content_text=gated_body(),
    )
    # Searched for another word: the marker must not leak through any snippet either.
    html = client.get(search_url(q="pier inspection")).content.decode()
    assert MARKER.split()[0] not in html
    assert "Paragraph 1." in html  # the teaser is the body's first words


def test_gate_member_sees_the_marker_highlighted(
    client: Client, publisher: Publisher, member: User
) -> None:
    make_article(
        publisher,
        title="Pier inspection report",
        summary="Engineers inspected the pier.",
        content_text=gated_body(),
    )
    client.force_login(member)
    html = client.get(search_url(q=MARKER.split()[0])).content.decode()
    assert "a <mark>zephyrine</mark> quillback nesting in the pier" in html
    assert "Snippets show the start" not in html


def test_suggestions_fragment(client: Client, publisher: Publisher) -> None:
    a = make_article(publisher, title="Election night live")
    make_article(publisher, title="Other news", content_text="election")
    response = client.get(reverse("search:suggest") + "?q=electi")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'href="{reverse("reader:article", args=[a.pk])}"' in html
    assert "<mark>Election</mark> night live" in html
    assert "Other news" not in html
    assert "1 suggestion" in html
    assert client.get(reverse("search:suggest") + "?q=e").content.strip() == b""
    assert client.get(reverse("search:suggest")).content.strip() == b""


def test_only_get_and_head(client: Client) -> None:
    assert client.post("/search", {"q": "x"}).status_code == 405
