"""Read tickets: the article page signs who opened which article when; the read claim returns it.

The server cannot watch a reader read, but it can refuse claims it did not set up: the ticket
(django.core.signing with the site's secret key and a salt of its own) binds the user id, the
article id and the time the page was served, so a claim cannot be forged, moved to another
article or reader, back-dated to skip the reading time, or replayed after READ_TICKET_MAX_AGE_S.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing

SALT = "newsstand.ledger.read-ticket"
MALFORMED = "The read ticket's contents are not what Newsstand issues."


class TicketError(Exception):
    """A ticket that is not good for this claim; `code` for logs and tests, the text for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Ticket:
    user_id: int
    article_id: int
    opened_at: datetime


def issue_ticket(user_id: int, article_id: int, opened_at: datetime) -> str:
    # Milliseconds: whole seconds would round the open time and let a claim in up to 1 s early.
    opened_ms = round(opened_at.timestamp() * 1000)
    return signing.Signer(salt=SALT).sign_object({"u": user_id, "a": article_id, "t": opened_ms})


def _payload(value: Any) -> Ticket:
    malformed = TicketError("malformed", MALFORMED)
    if not isinstance(value, dict):
        raise malformed
    user_id, article_id, opened_ms = value.get("u"), value.get("a"), value.get("t")
    # `type(...) is int`, not isinstance: JSON true/false would pass as 1/0.
    if not (type(user_id) is int and type(article_id) is int and type(opened_ms) is int):
        raise malformed
    try:
        opened_at = datetime.fromtimestamp(opened_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise malformed from None
    return Ticket(user_id=user_id, article_id=article_id, opened_at=opened_at)


def read_ticket(
    value: str, *, user_id: int, article_id: int, now: datetime, max_age_s: int
) -> Ticket:
    """The ticket's contents if it is genuine, this reader's, for this article and not expired."""
    try:
        ticket = _payload(signing.Signer(salt=SALT).unsign_object(value))
    except signing.BadSignature:
        raise TicketError(
            "forged", "The read ticket's signature is not valid: it was not issued by this site."
        ) from None
    except ValueError:  # a signed value that is not JSON
        raise TicketError("malformed", MALFORMED) from None
    if ticket.user_id != user_id:
        raise TicketError("wrong_reader", "The read ticket was issued to another reader.")
    if ticket.article_id != article_id:
        raise TicketError("wrong_article", "The read ticket was issued for another article.")
    age = now - ticket.opened_at
    if age > timedelta(seconds=max_age_s):
        raise TicketError(
            "expired",
            f"The read ticket has expired: the page was opened more than {max_age_s // 3600} "
            "hours ago. Reload the article to read it again.",
        )
    if age < timedelta(0):
        raise TicketError("malformed", "The read ticket's open time is in the future.")
    return ticket
