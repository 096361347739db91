"""Who is calling the API: a personal token (`Authorization: Bearer ns_…`), else the session.

Anonymous callers are let through as anonymous: the API is public, only full text is not, and
the gate (gate.policy) decides that from the user found here. A request that sends an
Authorization header must send a valid one: a wrong or revoked token is a 401 with the reason,
never a silent fall back to anonymous (a script would otherwise read teasers and not know why).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from newsstand.api.actions import use_api_token

TOKENS_PAGE = "/account/api-tokens/"


class PersonalToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token made on the API tokens page."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header, "").strip()
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise AuthenticationError(message='Send the token as "Authorization: Bearer <token>".')
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = use_api_token(token)
        if user is None:
            raise AuthenticationError(
                message=f"This API token is not valid (revoked or mistyped); "
                f"make a new one at {TOKENS_PAGE}."
            )
        return user


class SessionOrAnonymous(SessionAuth):
    """The signed-in reader of the web app (its session cookie), or an anonymous visitor.

    Only safe methods exist in this API, so Django's CSRF check (run for unsafe ones) never
    refuses a call.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        # AnonymousUser is truthy, so Ninja accepts it as this request's `auth`.
        return request.user if request.user.is_authenticated else AnonymousUser()


def caller(request: HttpRequest) -> Any:
    """The user the API acts for: the token's owner, the session's user or AnonymousUser."""
    return getattr(request, "auth", None) or AnonymousUser()
