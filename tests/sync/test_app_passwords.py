"""App passwords: made on /account/app-passwords/ (shown once), hashed at rest, revoked, used."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from newsstand.sync.actions import (
    MAX_APP_PASSWORDS_PER_USER,
    AppPasswordError,
    create_app_password,
    revoke_app_password,
    use_app_password,
    use_fever_key,
)
from newsstand.sync.models import AppPassword
from tests.gate.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "/account/app-passwords/"


def _signed_in(kind: str = "active") -> tuple[Client, object]:
    user = make_user(kind)
    client = Client()
    client.force_login(user)
    return client, user


def test_page_needs_a_signed_in_reader():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_account_page_links_to_it():
    client, _ = _signed_in()
    assert f'href="{PAGE}"' in client.get("/account/").content.decode()


def test_making_one_shows_it_once_and_stores_only_a_django_hash():
    client, user = _signed_in()
    response = client.post(PAGE, {"name": "  Net  News Wire "})
    assert response.status_code == 200
    html = response.content.decode()
    password = re.search(r'id="new-app-password" type="text" value="([^"]+)"', html).group(1)
    assert re.fullmatch(r"([a-z0-9]{4}-){5}[a-z0-9]{4}", password)
    row = AppPassword.objects.get(user=user)
    assert row.name == "Net News Wire"
    assert identify_hasher(row.password_hash).algorithm == "argon2"
    assert password not in (row.password_hash, row.lookup, row.fever_key)
    assert password.startswith(row.lookup) and len(row.lookup) < len(password) // 2
    assert "no-store" in response["Cache-Control"]
    # The page shows the addresses apps connect to, and never the password again.
    assert "/api/greader/" in html and "/api/fever/" in html
    again = client.get(PAGE).content.decode()
    assert password not in again
    assert "Net News Wire" in again and f"{row.lookup}…" in again


def test_it_works_as_token_as_basic_password_and_as_fever_key():
    user = make_user("active")
    password = create_app_password(user, "Reeder").password
    assert use_app_password(password).user == user
    assert use_app_password(password.upper(), email=user.email.upper()).user == user
    assert use_app_password(password, email="someone@example.org") is None
    assert use_app_password(password[:-1] + ("a" if password[-1] != "a" else "b")) is None
    api_key = hashlib.md5(f"{user.email}:{password}".encode()).hexdigest()
    assert use_fever_key(api_key).user == user
    assert use_fever_key(hashlib.md5(b"x:y").hexdigest()) is None
    assert AppPassword.objects.get(user=user).last_used_at is not None


def test_revoking_stops_it_and_only_the_owner_can():
    client, user = _signed_in()
    password = create_app_password(user, "Reeder").password
    row = AppPassword.objects.get(user=user)
    other_client, _ = _signed_in()
    assert other_client.post(f"{PAGE}{row.pk}/revoke/").status_code == 404
    assert use_app_password(password) is not None
    response = client.post(f"{PAGE}{row.pk}/revoke/")
    assert response.status_code == 302
    assert use_app_password(password) is None
    with pytest.raises(AppPasswordError):
        revoke_app_password(user, row.pk)


def test_a_deactivated_account_cannot_sync():
    user = make_user("active")
    password = create_app_password(user, "Reeder").password
    user.is_active = False
    user.save()
    assert use_app_password(password) is None


def test_names_and_limits():
    client, user = _signed_in()
    assert client.post(PAGE, {"name": ""}).status_code == 400
    for i in range(MAX_APP_PASSWORDS_PER_USER):
        create_app_password(user, f"App {i}")
    response = client.post(PAGE, {"name": "One more"})
    assert response.status_code == 400
    assert "revoke one" in response.content.decode()


def test_the_data_export_lists_them_without_anything_that_signs_in():
    client, user = _signed_in()
    made = create_app_password(user, "Reeder")
    use_app_password(made.password)
    create_app_password(user, "NetNewsWire")
    body = client.get("/account/export/").json()
    assert [(p["name"], p["last_used_at"] is None) for p in body["app_passwords"]] == [
        ("NetNewsWire", True),
        ("Reeder", False),
    ]
    row = AppPassword.objects.get(name="Reeder")
    text = json.dumps(body["app_passwords"])
    for secret in (made.password, row.lookup, row.password_hash, row.fever_key):
        assert secret not in text
