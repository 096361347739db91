"""Readers for the account tests, made the way the CLI makes them (verified email)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from newsstand.accounts.actions import add_user

PASSWORD = "plum-harbour-7-lantern"
NEW_PASSWORD = "quiet-orchard-42-ferry"
_LINK = re.compile(r"https?://testserver(/\S+)")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def production_hasher() -> None:
    """Ask for it to hash with settings.py's PASSWORD_HASHERS, costs and all."""


@pytest.fixture
def reader(db: None) -> User:
    return add_user("reader@example.org", PASSWORD)


@pytest.fixture
def signed_in(client: Client, reader: User) -> Client:
    client.force_login(reader)
    return client


def link_in(message: mail.EmailMessage) -> str:
    """The one site link in an email, as a path the test client can open."""
    links = _LINK.findall(str(message.body))
    assert len(links) == 1, message.body
    return links[0]


def without_tokens(html: str) -> str:
    """A page with its per-session CSRF tokens blanked, to compare two visitors' pages."""
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
