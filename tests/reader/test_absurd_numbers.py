"""Numbers no list or row can reach answer 404, never a server error: a page number past the
database's 64-bit integers once crashed the query's OFFSET."""

from __future__ import annotations

import pytest
from django.test import Client

from newsstand.articles.models import ArticleTopic
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

INT64_MAX = "9223372036854775807"
PAST_INT64 = "9223372036854775808"


@pytest.fixture
def listed() -> dict[str, str]:
    pub = make_publisher("Harbour Times")
    article = make_article(pub, section="World")
    ArticleTopic.objects.create(article=article, slug="ports", name="Ports")
    return {"publisher": pub.slug}


@pytest.mark.parametrize("huge", [INT64_MAX, PAST_INT64, "1" + "0" * 40])
@pytest.mark.parametrize(
    "path", ["/", "/sections/World/", "/topics/ports/", "/publishers/{publisher}/"]
)
def test_a_page_number_past_any_list_is_not_found(listed, path, huge):
    url = path.format(**listed)
    assert Client().get(url).status_code == 200
    assert Client().get(url, {"page": huge}).status_code == 404
    # Past the end of this list but a real page number: the last page, as before.
    assert Client().get(url, {"page": "7"}).status_code == 200


@pytest.mark.parametrize("number", [PAST_INT64, "1" + "0" * 40])
@pytest.mark.parametrize("path", ["/articles/{}/", "/articles/{}/print/", "/stories/{}/"])
def test_an_id_no_row_can_have_is_not_found(listed, path, number):
    assert Client().get(path.format(number)).status_code == 404
