"""Password hashing and rules, rate limits, cookies and CSRF on the account flows."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, signed_in_user_id

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SIGNUP = reverse("account_signup")


def _sign_up(client: Client, password: str, email: str = "new@example.org") -> str:
    response = client.post(SIGNUP, {"email": email, "password1": password, "password2": password})
    assert response.status_code == 200, "a refused sign-up shows the form again"
    assert not User.objects.filter(email=email).exists()
    return response.content.decode()


def test_new_passwords_are_hashed_with_production_argon2(
    client: Client, production_hasher: None
) -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    client.post(SIGNUP, {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    stored = User.objects.get(email="new@example.org").password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("x7#k2", "This password is too short. It must contain at least 8 characters."),
        ("2849175306", "This password is entirely numeric."),
        ("new@example.org1", "The password is too similar to the email address."),
    ],
)
def test_weak_password_is_refused_with_a_clear_message(
    client: Client, password: str, message: str
) -> None:
    html = _sign_up(client, password)
    assert message in html
    # The message sits in the password field's error list, which the input points to.
    errors = re.search(r'<ul class="errorlist" id="id_password1_error">(.*?)</ul>', html)
    assert errors and message in errors.group(1)
    assert re.search(r'aria-describedby="[^"]*id_password1_error"', html)


def test_mismatched_passwords_are_refused(client: Client) -> None:
    response = client.post(
        SIGNUP, {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert "You must type the same password each time." in response.content.decode()


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password(
    client: Client, reader: User
) -> None:
    for _ in range(5):
        response = client.post(LOGIN, {"login": reader.email, "password": "guess-again-1"})
        assert "not correct" in response.content.decode()
    blocked = client.post(LOGIN, {"login": reader.email, "password": PASSWORD})
    assert blocked.status_code == 200
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert signed_in_user_id(client) is None
    # Another visitor (same address here, as in tests) is refused for that email too: the
    # limit is per typed email as well as per client address.
    assert "Too many failed" in (
        Client().post(LOGIN, {"login": reader.email, "password": PASSWORD}).content.decode()
    )


def test_password_reset_requests_are_rate_limited(client: Client, reader: User) -> None:
    url = reverse("account_reset_password")
    for _ in range(5):
        assert client.post(url, {"email": reader.email}).status_code == 302
    refused = client.post(url, {"email": reader.email})
    assert refused.status_code == 429
    assert len(mail.outbox) == 5


def test_session_and_csrf_cookies(client: Client, reader: User) -> None:
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 24 * 3600
    assert settings.CSRF_COOKIE_HTTPONLY
    response = client.post(LOGIN, {"login": reader.email, "password": PASSWORD, "remember": "on"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_without_remember_me_the_session_ends_with_the_browser(
    client: Client, reader: User
) -> None:
    response = client.post(LOGIN, {"login": reader.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_sign_in_starts_a_new_session(client: Client, reader: User) -> None:
    session = client.session  # an anonymous session, as a visitor who browsed first has
    session["probe"] = 1
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(LOGIN, {"login": reader.email, "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_sign_out_and_delete_need_the_csrf_token(reader: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(reverse("account_logout")).status_code == 403
    assert client.post(reverse("accounts:delete"), {"password": PASSWORD}).status_code == 403
    assert signed_in_user_id(client) == str(reader.pk)
    assert User.objects.filter(pk=reader.pk).exists()


def test_delete_password_attempts_are_rate_limited(signed_in: Client, reader: User) -> None:
    for _ in range(5):
        assert signed_in.post(reverse("accounts:delete"), {"password": "nope"}).status_code == 400
    blocked = signed_in.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert blocked.status_code == 400
    assert "Too many failed login attempts" in blocked.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()
