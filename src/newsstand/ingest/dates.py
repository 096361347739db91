"""Reading a page's publication and update times without shifting them to another day.

The page's own offset is kept ("2023-12-17T23:30:00-05:00" stays on the 17th); a time stated
without an offset is taken as UTC; a bare date becomes midnight UTC of that date.
:func:`page_published` decides the time a reader of a page would name, from its declared
metadata, its URL and the dates it prints.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser
from lxml import etree
from lxml.html import HtmlElement

from newsstand.ingest.titles import find_headline, texts_after

if TYPE_CHECKING:
    # Only for annotations: metadata imports this module.
    from newsstand.ingest.metadata import PageMetadata

__all__ = [
    "MIN_PLAUSIBLE_YEAR",
    "align_to_day",
    "page_published",
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
# Portuguese, Arabic with its Levantine names); the same name never means two different months.
_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "janvier", "januar", "gennaio", "enero", "janeiro", "يناير", "كانون الثاني"),
    ("february", "feb", "février", "fevrier", "februar", "febbraio", "febrero", "fevereiro",
     "فبراير", "شباط"),
    ("march", "mar", "mars", "märz", "marzo", "março", "مارس", "آذار"),
    ("april", "apr", "avril", "aprile", "abril", "أبريل", "ابريل", "نيسان"),
    ("may", "mai", "maggio", "mayo", "maio", "مايو", "أيار"),
    ("june", "jun", "juin", "juni", "giugno", "junio", "junho", "يونيو", "حزيران"),
    ("july", "jul", "juillet", "juli", "luglio", "julio", "julho", "يوليو", "تموز"),
    ("august", "aug", "août", "aout", "agosto", "أغسطس", "اغسطس", "آب"),
    ("september", "sep", "sept", "septembre", "settembre", "septiembre", "setembro", "سبتمبر",
     "أيلول"),
    ("october", "oct", "octobre", "oktober", "ottobre", "octubre", "outubro", "أكتوبر", "اكتوبر",
     "تشرين الأول"),
    ("november", "nov", "novembre", "noviembre", "novembro", "نوفمبر", "تشرين الثاني"),
    ("december", "dec", "décembre", "decembre", "dezember", "dicembre", "diciembre", "dezembro",
     "ديسمبر", "كانون الأول"),
)  # fmt: skip
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_VISIBLE_DATE_RE = re.compile(
    rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MONTH_RE}"
    # Arabic pages often give a month both names: "24 نيسان / أبريل 2020".
    rf"(?:\s*/\s*{_MONTH_RE.replace('(', '(?:')})?,?\s+(?:de\s+)?"
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


# --- Guessing a page's publication time from its HTML ---------------------------------------

_DATE_CLASS_RE = re.compile(r"date|time|publish|posted|updated|byline|dateline", re.I)
_POSTED_CLASS_RE = re.compile(r"publish|posted|dateline|byline", re.I)
_DATE_TAGS = ("time", "span", "div", "p", "li", "dd", "h2", "h3", "h4", "h5", "h6")
_MAX_DATE_CHILDREN = 12
_TIME_OF_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_HEADER_CLASS_RE = re.compile(r"article-?header|post-?header|entry-?header|story-?header", re.I)
_MAX_DATE_TEXT_CHARS = 200


class _DateLines:
    """The short texts of a page's date and byline lines, read once when first needed."""

    def __init__(self, tree: HtmlElement) -> None:
        self._tree = tree
        self._posted: list[str] | None = None
        self._dated: list[str] = []

    def _read(self) -> None:
        posted: list[str] = []
        # One walk for both lists: visiting every element is most of the time spent here.
        for element in self._tree.iter(_DATE_TAGS):
            if len(element) > _MAX_DATE_CHILDREN:
                continue  # a container (a "timeline", an "update" feed), not a date line
            attrib = element.attrib
            is_posted = bool(attrib) and bool(
                _POSTED_CLASS_RE.search(attrib.get("class") or "")
                or _POSTED_CLASS_RE.search(attrib.get("id") or "")
            )
            is_dated = element.tag == "time" or _is_date_line(element)
            if not (is_posted or is_dated):
                continue
            text = element.text_content()
            if len(text) > _MAX_DATE_TEXT_CHARS:
                continue
            if is_posted:
                posted.append(text)
            if is_dated:
                self._dated.append(text)
        self._posted = posted

    def posted(self) -> list[str]:
        """Texts of elements classed as the posting date or the byline."""
        if self._posted is None:
            self._read()
        return self._posted or []

    def dated(self) -> list[str]:
        """Texts of <time> elements, of elements classed as dates or bylines, and of the
        unclassed lines of an article header (where many pages print the date under the
        headline)."""
        if self._posted is None:
            self._read()
        return self._dated


