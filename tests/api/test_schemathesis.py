"""The API against its own OpenAPI schema: Schemathesis generates calls from /api/openapi.json
(valid and invalid parameters alike) and checks every answer, anonymously and with a token: no
server error, only status codes, content types and bodies the schema declares.

Over real HTTP to the live server. Bounded (EXAMPLES_PER_OPERATION), so it stays a test, not a
fuzzing run; Hypothesis keeps the failing examples it found in its database and tries them first
next time.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from django.test import Client
from django.utils import timezone

from newsstand.api.actions import create_api_token
from newsstand.stories.models import Story
from tests.gate.factories import make_gated_article, make_user
from tests.reader.factories import make_publisher

# The live server answers from its own thread: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 25
BOUNDED = hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    # Calls to a live server: their time is no property of the schema.
    deadline=None,
    # Fixtures are set up once for every example of an operation, which is what is wanted here.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)

# The schema as the API serves it. Read at import, as `parametrize` needs it to make the tests
# (Schemathesis' fixture-based loader does not run under pytest 9).
schema = schemathesis.openapi.from_dict(
    Client(HTTP_HOST="localhost").get("/api/openapi.json").json()
)


@pytest.fixture(autouse=True)
def _rows(settings, live_server) -> None:
    """A publisher and a story of three articles, for the generated ids and filters to find."""
    # Far past what the generated calls need: the limits have their own tests (test_throttling).
    settings.NEWSSTAND_API_ANON_RATE = "100000/m"
    settings.NEWSSTAND_API_SIGNED_IN_RATE = "100000/m"
    pub = make_publisher("Harbour Times")
    story = Story.objects.create(
        headline="Harbour bridge reopens", article_count=3, publisher_count=1
    )
    now = timezone.now()
    for i in range(3):
        make_gated_article(
            pub, title=f"Pier {i}", published_at=now.replace(microsecond=i), story=story
        )


@schema.parametrize()
@BOUNDED
def test_anonymous_calls_keep_to_the_schema(case: Any, live_server) -> None:
    case.call_and_validate(base_url=live_server.url)


@pytest.fixture
def token() -> str:
    return create_api_token(make_user("active"), "schemathesis").secret


@schema.parametrize()
@BOUNDED
def test_calls_with_a_token_keep_to_the_schema(case: Any, token: str, live_server) -> None:
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"})
