from __future__ import annotations

from typing import Any

from allauth.account.forms import ReauthenticateForm


class DeleteAccountForm(ReauthenticateForm):
    """The password again before deleting: allauth's check, rate limit included."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["password"]
        field.label = "Your password"
        field.help_text = "To make sure it is you."
