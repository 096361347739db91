"""Feed parsing: RSS 0.9x/1.0/2.0, Atom, RDF and JSON Feed into frozen dataclasses.

fastfeedparser (lxml-based, fast, reads JSON Feed too) goes first; feedparser, slower but
tolerant of broken markup and wrong encodings, is the fallback. Either way the result is
normalised here: plain-text titles, absolute URLs, UTC datetimes, one lead image.
"""

from __future__ import annotations

import calendar
import html
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import fastfeedparser
import feedparser
from dateutil import parser as dateparser
from lxml import etree

log = logging.getLogger(__name__)

# Publishers sometimes date items in the future (time zone slips, scheduled posts); more than
# this ahead of now is treated as unknown rather than pinned above every real item.
MAX_FUTURE_SKEW = timedelta(days=1)
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
SNIFF_BYTES = 2048
# A feed's language tag is cut at this many characters: BCP 47 tags in feeds are a few
# characters long, anything longer is junk (and it goes no further than the parsed feed).
LANGUAGE_TAG_MAX_CHARS = 16


class FeedParseError(ValueError):
    """The document is not a feed we can read; the message says why, for a staff member."""


@dataclass(frozen=True)
class ParsedEntry:
    guid: str
    url: str
    title: str
    summary_html: str
    authors: list[str]
    published: datetime | None
    updated: datetime | None
    categories: list[str]
    image_url: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    language: str
    ttl_minutes: int | None
    entries: list[ParsedEntry]


_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_SPACE_RE = re.compile(r"\s+")
_TTL_RE = re.compile(rb"<ttl>\s*(\d{1,6})\s*</ttl>", re.IGNORECASE)
_LANG_RE = re.compile(rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*<")
_XML_LANG_RE = re.compile(rb"<(?:\w+:)?feed\b[^>]*\bxml:lang=[\"']([A-Za-z0-9_-]{2,20})[\"']")
_HTML_START_RE = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S
)
_FEED_ROOT_RE = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF|channel)[\s>]", re.I)


# Control characters (C0, DEL, C1) but tab, newline and carriage return: invisible in text, and
# NUL is refused by PostgreSQL.
_CONTROLS = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)], None
)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# XML character references, checked for what XML forbids (surrogates, C0 controls): lenient
# parsers turn them into characters anyway, and feedparser then fails the whole document.
_CHAR_REF_RE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def clean_text(value: str) -> str:
    """Text safe to store: lone surrogates (from JSON escapes) become U+FFFD, and control
    characters but tab, newline and carriage return are dropped. Pure."""
    if _SURROGATE_RE.search(value):
        # Through UTF-16, a pair of surrogates becomes the one character it encodes.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value.translate(_CONTROLS)


def _clean_char_ref(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"
    return b"" if code < 0x20 and code in _CONTROLS else match.group(0)


def plain_text(value: object) -> str:
    """Tags stripped, entities decoded (twice-escaped ones too), whitespace collapsed, control
    characters dropped."""
    if not value:
        return ""
    text = _TAG_RE.sub(" ", str(value))
    text = html.unescape(text)
    if "&" in text and ";" in text:  # "&amp;amp;" survives one round
        text = html.unescape(_TAG_RE.sub(" ", text))
    return _SPACE_RE.sub(" ", clean_text(text)).strip()


def _as_utc(value: object, now: datetime) -> datetime | None:
    dt: datetime | None = None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, time.struct_time):
        dt = datetime.fromtimestamp(calendar.timegm(value), UTC)
    elif isinstance(value, str) and value.strip():
        try:
            dt = dateparser.parse(value.strip())
        except (ValueError, OverflowError):
            return None
    if dt is None:
        return None
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    if dt > now + MAX_FUTURE_SKEW or dt < EARLIEST_PLAUSIBLE:
        return None
    return dt


def _absolute(link: object, base: str) -> str:
    if not isinstance(link, str) or not link.strip():
        return ""
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _is_image(item: Mapping[str, Any]) -> bool:
    kind = str(item.get("type") or "")
    medium = str(item.get("medium") or "")
    if kind.startswith("image/") or medium == "image":
        return True
    if kind or medium:
        return False
    path = urlsplit(str(item.get("url") or item.get("href") or "")).path.lower()
    return path.endswith((".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"))


