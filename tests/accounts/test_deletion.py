"""Deletion steps: what packages must finish before an account goes, and a step that cannot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from newsstand.accounts.actions import delete_account
from newsstand.accounts.deletion import (
    DeletionBlocked,
    register_deletion_step,
    registered_deletion_steps,
    unregister_deletion_step,
)
from tests.accounts.conftest import PASSWORD, signed_in_user_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen() -> Iterator[list[tuple[str, bool]]]:
    """A temporary step recording whom it ran for and whether they still existed then."""
    calls: list[tuple[str, bool]] = []

    def step(user: User) -> None:
        calls.append((user.email, User.objects.filter(pk=user.pk).exists()))

    register_deletion_step("test_seen", step)
    yield calls
    unregister_deletion_step("test_seen")


@pytest.fixture
def blocking() -> Iterator[None]:
    def step(user: User) -> None:
        raise DeletionBlocked("The archive could not let go of your account: it is busy.")

    register_deletion_step("test_blocking", step)
    yield
    unregister_deletion_step("test_blocking")


def test_membership_registers_its_step() -> None:
    assert "membership" in registered_deletion_steps()


def test_steps_run_before_the_user_is_deleted(reader: User, seen: list[Any]) -> None:
    delete_account(reader)
    assert seen == [("reader@example.org", True)]
    assert not User.objects.filter(email="reader@example.org").exists()


def test_a_blocking_step_keeps_the_account_and_the_page_says_why(
    signed_in: Client, reader: User, blocking: None
) -> None:
    response = signed_in.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 503
    html = response.content.decode()
    assert "The archive could not let go of your account: it is busy." in html
    assert 'role="alert"' in html
    assert User.objects.filter(pk=reader.pk).exists()
    assert signed_in_user_id(signed_in) == str(reader.pk)  # still signed in, can try again


def test_step_names_are_checked() -> None:
    with pytest.raises(ValueError, match="short identifier"):
        register_deletion_step("not a name", lambda user: None)
    with pytest.raises(ValueError, match="already registered"):
        register_deletion_step("membership", lambda user: None)
