"""The search page and the suggestions fragment, through Django's test client."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.search.searching import RESULTS_PER_PAGE
from newsstand.sources.models import Publisher
from tests.reader.factories import make_article, make_publisher
from tests.search.conftest import MARKER, gated_article_fields
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
            **gated_article_fields(),
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


def _result_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/articles/(\d+)/"', html)}


def test_gate_non_members_find_articles_only_by_what_the_gate_shows(
    client: Client, publisher: Publisher, lapsed: User
) -> None:
    gated = make_article(
        publisher,
        title="Pier inspection report",
        summary="Engineers inspected the pier.",
        **gated_article_fields(),
    )
    url = reverse("reader:article", args=[gated.pk])
    searched, rest = MARKER.split()
    for who in (None, lapsed):
        if who is not None:
            client.force_login(who)
        # A word of the body's fifth paragraph finds nothing: it is behind the gate.
        html = client.get(search_url(q=searched)).content.decode()
        assert url not in html
        assert "No articles for" in html
        assert "Search looks at headlines, bylines and the start of each article" in html
        # The title, the summary and the teaser (the first paragraph) find it ...
        for words in ("inspection", "engineers inspected", '"Paragraph 1"'):
            html = client.get(search_url(q=words)).content.decode()
            assert url in html, words
            # ... and the snippet quotes only that.
            results = html[html.index('<ol class="search-results__list"') :]
            assert searched not in results and rest not in results
            assert "Paragraph 5" not in results
        assert "Engineers inspected the pier." in results


def test_gate_a_phrase_from_the_end_of_the_body_confirms_nothing(
    client: Client, publisher: Publisher, member: User
) -> None:
    """Issue #13: an anonymous phrase query from the last 40% of a body found the article."""
    # Every word its own (the shared filler would repeat the teaser's words further down).
    paragraphs = [
        " ".join(f"{w}{p}x{i}" for i, w in enumerate(["harbour", "survey", "pier", "tide"] * 18))
        + "."
        for p in range(6)
    ]
    gated = make_article(
        publisher,
        title="Harbour works",
        content_text="\n\n".join(paragraphs),
        content_html="".join(f"<p>{p}</p>" for p in paragraphs),
    )
    words = " ".join(paragraphs).split()
    tail = words[int(len(words) * 0.6) :]
    phrases = [" ".join(tail[i : i + 4]) for i in range(0, len(tail) - 4, 25)]
    assert len(phrases) >= 4
    for phrase in phrases:
        html = client.get(search_url(q=f'"{phrase}"')).content.decode()
        assert gated.pk not in _result_ids(html), phrase
    client.force_login(member)
    for phrase in phrases:
        html = client.get(search_url(q=f'"{phrase}"')).content.decode()
        assert gated.pk in _result_ids(html), phrase


def test_gate_a_short_article_whose_summary_is_its_whole_text_is_not_found_by_its_end(
    client: Client, publisher: Publisher
) -> None:
    """The gate shows at most half of a short article's words (#13 item 4); a feed that puts
    the whole of it in the summary must not let a phrase from its end find it (item 10)."""
    words = [f"{w}{i}" for i, w in enumerate(["harbour", "survey", "pier", "tide"] * 12)][:47]
    whole = " ".join(words)
    short = make_article(
        publisher,
        title="Harbour works",
        summary=whole,
        content_text=whole,
        content_html=f"<p>{whole}</p>",
        word_count=len(words),
    )
    for phrase in (" ".join(words[40:44]), " ".join(words[24:28])):
        html = client.get(search_url(q=f'"{phrase}"')).content.decode()
        assert short.pk not in _result_ids(html), phrase
    html = client.get(search_url(q=f'"{" ".join(words[2:6])}"')).content.decode()
    assert short.pk in _result_ids(html)


def test_gate_anonymous_page_never_contains_the_marker(
    client: Client, publisher: Publisher
) -> None:
    make_article(
        publisher,
        title="Pier inspection report",
        summary="",
        **gated_article_fields(),
    )
    # Searched for another word: the marker must not leak through any snippet either.
    html = client.get(search_url(q="pier inspection")).content.decode()
    assert MARKER.split()[0] not in html
    assert "Paragraph 1." in html  # the teaser is the body's first words
    assert "Paragraph 2." not in html


