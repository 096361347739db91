"""The JSON API at /api/: lists, details, stories, auth by session and by personal token."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from newsstand.api.actions import create_api_token, revoke_api_token
from newsstand.api.models import ApiToken
from newsstand.stories.models import Story
from tests.gate.factories import (
    FULL_ACCESS,
    GATED_READERS,
    LATER_MARKERS,
    MARKER,
    MEMBERS,
    OPENING,
    READERS,
    client_for,
    make_gated_article,
    make_user,
)
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

API_MAX_QUERIES = 10


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- articles ---------------------------------------------------------------------------------


def test_article_list_is_paged_newest_first_with_teasers_and_no_bodies():
    pub = make_publisher("Harbour Times")
    now = timezone.now()
    for i in range(25):
        make_gated_article(pub, title=f"Pier {i:02d}", published_at=now.replace(microsecond=i))
    data = _json(Client().get("/api/articles"))
    assert data["count"] == 25
    assert len(data["items"]) == 20
    first = data["items"][0]
    assert first["title"] == "Pier 24"
    assert first["publisher"] == {"slug": pub.slug, "name": "Harbour Times"}
    assert first["url"] == f"/articles/{first['id']}/"
    assert first["teaser"] == "The northern pier reopens next month."
    assert "content_html" not in first
    page2 = _json(Client().get("/api/articles", {"page": 2}))
    assert page2["items"][0]["title"] == "Pier 04" and len(page2["items"]) == 5
    small = _json(Client().get("/api/articles", {"page_size": 5}))
    assert len(small["items"]) == 5
    assert MARKER not in json.dumps(data)


def test_article_list_filters():
    a = make_publisher("A")
    b = make_publisher("B")
    story = Story.objects.create(headline="S", article_count=1, publisher_count=1)
    make_article(a, title="a-world", section="World")
    make_article(b, title="b-sport", section="sport", story=story)

    def titles(params: dict) -> list[str]:
        return [i["title"] for i in _json(Client().get("/api/articles", params))["items"]]

    assert titles({"publisher": a.slug}) == ["a-world"]
    assert titles({"section": "SPORT"}) == ["b-sport"]
    assert titles({"story": story.pk}) == ["b-sport"]
    missing = Client().get("/api/articles", {"publisher": "nobody"})
    assert missing.status_code == 404
    assert _json(missing)["detail"] == "No publisher with the slug 'nobody'."


@pytest.mark.parametrize("kind", READERS)
def test_article_detail_obeys_the_gate(kind):
    article = make_gated_article(authors=["Ana Ruiz"])
    response = client_for(kind).get(f"/api/articles/{article.pk}")
    assert response.status_code == 200
    data = _json(response)
    assert data["title"] == article.title
    assert data["authors"] == ["Ana Ruiz"]
    assert data["teaser_paragraphs"][0] == OPENING
    assert data["original_url"] == article.url
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]
    if FULL_ACCESS[kind]:
        assert data["gated"] is False and data["access"] == "member"
        for marker in LATER_MARKERS:
            assert marker in data["content_html"]
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    else:
        assert data["gated"] is True and data["content_html"] is None
        assert data["access"] in {"anonymous", "not_member"}
        for marker in LATER_MARKERS:
            assert marker not in response.content.decode()
        assert "private" not in response.get("Cache-Control", "")


def test_article_detail_unknown_id_is_a_clear_404():
    response = Client().get("/api/articles/999999")
    assert response.status_code == 404
    assert _json(response)["detail"] == "No article with the id 999999."


def test_api_reads_spend_the_meter_like_the_page(settings):
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 1
    client = client_for("registered")
    first, second = make_gated_article(), make_gated_article()
    data = _json(client.get(f"/api/articles/{first.pk}"))
    assert data["access"] == "metered" and data["free_articles_left"] == 0
    assert MARKER in data["content_html"]
    # The same allowance as the web page: the second article is over it there too.
    assert MARKER not in client.get(second.get_absolute_url()).content.decode()
    data = _json(client.get(f"/api/articles/{second.pk}"))
    assert data["gated"] and data["access"] == "meter_used_up"


# --- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["registered", *MEMBERS])
def test_a_personal_token_reads_as_its_owner(kind):
    user = make_user(kind)
    secret = create_api_token(user, "my script").secret
    article = make_gated_article()
    data = _json(Client().get(f"/api/articles/{article.pk}", **_bearer(secret)))
    assert (MARKER in (data["content_html"] or "")) is FULL_ACCESS[kind]
    me = _json(Client().get("/api/me", **_bearer(secret)))
    assert me == {"signed_in": True, "full_access": FULL_ACCESS[kind], "via": "token"}
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None
    assert token.token_hash != secret and secret not in token.prefix + token.token_hash


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer ns_not-a-real-token", "This API token is not valid"),
        ("Bearer ", 'Send the token as "Authorization: Bearer <token>".'),
        ("Token abc", 'Send the token as "Authorization: Bearer <token>".'),
    ],
)
def test_a_bad_token_is_refused_with_the_reason_never_read_as_anonymous(header, detail):
    article = make_gated_article()
    response = Client().get(f"/api/articles/{article.pk}", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert _json(response)["detail"].startswith(detail)


def test_a_revoked_token_stops_working():
    user = make_user("active")
    new = create_api_token(user, "laptop")
    assert Client().get("/api/me", **_bearer(new.secret)).status_code == 200
    revoke_api_token(user, new.token.pk)
    assert Client().get("/api/me", **_bearer(new.secret)).status_code == 401


def test_a_token_of_a_deactivated_account_is_refused():
    user = make_user("active")
    secret = create_api_token(user, "old").secret
    user.is_active = False
    user.save()
    assert Client().get("/api/me", **_bearer(secret)).status_code == 401


def test_the_web_apps_session_is_enough():
    assert _json(client_for("trial").get("/api/me")) == {
        "signed_in": True,
        "full_access": True,
        "via": "session",
    }
    assert _json(Client().get("/api/me")) == {
        "signed_in": False,
        "full_access": False,
        "via": "anonymous",
    }


def test_a_token_wins_over_a_session():
    """A non-member's browser session does not lend a member's token its access, or back."""
    member_secret = create_api_token(make_user("active"), "member").secret
    client = client_for("registered")
    article = make_gated_article()
    assert _json(client.get(f"/api/articles/{article.pk}"))["gated"] is True
    data = _json(client.get(f"/api/articles/{article.pk}", **_bearer(member_secret)))
    assert data["gated"] is False


# --- stories ------------------------------------------------------------------------------------


def _story_with_coverage() -> Story:
    now = timezone.now()
    story = Story.objects.create(
        headline="Pier reopens",
        lead="The northern pier reopens.",
        article_count=2,
        publisher_count=2,
        score=2.5,
        sections=["World"],
        last_updated_at=now,
    )
    make_gated_article(make_publisher("Harbour Times"), story=story)
    make_gated_article(make_publisher("Coast News"), story=story, url="https://coast.example/p")
    return story


def test_stories_list_detail_and_top_stories():
    story = _story_with_coverage()
    listed = _json(Client().get("/api/stories"))
    assert listed["count"] == 1
    assert listed["items"][0]["headline"] == "Pier reopens"
    assert listed["items"][0]["url"] == f"/stories/{story.pk}/"
    detail = _json(Client().get(f"/api/stories/{story.pk}"))
    assert {a["publisher"]["name"] for a in detail["articles"]} == {"Harbour Times", "Coast News"}
    assert detail["sections"] == ["World"]
    top = _json(Client().get("/api/top-stories", {"limit": 5}))
    assert [t["id"] for t in top] == [story.pk] and top[0]["score"] == 2.5
    for body in (listed, detail, top):
        assert MARKER not in json.dumps(body)


def test_story_errors_are_specific():
    assert _json(Client().get("/api/stories/424242"))["detail"] == "No story with the id 424242."
    bad = Client().get("/api/top-stories", {"limit": 500})
    assert bad.status_code == 422
    (problem,) = _json(bad)["detail"]
    assert problem["loc"] == ["query", "limit"]
    assert problem["msg"] == "Input should be less than or equal to 50"


# --- budget and docs ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["anonymous", "registered", "trial", "token"])
def test_every_endpoint_stays_within_the_query_budget(kind, django_assert_max_num_queries):
    story = _story_with_coverage()
    article = story.articles.first()
    for i in range(30):
        make_article(make_publisher(f"P{i}"), title=f"Filler {i}")
    headers = {}
    if kind == "token":
        client = Client()
        headers = _bearer(create_api_token(make_user("active"), "budget").secret)
    else:
        client = client_for(kind)
    for url in (
        "/api/articles",
        "/api/articles?page=2&page_size=10",
        f"/api/articles/{article.pk}",
        "/api/stories",
        f"/api/stories/{story.pk}",
        "/api/top-stories",
        "/api/me",
    ):
        with django_assert_max_num_queries(API_MAX_QUERIES):
            response = client.get(url, **headers)
        assert response.status_code == 200, url


def test_lists_never_load_article_bodies(django_assert_max_num_queries):
    make_gated_article()
    with django_assert_max_num_queries(API_MAX_QUERIES) as ctx:
        Client().get("/api/articles")
    for query in ctx.captured_queries:
        assert "content_html" not in query["sql"]


def test_openapi_schema_and_docs_are_served_locally():
    schema = _json(Client().get("/api/openapi.json"))
    assert {"/api/articles", "/api/articles/{article_id}", "/api/stories", "/api/top-stories"} <= (
        set(schema["paths"])
    )
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui" in html
    assert "cdn.jsdelivr" not in html


def _declared_body(schema: dict, path: str, status: str) -> dict:
    """The JSON schema the OpenAPI document gives for `status` on GET `path`, its refs
    resolvable (they point into the document's components)."""
    content = schema["paths"][path]["get"]["responses"][status]["content"]
    return {**content["application/json"]["schema"], "components": schema["components"]}


def test_every_operation_declares_401_422_and_429_as_they_are_answered(settings):
    """Issue #13 item 12: a client made from the schema knows a bad token (401), a bad parameter
    (422) and the rate limit (429); Schemathesis never meets the first and last (no token is
    wrong there, its limits are raised), so they are checked here."""
    schema = _json(Client().get("/api/openapi.json"))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "422", "429"} <= set(operation["responses"]), (method, path)
    settings.NEWSSTAND_API_ANON_RATE = "1/m"
    over_limit = Client(REMOTE_ADDR="203.0.113.9")
    assert over_limit.get("/api/me").status_code == 200
    answers = {
        "401": ("/api/me", Client().get("/api/me", **_bearer("not-a-token"))),
        "422": ("/api/articles", Client().get("/api/articles", {"story": "0"})),
        "429": ("/api/me", over_limit.get("/api/me")),
    }
    for status, (path, response) in answers.items():
        assert str(response.status_code) == status
        jsonschema.validate(_json(response), _declared_body(schema, path, status))


@pytest.mark.parametrize("kind", GATED_READERS)
def test_api_detail_as_every_non_member_kind_carries_no_later_paragraph(kind):
    article = make_gated_article()
    text = client_for(kind).get(f"/api/articles/{article.pk}").content.decode()
    for marker in LATER_MARKERS:
        assert marker not in text


def test_story_detail_reads_no_picture_it_does_not_return(django_assert_num_queries):
    """The story page picks a picture; the API's story detail returns none, so reads none."""
    story = _story_with_coverage()
    client = Client()
    client.get(f"/api/stories/{story.pk}")  # anything read once per process, read now
    with django_assert_num_queries(2):
        assert client.get(f"/api/stories/{story.pk}").status_code == 200
