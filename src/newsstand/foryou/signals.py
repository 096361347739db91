"""allauth's user_signed_up: every new reader starts with "Start reading" ahead of them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from newsstand.foryou.actions import begin_onboarding


def onboard_on_sign_up(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    begin_onboarding(user)
