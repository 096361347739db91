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

__all__ = [
    "MIN_PLAUSIBLE_YEAR",
    "align_to_day",
    "parse_datetime",
    "revision_day",
    "url_date",
    "visible_days",
    "without_visible_dates",
]

logger = logging.getLogger(__name__)

MIN_PLAUSIBLE_YEAR = 1995
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HOUR_S = 3600
# Offsets newsrooms publish in: Hawaii (-10) to the Line Islands (+14); beyond that a "local
# day" shift would only fit a URL or printed date that names another day than publication.
_MIN_NEWS_OFFSET_H = -10
_MAX_NEWS_OFFSET_H = 14
# Zone abbreviations pages print after times ("5:15 PM EST"); dateutil ignores them otherwise
# and the time would be read as UTC, often on the wrong day.
TZ_ABBREVIATIONS: dict[str, int] = {
    name: int(hours * _HOUR_S)
    for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
        "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1,
        "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "JST": 9, "KST": 9,
        "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13, "SGT": 8,
        "HKT": 8, "WIB": 7, "PHT": 8,
    }.items()
}  # fmt: skip
# Month names in the languages of most pages (English, French, German, Italian, Spanish,
# Portuguese); the same name never means two different months.
_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "janvier", "januar", "gennaio", "enero", "janeiro"),
    ("february", "feb", "février", "fevrier", "februar", "febbraio", "febrero", "fevereiro"),
    ("march", "mar", "mars", "märz", "marzo", "março"),
    ("april", "apr", "avril", "aprile", "abril"),
    ("may", "mai", "maggio", "mayo", "maio"),
    ("june", "jun", "juin", "juni", "giugno", "junio", "junho"),
    ("july", "jul", "juillet", "juli", "luglio", "julio", "julho"),
    ("august", "aug", "août", "aout", "agosto"),
    ("september", "sep", "sept", "septembre", "settembre", "septiembre", "setembro"),
    ("october", "oct", "octobre", "oktober", "ottobre", "octubre", "outubro"),
    ("november", "nov", "novembre", "noviembre", "novembro"),
    ("december", "dec", "décembre", "decembre", "dezember", "dicembre", "diciembre", "dezembro"),
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_VISIBLE_DATE_RE = re.compile(
    rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MONTH_RE},?\s+(?:de\s+)?"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


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
                parsed = dateutil_parser.parse(text, fuzzy=False, tzinfos=TZ_ABBREVIATIONS)
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    reference = now or datetime.now(tz=UTC)
    if parsed.year < MIN_PLAUSIBLE_YEAR or (parsed - reference).total_seconds() > 86_400:
        logger.debug("implausible date %r", text)
        return None
    return parsed


# A compact date as a path segment or the last word of a slug (/20200413/, /story-20200113).
_COMPACT_URL_DATE_RE = re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$|[-_.])")


def url_date(url: str | None) -> date | None:
    """The publication day many sites put in their URLs (/2020/02/17/…, /20200413/, …-20200413)."""
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
    shown on the day the publisher printed. Unchanged when no offset from -10 h to +14 h does that.
    """
    if moment.date() == day:
        return moment
    for hours in sorted(range(_MIN_NEWS_OFFSET_H, _MAX_NEWS_OFFSET_H + 1), key=abs):
        shifted = moment.astimezone(timezone(timedelta(hours=hours)))
        if shifted.date() == day:
            return shifted
    return moment


def visible_days(texts: list[str]) -> set[date]:
    """Days written out in *texts* as readers see them ("Dec. 19, 2023", "19 December 2023")."""
    days: set[date] = set()
    for text in texts:
        for match in _VISIBLE_DATE_RE.finditer(text):
            if match[1]:
                month, day, year = _MONTHS[match[1].lower()], match[2], match[3]
            else:
                day, month, year = match[4], _MONTHS[match[5].lower()], match[6]
            try:
                days.add(date(int(year), month, int(day)))
            except ValueError:
                continue
    return days


def revision_day(published: date, updated: date, shown: set[date]) -> date | None:
    """The one day a page prints when it is neither its publication nor its update day.

    Pages re-dated on revision show the revision's day while the metadata keeps the first
    publication and a later technical touch; a single printed day strictly between the two is
    that revision. Anything else (several days, a day outside the range such as today's date in
    a masthead) says nothing reliable.
    """
    if len(shown) != 1:
        return None
    (day,) = shown
    return day if published < day < updated else None


def without_visible_dates(text: str) -> str:
    """*text* with the dates written out in it ("Dec. 19, 2023") taken out."""
    return _VISIBLE_DATE_RE.sub(" ", text)
