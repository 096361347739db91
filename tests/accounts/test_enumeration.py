"""No page tells a visitor whether an address has an account: sign-up, reset, email change and
sign-in answer an address with an account exactly as they answer one without. Only the mailbox
learns the difference (by the email it receives)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsstand.accounts.actions import add_user
from tests.accounts.conftest import PASSWORD, without_tokens

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