def page_published(
    tree: HtmlElement, url: str | None, base_url: str | None, meta: PageMetadata
) -> datetime | None:
    """The publication time a reader of the page would name.

    The declared time first (on the publisher's local day), unless the byline prints an earlier
    day and the declared one appears nowhere on the page; when the page declares none, a date in
    the URL, a day printed where the page says it was posted, the first day printed under (or
    just above) the headline, then htmldate's reading of the markup. A page that prints only a
    later revision's day (an evergreen guide re-dated on each update) is published, for its
    readers, on that day.
    """
    lines = _DateLines(tree)
    if meta.published is None:
        headline_time = _headline_time(tree)
        if headline_time is not None:
            return headline_time
        day = url_date(url) or url_date(meta.canonical_url)
        shown: set[date] = set()
        if day is None:
            # One day printed where the page says it was posted, else one day printed at all.
            posted = visible_days(lines.posted())
            shown = visible_days(lines.dated())
            day = next(iter(posted if len(posted) == 1 else shown if len(shown) == 1 else ()), None)
        headline = find_headline(tree, meta.title)
        if day is None and headline is not None:
            # The day the byline prints beats htmldate's guess from the markup, which reads
            # image paths and modification stamps as readily as the posting day.
            day = _day_under_headline(headline) or _day_above_headline(headline)
        if day is not None:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        estimate = _htmldate(tree, base_url, extensive=headline is None)
        if estimate is not None and _unprinted_modification(estimate, meta, tree):
            return None
        return _local_day(estimate, lines, url, meta, shown)
    published = _local_day(meta.published, lines, url, meta)
    printed = _printed_instead(tree, meta, published)
    if printed is not None:
        if meta.updated is not None and meta.updated.date() == printed:
            return meta.updated
        return datetime(printed.year, printed.month, printed.day, tzinfo=UTC)
    updated = meta.updated
    if (
        published is None
        or updated is None
        or updated <= published
        or updated.date() == published.date()
    ):
        return published
    # Only pages revised on a later day need to know which days they print.
    shown = visible_days(lines.dated())
    if not shown or published.date() in shown:
        return published
    updated = _local_day(updated, lines, url, meta, shown) or updated
    if updated.date() in shown:
        return updated
    revision = revision_day(published.date(), updated.date(), shown)
    if revision is not None:
        return datetime(revision.year, revision.month, revision.day, tzinfo=UTC)
    return published


_MONTHS_A_YEAR = 12
# A UTC time shown on the publisher's calendar falls on the day before or after.
_MAX_LOCAL_DAY_SHIFT_DAYS = 1


def _printed_instead(
    tree: HtmlElement, meta: PageMetadata, published: datetime | None
) -> date | None:
    """The earlier day the byline prints under the headline, when the declared publication day
    appears nowhere on the page.

    CMS templates declare the day the page was last built or re-saved (datePublished equal to
    dateModified, a migration's date) while the byline shows readers the day the article is
    dated; a declared day that the page prints nowhere is not the one it stands by. A day one
    off is the same instant on another calendar (see `_local_day`), not a different date.
    """
    if published is None:
        return None
    headline = find_headline(tree, meta.title)
    if headline is None:
        return None
    day = _day_under_headline(headline)
    # Only an earlier day: a later one is a revision the byline prints, and whether a page is
    # dated by its revision is `page_published`'s update-day rule, not this one's.
    if day is None or (published.date() - day).days <= _MAX_LOCAL_DAY_SHIFT_DAYS:
        return None
    if published.date() in _printed_days(tree):
        return None
    return day


