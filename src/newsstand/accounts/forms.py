from __future__ import annotations

from typing import Any

from allauth.account.forms import ReauthenticateForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.http import HttpRequest


class DeleteAccountForm(ReauthenticateForm):
    """The password again before deleting: allauth's check, rate limit included."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["password"]
        field.label = "Your password"
        field.help_text = "To make sure it is you."


def password_hint() -> str:
    """The configured password rules in one line.

    Django's own help is a list of four sentences, a wall above the field on a phone. Rules of
    validators not named here still apply: their message shows if a password breaks them.
    """
    rules: list[str] = []
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, MinimumLengthValidator):
            rules.insert(0, f"at least {validator.min_length} characters")
        elif isinstance(validator, NumericPasswordValidator):
            rules.append("not only digits")
        elif isinstance(validator, CommonPasswordValidator):
            rules.append("not a common password")
        elif isinstance(validator, UserAttributeSimilarityValidator):
            rules.append("not like your email address")
    if not rules:
        return ""
    text = rules[0] if len(rules) == 1 else ", ".join(rules[:-1]) + " and " + rules[-1]
    return text[0].upper() + text[1:] + "."


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (ACCOUNT_FORMS), doing the same work for an address that has an
    account, with the password rules as a one-line hint and the length of the free trial a
    sign-up starts, for the page to say.

    allauth answers a taken address with the same page (ACCOUNT_PREVENT_ENUMERATION) but skips
    creating the account, and so hashing the password: the answer came ten times sooner than
    for a new address. Hashing it anyway (and thrown away) makes the two take as long; both
    send their email from the task consumer (adapter.send_mail).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            self.fields["password1"].help_text = password_hint()
        # Read here, not imported from membership (a package above accounts), which starts it.
        self.trial_days = int(getattr(settings, "NEWSSTAND_TRIAL_DAYS", 0))

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
