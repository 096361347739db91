"""API rate limits: per client address when anonymous, per reader when signed in."""

from __future__ import annotations

import pytest
from django.test import Client

from newsstand.api.actions import create_api_token
from tests.gate.factories import make_user

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_limits(settings) -> None:
    settings.NEWSSTAND_API_ANON_RATE = f"{LIMIT}/m"
    settings.NEWSSTAND_API_SIGNED_IN_RATE = f"{LIMIT + 2}/m"


def _calls(client: Client, n: int, **extra: str) -> list[int]:
    return [client.get("/api/me", **extra).status_code for _ in range(n)]


def test_one_anonymous_client_using_up_its_limit_leaves_others_alone():
    assert _calls(Client(REMOTE_ADDR="203.0.113.5"), LIMIT + 1) == [200] * LIMIT + [429]
    over = Client(REMOTE_ADDR="203.0.113.5").get("/api/me")
    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="203.0.113.6").get("/api/me").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::1").get("/api/me").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert _calls(proxy, LIMIT + 1, HTTP_X_FORWARDED_FOR="198.51.100.7") == [200] * LIMIT + [429]
    assert proxy.get("/api/me", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing():
    client = Client(REMOTE_ADDR="203.0.113.5")
    statuses = [
        client.get("/api/me", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(LIMIT + 1)
    ]
    assert statuses == [200] * LIMIT + [429]


def test_signed_in_readers_count_per_reader_not_against_the_anonymous_limit():
    one, two = make_user("active"), make_user("active")
    token_one = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(one, 'a').secret}"}
    token_two = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(two, 'b').secret}"}
    same_address = Client(REMOTE_ADDR="203.0.113.5")
    # Past the anonymous limit, as a reader with a higher one.
    assert _calls(same_address, LIMIT + 3, **token_one) == [200] * (LIMIT + 2) + [429]
    assert same_address.get("/api/me", **token_two).status_code == 200
    assert same_address.get("/api/me").status_code == 200
