"""Signal receivers: a sign-up starts the free trial."""

from __future__ import annotations

import logging
from typing import Any

from newsstand.membership import actions
from newsstand.membership.transitions import IllegalTransition

log = logging.getLogger(__name__)


def start_trial_on_sign_up(sender: Any, request: Any = None, user: Any = None, **_: Any) -> None:
    """allauth's user_signed_up: every new reader starts the free trial, no card asked."""
    if user is None:
        return
    try:
        actions.start_trial(user)
    except IllegalTransition as exc:
        # A new account cannot have had a trial; if it somehow has, sign-up still succeeds.
        log.warning("no trial on sign-up user_id=%s: %s", user.pk, exc)
