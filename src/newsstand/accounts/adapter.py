"""allauth's hooks that Newsstand changes."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from newsstand.accounts.landing import landing_url

# Messages for which the page itself is the news: the header switches between "Sign in" and
# "Account". Queued, they would wait for the next account page (reader pages show no messages,
# which keeps them the same for every visitor) and greet the reader there, out of date.
SILENT_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})


class AccountAdapter(DefaultAccountAdapter):
    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in SILENT_MESSAGES:
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A new reader's first sign-in (the one confirming their address, or any later one
        until they have seen it) lands on Start reading; a `next` wins over both."""
        return _start_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return _start_url(request) or super().get_signup_redirect_url(request)


def _start_url(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return landing_url(user)
    return ""
