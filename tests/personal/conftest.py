"""Signed-in readers for the personal tests."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import User
from django.test import Client

_seq = itertools.count(1)


def make_user(email: str | None = None) -> User:
    n = next(_seq)
    email = email or f"reader{n}@example.org"
    return User.objects.create_user(username=f"reader{n}", email=email, password="unused-pw-1")


@pytest.fixture
def reader(db: None) -> User:
    return make_user()


@pytest.fixture
def reader_client(client: Client, reader: User) -> Client:
    client.force_login(reader)
    return client