_SHOWN_TEXT = etree.XPath("//body//text()[not(ancestor::script or ancestor::style)]")


def _printed_days(tree: HtmlElement) -> set[date]:
    """Every day written out or in numbers in the text the page shows (not its scripts)."""
    text = " ".join(_SHOWN_TEXT(tree))
    days = visible_days([text])
    for numeric in _NUMERIC_DAY_RE.finditer(text):
        day = _numeric_day(numeric)
        if day is not None:
            days.add(day)
            if day.day <= _MONTHS_A_YEAR:
                # "09/08/2015" is 9 August for most of the world, 8 September in the US.
                with contextlib.suppress(ValueError):
                    days.add(date(day.year, day.day, day.month))
    return days


def _unprinted_modification(estimate: datetime, meta: PageMetadata, tree: HtmlElement) -> bool:
    """True when htmldate's estimate is only the page's declared modification day, which the
    page prints nowhere.

    A page that states when it was last touched but not when it was published, and shows no
    day to its readers, is an evergreen page its CMS re-saves: the day says nothing about
    publication. A printed day (an "Updated Dec 12, 2025" line) is the page's own date.
    """
    if meta.updated is None or estimate.date() != meta.updated.date():
        return False
    # Joined with spaces: a day at the end of one block must not run into the next block's word.
    return meta.updated.date() not in visible_days([" ".join(tree.itertext())])


def _headline_time(tree: HtmlElement) -> datetime | None:
    """The first machine-readable <time> after the headline: the byline's "posted on"."""
    seen_h1 = False
    for element in tree.iter("h1", "time"):
        if element.tag == "h1":
            seen_h1 = True
        elif seen_h1 and element.get("datetime"):
            moment = parse_datetime(element.get("datetime"))
            if moment is not None and _TIME_OF_DAY_RE.search(element.get("datetime", "")):
                return _on_printed_day(moment, element.text_content())
            return None
    return None


def _on_printed_day(moment: datetime, printed: str) -> datetime:
    """*moment* on the day its element prints, when that is the next or previous day: a time in
    UTC shown to readers on the publisher's own calendar ("February 23" for 04:13 UTC on the
    24th)."""
    days = visible_days([printed])
    if len(days) != 1:
        return moment
    (day,) = days
    return align_to_day(moment, day) if abs((moment.date() - day).days) == 1 else moment


def _local_day(
    published: datetime | None,
    lines: _DateLines,
    url: str | None,
    meta: PageMetadata,
    shown: set[date] | None = None,
) -> datetime | None:
    """Show a UTC timestamp on the publisher's own calendar day when the page says which.

    A time stated in UTC can fall on the next or previous day of the day the publisher
    printed. That day comes from the URL (/2023/12/19/...) or, failing that, from a date
    written out in the page's date and byline elements; the instant is kept, only its offset
    changes.
    """
    if published is None or published.utcoffset():
        return published
    day = url_date(url) or url_date(meta.canonical_url)
    if day is None:
        if shown is None:
            shown = visible_days(lines.dated())
        near = [d for d in shown if abs((published.date() - d).days) == 1]
        if published.date() in shown or len(near) != 1:
            return published
        day = near[0]
    if abs((published.date() - day).days) != 1:
        return published
    return align_to_day(published, day)


def _is_date_line(element: HtmlElement) -> bool:
    attrib = element.attrib
    if attrib:
        names = attrib.get("class")
        if (names and _DATE_CLASS_RE.search(names)) or _DATE_CLASS_RE.search(
            attrib.get("id") or ""
        ):
            return True
        if names is not None:
            return False
    parent = element.getparent()
    return parent is not None and bool(_HEADER_CLASS_RE.search(parent.get("class") or ""))


