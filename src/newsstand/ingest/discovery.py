"""Feed autodiscovery: from a web address a staff member pastes to the feeds behind it.

`discover_feeds` is pure: it reads the `<link rel="alternate">` tags of an HTML page.
`find_feeds` fetches (through `ingest.fetcher`, so the SSRF guard applies to every request) and
keeps only candidates that `ingest.feeds.parse_feed` can actually read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from newsstand.ingest.feeds import FeedParseError, parse_feed
from newsstand.ingest.fetcher import FEED_ACCEPT, FetchError, FetchResult, fetch
from newsstand.ingest.identity import read_site_identity
from newsstand.sources.catalog import site_key
from newsstand.sources.naming import NameSource, choose_name

__all__ = [
    "COMMON_FEED_PATHS",
    "DiscoveredFeed",
    "DiscoveryError",
    "FeedSearch",
    "VerifiedFeed",
    "discover_feeds",
    "find_feeds",
]

log = logging.getLogger(__name__)

# Media types a page uses to advertise a feed, and how to call each in the UI.
FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/rdf+xml": "RSS 1.0",
}
# Where sites without <link rel="alternate"> commonly keep their feed (WordPress, Ghost, Hugo,
# Jekyll…), tried only when the page advertises nothing.
COMMON_FEED_PATHS = ("/feed", "/rss", "/atom.xml", "/feed.xml", "/rss.xml", "/index.xml")
# A page can list dozens of alternates (per tag, per author); each costs a fetch to verify.
MAX_CANDIDATES = 12
PAGE_OR_FEED_ACCEPT = "text/html;q=0.9, application/xhtml+xml;q=0.9, " + FEED_ACCEPT


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed a page says it has: absolute URL, the page's title for it, and its kind."""

    url: str
    title: str
    type: str


@dataclass(frozen=True)
class VerifiedFeed:
    """A feed that was fetched and parsed: safe to offer to staff. `site_name` and `homepage`:
    what the page the feed was found on says of its site (blank if the address was a feed)."""

    url: str
    title: str
    type: str
    entries: int
    site_name: str = ""
    homepage: str = ""


@dataclass(frozen=True)
class FeedSearch:
    """What a pasted address led to. `is_feed`: the address itself is a feed (feeds has one)."""

    url: str
    is_feed: bool
    feeds: list[VerifiedFeed]
    from_fallback: bool = False


class DiscoveryError(Exception):
    """No feed could be found; the message says why, for the staff member who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def discover_feeds(html: bytes, base_url: str) -> list[DiscoveredFeed]:
    """Feeds advertised by `<link rel="alternate" type="…">` in an HTML page, in page order.

    Relative hrefs resolve against `<base href>` if present, else `base_url`; duplicates and
    non-web schemes are dropped.
    """
    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for el in root.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
        break
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for link in root.iter("link"):
        rel = {token.lower() for token in (link.get("rel") or "").split()}
        media_type = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or media_type not in FEED_TYPES or not href:
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if not _is_web_url(url) or url in seen:
            continue
        seen.add(url)
        title = " ".join((link.get("title") or "").split())
        found.append(DiscoveredFeed(url=url, title=title, type=FEED_TYPES[media_type]))
    return found


def _fallback_candidates(page_url: str) -> list[DiscoveredFeed]:
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    return [DiscoveredFeed(url=root + path, title="", type="") for path in COMMON_FEED_PATHS]


def _verify(candidate: DiscoveredFeed) -> VerifiedFeed | None:
    try:
        result = fetch(candidate.url)
        parsed = parse_feed(result.content, result.url)
    except (FetchError, FeedParseError) as exc:
        log.info("discovery: candidate is not a usable feed url=%s why=%s", candidate.url, exc)
        return None
    return VerifiedFeed(
        url=result.url,
        title=candidate.title or parsed.title,
        type=candidate.type or "Feed",
        entries=len(parsed.entries),
    )


def _verify_all(candidates: list[DiscoveredFeed]) -> list[VerifiedFeed]:
    verified: list[VerifiedFeed] = []
    seen: set[str] = set()
    for candidate in candidates[:MAX_CANDIDATES]:
        feed = _verify(candidate)
        # Several paths often redirect to one feed (/feed and /rss on WordPress).
        if feed is not None and feed.url not in seen:
            seen.add(feed.url)
            verified.append(feed)
    return verified


def _with_site(feeds: list[VerifiedFeed], page: FetchResult) -> list[VerifiedFeed]:
    """The feeds, with the name the page gives its site (og:site_name…) and, if the page is
    the site's root, the page as its homepage: the publisher is named after them when added."""
    site = site_key(page.url)
    if not feeds or "/" in site:
        return feeds  # a hosting platform's page names the platform, not the publisher
    identity = read_site_identity(page.content, page.url)
    choice = choose_name(site=site, site_names=identity.names)
    site_name = choice.name if choice.source is NameSource.SITE else ""
    parts = urlsplit(page.url)
    homepage = page.url if parts.path in ("", "/") else f"{parts.scheme}://{parts.netloc}/"
    return [replace(f, site_name=site_name, homepage=homepage) for f in feeds]


def find_feeds(url: str, *, try_common_paths: bool = True) -> FeedSearch:
    """The feeds at or behind `url`: the URL itself if it is a feed, else the page's feeds.

    Raises DiscoveryError with a message for the staff member: the fetcher's own (private
    address, 404, timeout…), or that the page has no feed.
    """
    if not _is_web_url(url):
        raise DiscoveryError("Enter a web address starting with http:// or https://.")
    try:
        page: FetchResult = fetch(url, accept=PAGE_OR_FEED_ACCEPT)
    except FetchError as exc:
        raise DiscoveryError(exc.message) from None
    try:
        parsed = parse_feed(page.content, page.url)
    except FeedParseError:
        pass
    else:
        feed = VerifiedFeed(
            url=page.url, title=parsed.title, type="Feed", entries=len(parsed.entries)
        )
        return FeedSearch(url=page.url, is_feed=True, feeds=[feed])

    advertised = discover_feeds(page.content, page.url)
    feeds = _with_site(_verify_all(advertised), page)
    if feeds:
        return FeedSearch(url=page.url, is_feed=False, feeds=feeds)
    if try_common_paths:
        feeds = _with_site(_verify_all(_fallback_candidates(page.url)), page)
        if feeds:
            return FeedSearch(url=page.url, is_feed=False, feeds=feeds, from_fallback=True)
    if advertised:
        raise DiscoveryError(
            f"That page links to {len(advertised)} feed(s), but none of them could be read "
            "as a feed right now. Try again later, or paste the feed's own address."
        )
    raise DiscoveryError(
        "No feed found on that page. Paste the address of the feed itself, or of the "
        "publisher's homepage."
    )
