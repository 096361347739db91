"""`newsstand users add EMAIL`: through call_command, and as a real process fed on stdin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import PASSWORD, signed_in_user_id
from tests.databases import database_url

pytestmark = pytest.mark.django_db


def _add(email: str, stdin: Any) -> str:
    out = io.StringIO()
    call_command("users", "add", email, stdin=stdin, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_add_reads_one_line_and_the_user_can_sign_in(client: Client) -> None:
    # Only the line break is dropped; the rest of stdin is not read.
    out = _add("Editor@Example.org", io.StringIO(f"{PASSWORD}\nignored\n"))
    assert "Added editor@example.org" in out
    user = User.objects.get(email="editor@example.org")
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("editor@example.org", True, True)
    # Verified, so signing in works at once (verification is mandatory for sign-ups).
    client.post(reverse("account_login"), {"login": "editor@example.org", "password": PASSWORD})
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    ("email", "stdin", "message"),
    [
        ("not-an-email", f"{PASSWORD}\n", "'not-an-email' is not a valid email address"),
        ("a@example.org", "", "No password on standard input"),
        ("a@example.org", "\n", "No password on standard input"),
        ("a@example.org", "password\n", "too weak: This password is too common."),
        ("a@example.org", "12345678901\n", "This password is entirely numeric."),
    ],
)
def test_add_refuses_bad_input(email: str, stdin: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _add(email, io.StringIO(stdin))
    assert not User.objects.exists()


LONG_EMAIL = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "com"  # valid in form, 312 characters


def test_add_refuses_an_address_longer_than_the_email_field() -> None:
    assert len(LONG_EMAIL) == 312
    limit = User._meta.get_field("email").max_length
    assert limit == 254
    with pytest.raises(CommandError, match="is longer than 254 characters"):
        _add(LONG_EMAIL, io.StringIO(f"{PASSWORD}\n"))
    assert not User.objects.exists()
    longest = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "c" * 3 + ".co"  # 254 exactly
    assert len(longest) == limit
    assert f"Added {longest}" in _add(longest, io.StringIO(f"{PASSWORD}\n"))


def test_add_refuses_a_taken_address(reader: User) -> None:
    with pytest.raises(
        CommandError, match=r"an account with the email reader@example\.org already"
    ):
        _add("READER@example.org", io.StringIO(f"{PASSWORD}\n"))
    assert User.objects.count() == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_password_is_asked_twice_without_echo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter([PASSWORD, PASSWORD + "typo"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    with pytest.raises(CommandError, match="The two passwords differ"):
        _add("a@example.org", _Terminal())
    assert prompts == ["Password: ", "Password (again): "]

    answers = iter([PASSWORD, PASSWORD])
    assert "Added a@example.org" in _add("a@example.org", _Terminal())


def _newsstand(tmp_path: Any, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSSTAND_")}
    env |= {"NEWSSTAND_DATA_DIR": str(tmp_path), "NEWSSTAND_DATABASE_URL": database_url()}
    # One machine: on PostgreSQL the file queue and cache would otherwise stop the command.
    env["NEWSSTAND_SINGLE_NODE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "newsstand", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_as_a_process_with_the_password_piped_in(tmp_path: Any) -> None:
    done = _newsstand(tmp_path, "users", "add", "piped@example.org", stdin=f"{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    assert "Added piped@example.org" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert User.objects.get(email="piped@example.org").check_password(PASSWORD)

    again = _newsstand(tmp_path, "users", "add", "piped@example.org", stdin=f"{PASSWORD}\n")
    assert again.returncode != 0
    assert "already exists" in again.stderr
    assert User.objects.count() == 1
