"""The Save and Follow/Mute controls: one context for the page that shows them and for the
partial an HTMX request swaps in, so both always render the same markup."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest

from newsstand.personal.state import FollowState

SAVE_BUTTON_TEMPLATE = "personal/_save_button.html"
FOLLOW_BUTTONS_TEMPLATE = "personal/_follow_buttons.html"


def control_id(*parts: object) -> str:
    """A stable HTML id per control: HTMX keeps focus on a swapped button only if ids match.

    Keys can be any text (a section named "World/Europe", a topic in Greek); hashing keeps the
    id short and valid.
    """
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.blake2s(text.encode(), digest_size=5).hexdigest()


def save_button_context(
    request: HttpRequest, article_id: int, title: str, *, saved: bool, next_url: str
) -> dict[str, Any]:
    return {
        "request": request,
        "user": request.user,
        "article_id": article_id,
        "title": title,
        "saved": saved,
        "next_url": next_url,
        "dom_id": f"save-{article_id}",
    }


def follow_buttons_context(
    request: HttpRequest, kind: str, key: str, label: str, *, state: FollowState, next_url: str
) -> dict[str, Any]:
    return {
        "request": request,
        "user": request.user,
        "kind": kind,
        "key": key,
        "label": label,
        "state": state,
        "next_url": next_url,
        "dom_id": f"follow-{control_id(kind, key)}",
    }
