from __future__ import annotations

from typing import Any

from allauth.account.forms import ReauthenticateForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class DeleteAccountForm(ReauthenticateForm):
    """The password again before deleting: allauth's check, rate limit included."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["password"]
        field.label = "Your password"
        field.help_text = "To make sure it is you."


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, doing the same work for an address that has an account.

    allauth answers a taken address with the same page (ACCOUNT_PREVENT_ENUMERATION) but skips
    creating the account, and so hashing the password: the answer came ten times sooner than
    for a new address. Hashing it anyway (and thrown away) makes the two take as long; both
    send their email from the task consumer (adapter.send_mail).
    """

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
