"""The account pages look like the reader (its base, header and CSS), stay within the query
budget, and the header shows the right links to anonymous and signed-in readers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
    "accounts:deleted",
    "account_inactive",  # allauth's own template, in our layout through the element overrides
]
SIGNED_IN_PAGES = [
    "accounts:account",
    "accounts:delete",
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",  # allauth's own template, as above
]
MAX_QUERIES = 10


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_pages(client: Client, name: str, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/reader/reader.css">' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1
    assert "— Newsstand</title>" in html


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_pages(signed_in: Client, name: str, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(MAX_QUERIES):
        response = signed_in.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "reader.css" in html
    assert html.count("<h1") == 1


def test_account_page(signed_in: Client) -> None:
    response = signed_in.get(reverse("accounts:account"))
    html = response.content.decode()
    assert "You sign in with <strong>reader@example.org</strong>" in html
    for name in ("account_email", "account_change_password", "accounts:export", "accounts:delete"):
        assert f'href="{reverse(name)}"' in html
    assert ">Delete account</a>" in html
    # Personal: never kept by a shared cache.
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_inputs_have_labels_and_their_descriptions_exist(signed_in: Client) -> None:
    anonymous = Client()
    pages = [anonymous.get(reverse(name)) for name in ("account_login", "account_signup")]
    pages.append(
        anonymous.post(
            reverse("account_signup"),
            {"email": "x@example.org", "password1": "password", "password2": "password"},
        )
    )
    pages += [signed_in.get(reverse(name)) for name in SIGNED_IN_PAGES]
    for page in pages:
        html = page.content.decode()
        where = page.request["PATH_INFO"]
        for input_id in re.findall(r'<input (?![^>]*type="hidden")[^>]*id="([^"]+)"', html):
            assert f'<label for="{input_id}"' in html, (where, input_id)
        for described in re.findall(r'aria-describedby="([^"]+)"', html):
            for target in described.split():
                assert f'id="{target}"' in html, (where, target)
    assert (
        'aria-describedby="id_password1_helptext id_password1_error"' in pages[2].content.decode()
    )


def test_header_for_anonymous_readers(client: Client) -> None:
    html = client.get(reverse("reader:home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert f'<a href="{reverse("account_login")}">Sign in</a>' in header
    assert f'<a href="{reverse("account_signup")}">Sign up</a>' in header
    # Nothing per-reader for anonymous pages, which are cached for everyone.
    assert reverse("account_logout") not in header
    assert "Account" not in header


def test_header_for_signed_in_readers(signed_in: Client, reader: User) -> None:
    html = signed_in.get(reverse("reader:home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert f'<a href="{reverse("accounts:account")}">Account</a>' in header
    sign_out = header[header.index(f'action="{reverse("account_logout")}"') :]
    assert 'method="post"' in header
    assert 'name="csrfmiddlewaretoken"' in sign_out.split("</form>")[0]
    assert ">Sign out</button>" in sign_out
    assert "Sign in" not in header
    account = signed_in.get(reverse("accounts:account")).content.decode()
    assert 'href="/account/" aria-current="page">Account</a>' in account


def test_sign_up_offers_the_trial_and_the_password_rules_in_one_line(
    client: Client, settings: Any
) -> None:
    settings.NEWSSTAND_TRIAL_DAYS = 21
    html = client.get(reverse("account_signup")).content.decode()
    assert "Your 21-day free trial starts today." in html
    assert "No card needed." in html
    # One short line under the label, not Django's list of four sentences.
    hint = re.search(r'<div class="helptext" id="id_password1_helptext">(.*?)</div>', html, re.S)
    assert hint is not None
    assert hint.group(1) == (
        "At least 8 characters, not like your email address, not a common password and not "
        "only digits."
    )
    assert "<ul>" not in hint.group(1)
    assert "be entirely numeric" not in html


def test_sign_up_still_enforces_every_password_rule(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "digits@example.org", "password1": "12345678901", "password2": "12345678901"},
    )
    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
