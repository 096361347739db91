"""Who is asking: a person opening a page, or software (a crawler, a link preview, a browser's
prefetch). Counting reads and spending metered views both depend on it, on every channel.
"""

from __future__ import annotations

import re

from django.http import HttpRequest

__all__ = ["BOT_USER_AGENT", "is_prefetch", "is_probable_robot"]

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|headless|python-|curl/|wget/",
    re.IGNORECASE,
)


def is_probable_robot(user_agent: str) -> bool:
    """Whether a User-Agent looks like software rather than a person; empty counts as software."""
    user_agent = user_agent.strip()
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def is_prefetch(request: HttpRequest) -> bool:
    purpose = " ".join(
        request.headers.get(h, "") for h in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
    ).lower()
    return "prefetch" in purpose or "preview" in purpose