def _htmldate(tree: HtmlElement, url: str | None, *, extensive: bool = False) -> datetime | None:
    """htmldate's estimate from the page's markup, for pages that state no date we read.

    Its free-text search ("extensive") is left out: it took half the extraction time of the
    pages that reach it (it parses candidate strings with dateparser), and the first day printed
    under the headline (`_day_under_headline`) finds as many right days. A 1 January estimate
    is a year read from a copyright line, not a day the page was published on: no date.
    """
    from htmldate import find_date

    try:
        found = find_date(tree, extensive_search=extensive, original_date=True, url=url)
    except (ValueError, TypeError) as exc:
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
    if not found or found.endswith(_NEW_YEAR):
        return None
    return datetime.fromisoformat(found).replace(tzinfo=UTC)


_NEW_YEAR = "-01-01"


_FOLLOWING_TEXTS = 60  # after the headline (photo captions left out: they date the photo)
_UNDER_HEADLINE_CHARS = 400  # of text after the headline: where bylines and datelines are
_MAX_DATE_LINE_CHARS = 80  # a text this short holding a day is a date or byline line


def _day_under_headline(headline: HtmlElement) -> date | None:
    """The first day written out in the text that follows the headline, as bylines print it.

    A day on a line of its own ("Dec 17, 2025 · 6 min read") wins over one inside a longer
    text (a photo credit, a sentence) that comes before it.
    """
    read = 0
    first: date | None = None
    for piece in texts_after(headline, _FOLLOWING_TEXTS):
        text = " ".join(piece.split())
        if not text:
            continue
        day = _first_day(text[: _UNDER_HEADLINE_CHARS - read])
        if day is not None:
            if len(text) <= _MAX_DATE_LINE_CHARS:
                return day
            first = first or day
        read += len(text)
        if read >= _UNDER_HEADLINE_CHARS:
            break
    return first


# The text just above the headline, nearest first: where many templates print the date line.
_PRECEDING_TEXT = etree.XPath(
    "preceding::text()[not(ancestor::script or ancestor::style or ancestor::figcaption)]"
    "[position() <= 10]"
)
_ABOVE_HEADLINE_CHARS = 120


def _day_above_headline(headline: HtmlElement) -> date | None:
    """A day printed on a line of its own just above the headline ("January 23, 2025")."""
    read = 0
    for piece in _PRECEDING_TEXT(headline):
        text = " ".join(piece.split())
        if not text:
            continue
        read += len(text)
        if read > _ABOVE_HEADLINE_CHARS:
            break
        if len(text) <= _MAX_DATE_LINE_CHARS:
            day = _first_day(text)
            if day is not None:
                return day
    return None


def _first_day(text: str) -> date | None:
    found: list[tuple[int, date]] = []
    match = _VISIBLE_DATE_RE.search(text)
    if match is not None:
        found.extend((match.start(), day) for day in visible_days([match[0]]))
    for numeric in _NUMERIC_DAY_RE.finditer(text):
        day = _numeric_day(numeric)
        if day is not None:
            found.append((numeric.start(), day))
            break
    return min(found)[1] if found else None


# Year first (2020/04/17, 2020-04-17, 2020.04.17, 2020年4月17日), or day first with the year last
# (22/11/2020, 17.05.2021): most of the world writes the day first; a US month-first date is
# read only when its day is over 12 and so cannot be a month.
_NUMERIC_DAY_RE = re.compile(
    r"(?<!\d)(?:((?:19|20)\d\d)[/.\-年]\s?(\d{1,2})[/.\-月]\s?(\d{1,2})日?"
    r"|(\d{1,2})([/.])(\d{1,2})\5((?:19|20)\d\d))(?!\d)"
)


def _numeric_day(match: re.Match[str]) -> date | None:
    if match[1]:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        first, second, year = int(match[4]), int(match[6]), int(match[7])
        day, month = (second, first) if second > 12 >= first else (first, second)
    try:
        return date(year, month, day)
    except ValueError:
        return None
