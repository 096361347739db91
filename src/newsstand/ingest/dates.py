"""Reading a page's publication and update times without shifting them to another day.

The page's own offset is kept ("2023-12-17T23:30:00-05:00" stays on the 17th); a time stated
without an offset is taken as UTC; a bare date becomes midnight UTC of that date.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser

__all__ = ["MIN_PLAUSIBLE_YEAR", "align_to_day", "parse_datetime", "url_date"]

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


_COMPACT_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$|[-_])")


def url_date(url: str | None) -> date | None:
    """The publication day many sites put in their URLs (/2020/02/17/…, /20200413/…)."""
    if not url:
        return None
    from htmldate.extractors import extract_url_date
    from htmldate.utils import Extractor

    options = Extractor(
        False, datetime(2100, 1, 1), datetime(MIN_PLAUSIBLE_YEAR, 1, 1), True, "%Y-%m-%d"
    )
    found = extract_url_date(url, options)
    if found:
        return date.fromisoformat(found)
    match = _COMPACT_URL_DATE_RE.search(urlsplit(url).path)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def align_to_day(moment: datetime, day: date) -> datetime:
    """Express *moment* in the smallest whole-hour offset that puts it on *day*.

    For a page that states its time in UTC while its URL names the local day: the same instant,
    shown on the day the publisher printed. Unchanged when no offset within ±14 h does that.
    """
    if moment.date() == day:
        return moment
    for hours in sorted(range(-12, 15), key=abs):
        shifted = moment.astimezone(timezone(timedelta(hours=hours)))
        if shifted.date() == day:
            return shifted
    return moment
