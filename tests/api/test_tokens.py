"""/account/api-tokens/: make a token (shown once), list, revoke; only the owner, only by POST."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from newsstand.api.actions import MAX_TOKENS_PER_USER, create_api_token, hash_token
from newsstand.api.models import ApiToken
from tests.gate.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "/account/api-tokens/"
PAGE_MAX_QUERIES = 10


def _signed_in(kind: str = "active", *, csrf: bool = False) -> tuple[Client, object]:
    user = make_user(kind)
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client, user


def test_page_needs_a_signed_in_reader():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_making_a_token_shows_it_once_and_stores_only_its_hash():
    client, user = _signed_in()
    response = client.post(PAGE, {"name": "  Feed   reader  "})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'id="new-token" type="text" value="(ns_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.name == "Feed reader"
    assert token.token_hash == hash_token(secret)
    assert secret not in (token.prefix, token.token_hash) and secret.startswith(token.prefix)
    assert "no-store" in response["Cache-Control"]
    # The token works, and the page never shows it again.
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert "Feed reader" in again and f"{token.prefix}…" in again


def test_bad_names_get_a_specific_message():
    client, user = _signed_in()
    response = client.post(PAGE, {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(PAGE, {"name": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_reader_has_at_most_twenty_tokens():
    client, user = _signed_in()
    for i in range(MAX_TOKENS_PER_USER):
        create_api_token(user, f"t{i}")
    response = client.post(PAGE, {"name": "one more"})
    assert response.status_code == 400
    assert "revoke one you no longer use" in response.content.decode()


def test_revoking_deletes_the_token_and_only_the_owner_can():
    client, user = _signed_in()
    new = create_api_token(user, "phone")
    other_client, _ = _signed_in()
    refused = other_client.post(reverse("api_tokens:revoke", args=[new.token.pk]))
    assert refused.status_code == 404
    assert "does not exist or was already revoked" in refused.content.decode()
    assert ApiToken.objects.filter(pk=new.token.pk).exists()
    done = client.post(reverse("api_tokens:revoke", args=[new.token.pk]))
    assert done.status_code == 302 and done["Location"] == PAGE
    assert not ApiToken.objects.filter(pk=new.token.pk).exists()
    assert client.get(reverse("api_tokens:revoke", args=[1])).status_code == 405


def test_forms_are_csrf_protected():
    client, user = _signed_in(csrf=True)
    new = create_api_token(user, "phone")
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert client.post(reverse("api_tokens:revoke", args=[new.token.pk])).status_code == 403
    html = client.get(PAGE).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # make, revoke, theme toggle


def test_page_query_budget(django_assert_max_num_queries):
    client, user = _signed_in()
    for i in range(5):
        create_api_token(user, f"t{i}")
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        assert client.post(PAGE, {"name": "new"}).status_code == 200
