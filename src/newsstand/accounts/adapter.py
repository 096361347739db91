"""allauth's hooks that Newsstand changes."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from newsstand.accounts.emails import message_payload
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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render in the request (links need it), send from the task consumer: a request never
        waits for the mail server, so sign-up, reset and email change take as long for an
        address with an account as for one without (the page is the same, see
        tests/accounts/test_enumeration.py)."""
        from newsstand.accounts.tasks import send_account_email_task

        request = allauth_context.request
        # The context allauth's own send_mail gives every account email.
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        send_account_email_task.enqueue(message_payload(message))

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