def _image(entry: Mapping[str, Any], base: str) -> str | None:
    candidates: list[Mapping[str, Any]] = []
    for key in ("media_content", "media_thumbnail", "enclosures", "links"):
        items = entry.get(key) or []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue
            if key == "links" and item.get("rel") != "enclosure":
                continue
            if key == "media_thumbnail" or _is_image(item):
                candidates.append(item)
    image = entry.get("image")
    if isinstance(image, str):  # JSON Feed's "image"
        candidates.append({"url": image})
    elif isinstance(image, Mapping):
        candidates.append(image)
    for item in candidates:
        url = _absolute(item.get("url") or item.get("href"), base)
        if url:
            return url
    return None


def _authors(entry: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = author.get("name") if isinstance(author, Mapping) else author
        names.append(plain_text(name))
    if not any(names) and entry.get("author"):
        names.append(plain_text(entry.get("author")))
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen


def _categories(entry: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for tag in entry.get("tags") or []:
        term = tag.get("term") or tag.get("label") if isinstance(tag, Mapping) else tag
        text = plain_text(term)
        if text and text not in out:
            out.append(text)
    return out


def _summary(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    for content in contents if isinstance(contents, list) else []:
        if isinstance(content, Mapping) and content.get("value"):
            return str(content["value"]).strip()
    for key in ("summary", "description"):
        if entry.get(key):
            return str(entry[key]).strip()
    return ""


def _entry(raw: Mapping[str, Any], base: str, now: datetime) -> ParsedEntry | None:
    url = _absolute(raw.get("link"), base)
    guid = str(raw.get("id") or "").strip()
    if not url and guid.startswith(("http://", "https://")):
        url = guid
    if not url:
        return None
    published = _as_utc(raw.get("published_parsed") or raw.get("published"), now)
    updated = _as_utc(raw.get("updated_parsed") or raw.get("updated"), now)
    image_url = _image(raw, url)
    # Titles, authors and categories went through plain_text, which cleans them.
    return ParsedEntry(
        guid=clean_text(guid or url),
        url=clean_text(url),
        title=plain_text(raw.get("title")),
        summary_html=clean_text(_summary(raw)),
        authors=_authors(raw),
        published=published or updated,
        updated=updated,
        categories=_categories(raw),
        image_url=clean_text(image_url) if image_url else None,
    )


def _build(
    feed: Mapping[str, Any], entries: Iterable[Mapping[str, Any]], content: bytes, url: str
) -> ParsedFeed:
    now = datetime.now(UTC)
    link = _absolute(feed.get("link"), url) or url
    parsed: list[ParsedEntry] = []
    for raw in entries:
        entry = _entry(raw, link, now)
        if entry is None:
            log.debug("feed entry without a link skipped url=%s title=%r", url, raw.get("title"))
            continue
        parsed.append(entry)
    head = content[:65536]
    ttl_match = _TTL_RE.search(head)
    language = str(feed.get("language") or "").strip()
    if not language:
        lang_match = _LANG_RE.search(head) or _XML_LANG_RE.search(head)
        language = lang_match.group(1).decode("ascii") if lang_match else ""
    return ParsedFeed(
        title=plain_text(feed.get("title")),
        link=clean_text(link),
        language=clean_text(language).replace("_", "-")[:LANGUAGE_TAG_MAX_CHARS],
        ttl_minutes=int(ttl_match.group(1)) if ttl_match else None,
        entries=parsed,
    )


def _strip_bom(content: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf",):
        if content.startswith(bom):
            return content[len(bom) :]
    return content


def _sniff(content: bytes) -> bytes:
    """Refuse what is plainly not a feed, with a message that says what it is instead."""
    if not content.strip():
        raise FeedParseError("empty document: the server sent no content")
    body = _strip_bom(content)
    head = body[:SNIFF_BYTES]
    if body.lstrip()[:1] in (b"{", b"["):
        return body
    if _HTML_START_RE.match(head) and not _FEED_ROOT_RE.search(body[: SNIFF_BYTES * 4]):
        raise FeedParseError("not a feed: the server sent an HTML page")
    if b"<" not in head:
        raise FeedParseError("not a feed: the document is not XML or JSON")
    return body


def _via_fastfeedparser(content: bytes, url: str) -> ParsedFeed | None:
    try:
        data = fastfeedparser.parse(content)
    except Exception as exc:  # any failure means: try the tolerant parser
        log.debug("fastfeedparser failed url=%s error=%s", url, exc)
        return None
    feed = data.get("feed") or {}
    entries = data.get("entries") or []
    if not entries and not feed.get("title"):
        return None
    return _build(feed, entries, content, url)


def _via_feedparser(content: bytes, url: str) -> ParsedFeed:
    try:
        data = feedparser.parse(content, response_headers={"content-location": url})
    except Exception as exc:  # feedparser's failures are not typed
        raise FeedParseError(f"malformed feed: {exc}") from None
    # Plain dicts: FeedParserDict's legacy key aliases ("updated" → "published") warn and
    # would blur which date the feed actually gave.
    feed = dict(data.get("feed") or {})
    entries = [dict(e) for e in data.get("entries") or []]
    if not entries and not feed.get("title"):
        raise FeedParseError(_why_not_a_feed(content))
    return _build(feed, entries, content, url)


def _why_not_a_feed(content: bytes) -> str:
    # lxml's own error names the line and problem, which feedparser's bozo message does not.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        return f"malformed XML: {exc}"
    name = etree.QName(root).localname
    return f"not a feed: an XML document whose root element is <{name}>, not RSS, Atom or RDF"


def _json_feed(content: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), mapped by hand: it is tiny."""
    import json

    try:
        doc = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedParseError(f"malformed JSON: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedParseError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items") if isinstance(doc.get("items"), list) else []
    feed_authors = doc.get("authors") or ([doc["author"]] if doc.get("author") else [])
    entries: list[dict[str, Any]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        html_body = item.get("content_html") or (
            f"<p>{html.escape(str(item['content_text']))}</p>" if item.get("content_text") else ""
        )
        image = item.get("image") or item.get("banner_image")
        attachments = [a for a in item.get("attachments") or [] if isinstance(a, dict)]
        entries.append(
            {
                "id": str(item.get("id") or ""),
                "link": item.get("url") or item.get("external_url"),
                "title": item.get("title"),
                "content": [{"value": html_body}] if html_body else [],
                "summary": item.get("summary"),
                "authors": authors or feed_authors,
                "published": item.get("date_published"),
                "updated": item.get("date_modified"),
                "tags": [{"term": t} for t in item.get("tags") or [] if isinstance(t, str)],
                "image": image,
                "enclosures": [
                    {"url": a.get("url"), "type": a.get("mime_type")} for a in attachments
                ],
            }
        )
    feed = {
        "title": doc.get("title"),
        "link": doc.get("home_page_url"),
        "language": doc.get("language"),
    }
    return _build(feed, entries, b"", url)


def parse_feed(content: bytes, url: str) -> ParsedFeed:
    """Parse a feed document fetched from `url`; raises FeedParseError with a specific reason."""
    body = _sniff(content)
    if body.lstrip()[:1] in (b"{", b"["):
        return _json_feed(body, url)
    body = _CHAR_REF_RE.sub(_clean_char_ref, _repair_encoding(body))
    parsed = _via_fastfeedparser(body, url)
    return parsed if parsed is not None else _via_feedparser(body, url)


_DECL_ENCODING_RE = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)


_SINGLE_BYTE = ("iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii")


def _repair_encoding(body: bytes) -> bytes:
    """Make the bytes agree with the XML declaration, since the XML parsers trust it.

    Two lies are common: UTF-8 bytes labelled ISO-8859-1 (or unlabelled-but-assumed), and
    Windows-1252 bytes labelled or defaulting to UTF-8. Both are re-encoded as UTF-8 with a
    matching declaration. A declared charset that fits the bytes is left alone.
    """
    match = _DECL_ENCODING_RE.search(body[:200])
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or declared.startswith(("utf-16", "utf-32")):
        return body  # the parsers read UTF-16/32 by its BOM; nothing to second-guess here
    try:
        body.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    if declared in ("utf-8", "utf8"):
        if is_utf8:
            return body
        text = body.decode("cp1252", errors="replace")
    elif declared in _SINGLE_BYTE and is_utf8 and any(b >= 0x80 for b in body):
        text = body.decode("utf-8")
    else:
        return body
    log.info("feed bytes contradict declared encoding=%s; re-encoded as UTF-8", declared)
    text = _DECL_TEXT_RE.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return text.encode("utf-8")


_DECL_TEXT_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