def test_gate_member_sees_the_marker_highlighted(
    client: Client, publisher: Publisher, member: User
) -> None:
    make_article(
        publisher,
        title="Pier inspection report",
        summary="Engineers inspected the pier.",
        **gated_article_fields(),
    )
    client.force_login(member)
    html = client.get(search_url(q=MARKER.split()[0])).content.decode()
    assert "a <mark>zephyrine</mark> quillback nesting in the pier" in html
    assert "Search looks at headlines" not in html


def test_search_is_rate_limited_per_client_address_and_per_account(
    client: Client, publisher: Publisher, member: User, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    settings.NEWSSTAND_SEARCHES_PER_MINUTE = 3
    make_article(publisher, title="Lighthouse keeper retires")
    # Searches at the very start of a minute, so the window cannot roll over mid-test.
    start = (int(time.time()) // 60 + 1) * 60
    with patch("newsstand.search.views.time.time", return_value=start + 0.5):
        for _ in range(3):
            assert client.get(search_url(q="lighthouse")).status_code == 200
        # The empty form is not a search.
        assert client.get("/search").status_code == 200
        with caplog.at_level("WARNING", logger="newsstand.search.views"):
            response = client.get(search_url(q="lighthouse"))
            client.get(search_url(q="lighthouse"))
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        html = response.content.decode()
        assert "more searches in a minute than Newsstand answers" in html
        assert "wait 60 seconds" in html
        assert 'role="alert"' in html
        assert "Lighthouse keeper" not in html
        assert caplog.text.count("search rate limited who=anonymous limit=3") == 1
        # Another address has its own count.
        other = Client(REMOTE_ADDR="192.0.2.7")
        assert other.get(search_url(q="lighthouse")).status_code == 200
        # A signed-in reader counts against the account, wherever they search from.
        client.force_login(member)
        for _ in range(3):
            assert client.get(search_url(q="lighthouse")).status_code == 200
        assert client.get(search_url(q="lighthouse")).status_code == 429
    # The next minute starts a new count.
    with patch("newsstand.search.views.time.time", return_value=start + 61):
        assert client.get(search_url(q="lighthouse")).status_code == 200


def test_ipv6_clients_count_by_their_64_prefix(rf) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    from newsstand.search.throttle import client_key

    def key(address: str) -> str:
        request = rf.get("/search", REMOTE_ADDR=address)
        request.user = AnonymousUser()
        return client_key(request)

    assert key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:bbbb::9") == "ip:2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("192.0.2.1") == "ip:192.0.2.1"


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


def test_suggestions_are_rate_limited_per_client_apart_from_searches(
    client: Client, publisher: Publisher, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    settings.NEWSSTAND_SUGGESTIONS_PER_MINUTE = 4
    settings.NEWSSTAND_SEARCHES_PER_MINUTE = 2
    make_article(publisher, title="Lighthouse keeper retires")
    suggest = reverse("search:suggest") + "?q=lighth"
    start = (int(time.time()) // 60 + 1) * 60
    with patch("newsstand.search.views.time.time", return_value=start + 0.5):
        for _ in range(4):
            assert client.get(suggest).status_code == 200
        # Empty boxes ask nothing, so they are not counted.
        assert client.get(reverse("search:suggest") + "?q=").status_code == 200
        with caplog.at_level("WARNING", logger="newsstand.search.views"):
            response = client.get(suggest)
            client.get(suggest)
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert response.content == b""
        assert caplog.text.count("suggest rate limited who=anonymous limit=4") == 1
        # Searches have their own count, and another address its own suggestions.
        assert client.get(search_url(q="lighthouse")).status_code == 200
        other = Client(REMOTE_ADDR="192.0.2.7")
        assert b"Lighthouse" in other.get(suggest).content
    with patch("newsstand.search.views.time.time", return_value=start + 61):
        assert client.get(suggest).status_code == 200
