"""Reading a page's publication and update times without shifting them to another day.

The page's own offset is kept ("2023-12-17T23:30:00-05:00" stays on the 17th); a time stated
without an offset is taken as UTC; a bare date becomes midnight UTC of that date.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

__all__ = ["MIN_PLAUSIBLE_YEAR", "parse_datetime"]

logger = logging.getLogger(__name__)

MIN_PLAUSIBLE_YEAR = 1995
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: object, *, now: datetime | None = None) -> datetime | None:
    """Parse a date/time as pages write it; None when it is not a plausible date.

    Accepts ISO 8601, RFC 2822 and the common free forms dateutil reads, and Unix epochs
    (seconds or milliseconds). Dates in the future (beyond a day of clock skew) are refused.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text or len(text) > 100:
        return None
    parsed: datetime | None
    if _EPOCH_RE.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        parsed = datetime.fromtimestamp(seconds, tz=UTC)
    else:
        try:
            if _DATE_ONLY_RE.match(text):
                parsed = datetime.fromisoformat(text)
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = dateutil_parser.parse(text, fuzzy=False)
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    reference = now or datetime.now(tz=UTC)
    if parsed.year < MIN_PLAUSIBLE_YEAR or (parsed - reference).total_seconds() > 86_400:
        logger.debug("implausible date %r", text)
        return None
    return parsed
