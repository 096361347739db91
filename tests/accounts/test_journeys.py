"""Account journeys through the test client: each step a real request to allauth or our views."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, PASSWORD, link_in, signed_in_user_id

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def test_sign_up_confirm_email_and_arrive_signed_in(client: Client) -> None:
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_email">' in html
    assert '<label for="id_password1">' in html

    response = client.post(
        reverse("account_signup"),
        {"email": "New.Reader@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # Not signed in until the address is confirmed (see test_enumeration for why).
    assert signed_in_user_id(client) is None
    user = User.objects.get(email="new.reader@example.org")
    assert user.password.startswith("argon2")
    assert "Check your email" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.reader@example.org"]
    assert message.subject.startswith("[Newsstand] ")
    link = link_in(message)
    confirm_page = client.get(link)
    assert "Is <strong>new.reader@example.org</strong> your address?" in (
        confirm_page.content.decode()
    )
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    # A new reader lands on Start reading (foryou), once; the account page is a link away.
    assert confirmed["Location"] == reverse("foryou:start")
    assert signed_in_user_id(client) == str(user.pk)
    landing = client.get(confirmed["Location"]).content.decode()
    assert "Start reading" in landing
    # The news of the confirmation is on the page it leads to, not pages later.
    assert "You have confirmed new.reader@example.org" in landing
    client.get(reverse("reader:home"))
    account = client.get(reverse("accounts:account")).content.decode()
    assert "You sign in with <strong>new.reader@example.org</strong>" in account
    assert "You have confirmed" not in account
    assert EmailAddress.objects.get(user=user).verified


def test_sign_out_only_by_post(signed_in: Client, reader: User) -> None:
    confirm = signed_in.get(reverse("account_logout"))
    assert confirm.status_code == 200
    assert "Sign out of Newsstand on this device?" in confirm.content.decode()
    assert signed_in_user_id(signed_in) == str(reader.pk), "a GET must not sign out"

    response = signed_in.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(signed_in) is None
    home = signed_in.get("/").content.decode()
    assert ">Sign in</a>" in home
    assert "You have signed out" not in home


def test_sign_in_with_email_and_password(client: Client, reader: User) -> None:
    wrong = client.post(LOGIN, {"login": reader.email, "password": "not-the-password"})
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert 'role="alert"' in html
    assert "email address and/or password you specified are not correct" in html
    assert signed_in_user_id(client) is None

    response = client.post(LOGIN, {"login": "READER@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(reader.pk)
    home = client.get("/").content.decode()
    assert ">Account</a>" in home
    assert ">Sign out</button>" in home


def test_sign_in_returns_to_next(client: Client, reader: User) -> None:
    response = client.post(
        f"{LOGIN}?next=/publishers/", {"login": reader.email, "password": PASSWORD}
    )
    assert response["Location"] == "/publishers/"


def test_password_reset_by_email(client: Client, reader: User) -> None:
    response = client.post(reverse("account_reset_password"), {"email": reader.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [reader.email]
    link = link_in(mail.outbox[0])

    # allauth moves the key out of the URL into the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert not reader.check_password(PASSWORD)
    # The link works once.
    again = client.get(link, follow=True).content.decode()
    assert "This link has expired" in again
    assert client.post(LOGIN, {"login": reader.email, "password": NEW_PASSWORD}).status_code == 302


def test_change_email(signed_in: Client, reader: User) -> None:
    url = reverse("account_email")
    response = signed_in.post(url, {"email": "moved@example.org", "action_add": ""})
    assert response.status_code == 302
    page = signed_in.get(url).content.decode()
    assert "Changing to <strong>moved@example.org</strong>" in page
    # Until the new address is confirmed, the old one stays the sign-in address.
    assert EmailAddress.objects.get(user=reader, primary=True).email == "reader@example.org"

    assert [m.to for m in mail.outbox] == [["moved@example.org"]]
    link = link_in(mail.outbox[0])
    confirmed = signed_in.post(link)
    assert confirmed["Location"] == reverse("accounts:account")
    assert list(EmailAddress.objects.filter(user=reader).values_list("email", flat=True)) == [
        "moved@example.org"
    ]
    reader.refresh_from_db()
    assert reader.email == "moved@example.org"
    account = signed_in.get(reverse("accounts:account")).content.decode()
    assert "You have confirmed moved@example.org" in account

    new = Client().post(LOGIN, {"login": "moved@example.org", "password": PASSWORD})
    assert new.status_code == 302
    old = Client().post(LOGIN, {"login": "reader@example.org", "password": PASSWORD})
    assert old.status_code == 200


def test_change_password(signed_in: Client, reader: User) -> None:
    url = reverse("account_change_password")
    wrong = signed_in.post(
        url, {"oldpassword": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    html = wrong.content.decode()
    # The error is tied to its field: listed in the input's aria-describedby.
    assert '<ul class="errorlist" id="id_oldpassword_error">' in html
    assert re.search(r'aria-invalid="true" aria-describedby="[^"]*id_oldpassword_error', html)

    response = signed_in.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    # Changing the password keeps this session signed in.
    assert signed_in_user_id(signed_in) == str(reader.pk)
    assert "Password successfully changed" in signed_in.get(response["Location"]).content.decode()


def test_delete_account_offers_export_then_needs_password(signed_in: Client, reader: User) -> None:
    user_id = reader.pk
    page = signed_in.get(reverse("accounts:delete"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("accounts:export")}"' in html
    assert html.index("Download my data") < html.index("Delete my account")

    export = signed_in.get(reverse("accounts:export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/json")
    assert export["Content-Disposition"].startswith('attachment; filename="newsstand-data-')
    assert "no-cache" in export["Cache-Control"] or "no-store" in export["Cache-Control"]
    data = json.loads(export.content)
    assert data["account"]["email"] == "reader@example.org"

    # A GET never deletes, a wrong password never deletes.
    wrong = signed_in.post(reverse("accounts:delete"), {"password": "nope"})
    assert wrong.status_code == 400
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert User.objects.filter(pk=user_id).exists()

    response = signed_in.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")
    assert not User.objects.filter(pk=user_id).exists()
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    assert signed_in_user_id(signed_in) is None
    assert "Your account is deleted" in signed_in.get(response["Location"]).content.decode()
    again = signed_in.get(reverse("accounts:account"))
    assert again.status_code == 302
    assert again["Location"].startswith(LOGIN)
    # The address is free again.
    assert Client().post(LOGIN, {"login": reader.email, "password": PASSWORD}).status_code == 200


def test_account_pages_need_sign_in(client: Client) -> None:
    for name in ("accounts:account", "accounts:export", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={reverse(name)}"
    assert client.post(reverse("accounts:delete"), {"password": "x"}).status_code == 302
