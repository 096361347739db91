"""No page tells a visitor whether an address has an account: sign-up, reset, email change and
sign-in answer an address with an account exactly as they answer one without. Only the mailbox
learns the difference (by the email it receives)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.tasks.signals import task_enqueued
from django.test import Client
from django.urls import reverse

from newsstand.accounts.actions import add_user
from tests.accounts.conftest import PASSWORD, without_tokens
from tests.conftest import QuickArgon2Hasher

pytestmark = pytest.mark.django_db

TAKEN = "reader@example.org"
FREE = "nobody@example.org"


def _journey(
    url: str, address: str, data: dict[str, str], client: Client | None = None
) -> tuple[int, str, str]:
    """POST as a fresh visitor; the status, where it leads and the page shown there, with the
    address typed in blanked (it is echoed back, as "sent to ADDRESS" or in the form)."""
    client = client or Client()
    response = client.post(url, data)
    page = client.get(response["Location"]) if response.status_code == 302 else response
    html = without_tokens(page.content.decode()).replace(address, "ADDRESS")
    return response.status_code, response.get("Location", ""), html


def test_sign_up_with_a_taken_address_looks_like_any_sign_up(reader: User) -> None:
    url = reverse("account_signup")
    taken = _journey(url, TAKEN, {"email": TAKEN, "password1": PASSWORD, "password2": PASSWORD})
    free = _journey(url, FREE, {"email": FREE, "password1": PASSWORD, "password2": PASSWORD})
    assert taken == free
    assert taken[1] == reverse("account_email_verification_sent")
    assert "already" not in taken[2]

    # One account per address still: the owner is told by email instead.
    assert User.objects.filter(email__iexact=TAKEN).count() == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {TAKEN, FREE}
    assert "an account already uses this address" in by_address[TAKEN].body
    assert "/accounts/password/reset/" in by_address[TAKEN].body
    assert "/accounts/confirm-email/" in by_address[FREE].body


class CountingHasher(QuickArgon2Hasher):
    hashes = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashes += 1
        return super().encode(password, salt)


def test_sign_up_does_the_same_slow_work_for_a_taken_address(reader: User, settings) -> None:
    """The time an answer takes must not tell either: a taken address once answered in 20 ms, a
    new one in 200 (the password hash, the email). Both hash once and leave the email to the
    task consumer; the request sends none."""
    from huey.contrib.djhuey import HUEY

    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    HUEY.immediate = False  # queue the tasks, as in production; the autouse fixture restores it
    enqueued: list[Any] = []

    def on_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
        enqueued.append(task_result)

    def sign_up(address: str) -> tuple[int, int, list[str]]:
        CountingHasher.hashes = 0
        mail.outbox.clear()
        enqueued.clear()
        data = {"email": address, "password1": PASSWORD, "password2": PASSWORD}
        assert Client().post(reverse("account_signup"), data).status_code == 302
        work = (CountingHasher.hashes, len(mail.outbox), [r.task.name for r in enqueued])
        # What the consumer would do: the email arrives, to the address typed.
        for result in enqueued:
            result.task.call(*result.args, **result.kwargs)
        assert [m.to for m in mail.outbox] == [[address]]
        return work

    task_enqueued.connect(on_enqueued)
    try:
        taken, free = sign_up(TAKEN), sign_up(FREE)
    finally:
        task_enqueued.disconnect(on_enqueued)
    assert taken == free == (1, 0, ["send_account_email_task"])


def test_password_reset_answers_the_same_for_unknown_addresses(reader: User) -> None:
    url = reverse("account_reset_password")
    assert _journey(url, TAKEN, {"email": TAKEN}) == _journey(url, FREE, {"email": FREE})
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/accounts/password/reset/key/" in by_address[TAKEN].body
    assert "no account uses this address" in by_address[FREE].body


def test_email_change_to_a_taken_address_looks_like_any_change(reader: User) -> None:
    add_user("other@example.org", PASSWORD)
    url = reverse("account_email")

    def change_to(address: str) -> tuple[int, str, str]:
        client = Client()
        client.force_login(reader)
        result = _journey(url, address, {"email": address, "action_add": ""}, client)
        # Cancel, so the next attempt starts from the same state.
        client.post(url, {"email": address, "action_remove": ""})
        return result

    assert change_to("other@example.org") == change_to("fresh@example.org")
    # The taken address cannot be confirmed into this account: the other account keeps it.
    assert User.objects.get(email="other@example.org")
    reader.refresh_from_db()
    assert reader.email == TAKEN


def test_sign_in_failure_is_the_same_for_unknown_addresses(reader: User) -> None:
    url = reverse("account_login")
    wrong_password = _journey(url, TAKEN, {"login": TAKEN, "password": "wrong-password-1"})
    unknown = _journey(url, FREE, {"login": FREE, "password": "wrong-password-1"})
    assert wrong_password == unknown
    assert "not correct" in unknown[2]
