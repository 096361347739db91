"""Failed sign-ins to the reading-app APIs are limited per client address and per account.

An app password is sent as Miniflux's X-Auth-Token or HTTP Basic, Google Reader's ClientLogin
(Email, Passwd) or auth token, or Fever's api_key. Past the failures an address (or an account)
may make, every sign-in from it answers 429 with Retry-After in that API's own error shape, and
no password hash is computed for it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import patch

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.test import Client

from newsstand.sync.actions import create_app_password
from newsstand.sync.clients import (
    FAILED_SIGN_IN_ACCOUNT_WINDOW_S,
    FAILED_SIGN_INS_PER_ACCOUNT,
    FAILED_SIGN_INS_PER_ADDRESS,
)
from tests.sync.factories import World, make_world

pytestmark = pytest.mark.django_db

ATTACKER = "192.0.2.66"
NEIGHBOUR = "198.51.100.7"
WRONG = "aaaa-bbbb-cccc-dddd-eeee-ffff"


@pytest.fixture
def world() -> World:
    return make_world("active")


@pytest.fixture(autouse=True)
def window_start() -> Iterator[None]:
    # Every call at the start of a five-minute window: no count can roll over mid-test.
    start = 1_800_000_000 // FAILED_SIGN_IN_ACCOUNT_WINDOW_S * FAILED_SIGN_IN_ACCOUNT_WINDOW_S
    with patch("newsstand.sync.clients.time.time", return_value=start + 0.5):
        yield


def _basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def _fever_key(email: str, password: str) -> str:
    return hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()


def miniflux_token(client: Client, world: World, right: bool, n: int) -> Any:
    return client.get("/v1/me", HTTP_X_AUTH_TOKEN=world.password if right else WRONG)


def miniflux_basic(client: Client, world: World, right: bool, n: int) -> Any:
    # Each wrong try names another account, so only the address's count can stop them.
    email = world.user.email if right else f"guess{n}@example.org"
    password = world.password if right else WRONG
    return client.get("/v1/me", HTTP_AUTHORIZATION=_basic(email, password))


def greader_login(client: Client, world: World, right: bool, n: int) -> Any:
    email = world.user.email if right else f"guess{n}@example.org"
    password = world.password if right else WRONG
    return client.post("/api/greader/accounts/ClientLogin", {"Email": email, "Passwd": password})


def greader_token(client: Client, world: World, right: bool, n: int) -> Any:
    if right:
        found = Client().post(
            "/api/greader/accounts/ClientLogin",
            {"Email": world.user.email, "Passwd": world.password},
            REMOTE_ADDR="203.0.113.1",
        )
        token = found.content.decode().split("Auth=")[1].strip()
    else:
        token = f"{world.user.pk}/{'0' * 64}"
    return client.get(
        "/api/greader/reader/api/0/user-info", HTTP_AUTHORIZATION=f"GoogleLogin auth={token}"
    )


def fever(client: Client, world: World, right: bool, n: int) -> Any:
    key = _fever_key(world.user.email, world.password if right else f"wrong{n}")
    return client.post("/api/fever/?api", {"api_key": key})


Call = Callable[[Client, World, bool, int], Any]
CALLS: list[Call] = [miniflux_token, miniflux_basic, greader_login, greader_token, fever]


def _signed_in(response: Any) -> bool:
    if response["Content-Type"].startswith("application/json") and b'"auth"' in response.content:
        return response.status_code == 200 and response.json()["auth"] == 1
    return response.status_code == 200


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
def test_wrong_passwords_from_one_address_lock_it_out_alone(
    call: Call, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    with caplog.at_level("WARNING", logger="newsstand.sync.clients"):
        for n in range(FAILED_SIGN_INS_PER_ADDRESS):
            response = call(attacker, world, False, n)
            assert response.status_code in (200, 401) and not _signed_in(response)
        refused = call(attacker, world, True, 0)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "sync sign-in failed api=" in caplog.text and f"address={ATTACKER}" in caplog.text
    assert "sync sign-in limited" in caplog.text
    # Each API's own error shape.
    if call in (miniflux_token, miniflux_basic):
        assert refused.json() == {"error_message": "Too many requests: slow down."}
    elif call is fever:
        assert refused.json()["auth"] == 0
    else:
        assert refused["Content-Type"].startswith("text/plain")
    # Another address signs in as ever.
    assert _signed_in(call(Client(REMOTE_ADDR=NEIGHBOUR), world, True, 0))


def test_successful_sign_ins_are_not_failures(world: World) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(FAILED_SIGN_INS_PER_ADDRESS * 3):
        assert miniflux_token(client, world, True, n).status_code == 200
    for n in range(FAILED_SIGN_INS_PER_ADDRESS - 1):
        assert miniflux_token(client, world, False, n).status_code == 401
    assert miniflux_token(client, world, True, 0).status_code == 200
    assert miniflux_basic(client, world, True, 0).status_code == 200


def test_the_address_behind_trusted_proxies_is_counted(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(FAILED_SIGN_INS_PER_ADDRESS):
        response = proxy.get("/v1/me", HTTP_X_AUTH_TOKEN=WRONG, HTTP_X_FORWARDED_FOR=ATTACKER)
        assert response.status_code == 401
    right = world.password
    assert (
        proxy.get("/v1/me", HTTP_X_AUTH_TOKEN=right, HTTP_X_FORWARDED_FOR=ATTACKER).status_code
        == 429
    )
    # Another client behind the same proxy is another address.
    assert (
        proxy.get("/v1/me", HTTP_X_AUTH_TOKEN=right, HTTP_X_FORWARDED_FOR=NEIGHBOUR).status_code
        == 200
    )


def test_wrong_passwords_for_one_account_from_many_addresses(world: World) -> None:
    # The reader's app signed in before the attack: its verdict is in the cache.
    syncing = Client(REMOTE_ADDR="203.0.113.9")
    assert greader_login(syncing, world, True, 0).status_code == 200
    for n in range(FAILED_SIGN_INS_PER_ACCOUNT):
        response = Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            "/api/greader/accounts/ClientLogin", {"Email": world.user.email, "Passwd": WRONG}
        )
        assert response.status_code == 401
    fresh = create_app_password(world.user, "New app").password
    refused = Client(REMOTE_ADDR="192.0.2.200").post(
        "/api/greader/accounts/ClientLogin",
        {"Email": world.user.email.upper(), "Passwd": fresh},
    )
    assert refused.status_code == 429 and refused["Content-Type"].startswith("text/plain")
    assert 0 < int(refused["Retry-After"]) <= FAILED_SIGN_IN_ACCOUNT_WINDOW_S
    basic = Client(REMOTE_ADDR="192.0.2.201").get(
        "/v1/me", HTTP_AUTHORIZATION=_basic(world.user.email, fresh)
    )
    assert basic.status_code == 429
    assert basic.json() == {"error_message": "Too many requests: slow down."}
    # The password the reader's app already used still signs in, and each use renews its
    # verdict, so an app that keeps syncing is not locked out when the verdict would expire.
    with patch.object(cache, "touch", wraps=cache.touch) as renewed:
        assert greader_login(syncing, world, True, 0).status_code == 200
        assert miniflux_basic(syncing, world, True, 0).status_code == 200
    assert renewed.call_count == 2
    # The API key names no account: the new app password works that way.
    assert (
        Client(REMOTE_ADDR="192.0.2.202").get("/v1/me", HTTP_X_AUTH_TOKEN=fresh).status_code == 200
    )


def test_a_limited_address_costs_no_password_hash(world: World) -> None:
    # Wrong passwords that share the real one's lookup (its first two groups) reach the hash.
    near_miss = world.password[:9] + "-zzzz-zzzz-zzzz-zzzz"
    attacker = Client(REMOTE_ADDR=ATTACKER)
    with patch("newsstand.sync.actions.check_password", wraps=check_password) as hashed:
        for _ in range(FAILED_SIGN_INS_PER_ADDRESS):
            assert attacker.get("/v1/me", HTTP_X_AUTH_TOKEN=near_miss).status_code == 401
        assert hashed.call_count == FAILED_SIGN_INS_PER_ADDRESS
        for _ in range(50):
            assert attacker.get("/v1/me", HTTP_X_AUTH_TOKEN=near_miss).status_code == 429
        assert hashed.call_count == FAILED_SIGN_INS_PER_ADDRESS
