"""Numbers no list or row can reach answer 422, never a server error: a page number or id past
the database's 64-bit integers once crashed the query."""

from __future__ import annotations

import pytest
from django.test import Client

from newsstand.stories.models import Story
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

INT64_MAX = "9223372036854775807"
PAST_INT64 = "9223372036854775808"


@pytest.fixture
def listed() -> None:
    make_article(make_publisher("Harbour Times"))


@pytest.mark.parametrize("huge", [INT64_MAX, PAST_INT64, "1" + "0" * 40])
@pytest.mark.parametrize("path", ["/api/articles", "/api/stories"])
def test_an_api_page_number_past_any_list_is_unprocessable(listed, path, huge):
    assert Client().get(path, {"page": "3"}).status_code == 200
    response = Client().get(path, {"page": huge})
    assert response.status_code == 422
    assert "page" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/articles?story={PAST_INT64}",
        f"/api/articles?story={INT64_MAX}0",
        "/api/articles?story=0",
        f"/api/articles/{PAST_INT64}",
        f"/api/stories/{PAST_INT64}",
    ],
)
def test_an_id_no_row_can_have_is_unprocessable(listed, url):
    assert Client().get(url).status_code == 422


def test_the_largest_id_a_row_can_have_is_merely_not_found(listed):
    story = Story.objects.create(headline="S", article_count=1, publisher_count=1)
    assert Client().get(f"/api/articles?story={story.pk}").status_code == 200
    assert Client().get(f"/api/articles?story={INT64_MAX}").json()["count"] == 0
    assert Client().get(f"/api/articles/{INT64_MAX}").status_code == 404
    assert Client().get(f"/api/stories/{INT64_MAX}").status_code == 404


@pytest.mark.parametrize("name", ["publisher", "section"])
def test_a_filter_with_a_nul_character_is_unprocessable(listed, name):
    # PostgreSQL refuses NUL in a string: answered before any query, on every database.
    assert Client().get("/api/articles", {name: "world\x00"}).status_code == 422
    assert Client().get("/api/articles", {name: "world"}).status_code in (200, 404)
