"""A publisher's identity from its own website: the name it gives itself and its icon.

`read_site_identity` is pure: what one page says (og:site_name, application-name, JSON-LD, the
homepage's <title>; its icon links and manifest). `look_up_site` fetches the homepage, its web
app manifest and the icon candidates through `ingest.fetcher`, so every request passes the
SSRF guard, the size caps and the total deadline; it decides and stores nothing
(`ingest.actions.refresh_publisher_identity` does).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from newsstand.ingest import politeness
from newsstand.ingest.fetcher import PAGE_ACCEPT, FetchError, fetch
from newsstand.ingest.icons import (
    ICON_MAX_BYTES,
    IDEAL_ICON_PX,
    MANIFEST_MAX_BYTES,
    MIN_ICON_PX,
    IconCandidate,
    IconImage,
    IconRejected,
    favicon_candidate,
    icon_links,
    manifest_icons,
    rank_icons,
    sniff_icon,
)
from newsstand.ingest.metadata import read_json_ld, read_meta_tags
from newsstand.sources.naming import NameSource, choose_name

__all__ = ["FetchedIcon", "SiteIdentity", "SiteLookup", "look_up_site", "read_site_identity"]

log = logging.getLogger(__name__)

# Meta tags naming the site, most trusted first.
SITE_NAME_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
_SITE_TYPES = frozenset({"website", "newsmediaorganization", "organization", "corporation"})
# A homepage is read for its <head>; one larger than this is not worth the bytes.
HOMEPAGE_MAX_BYTES = 2 * 1024 * 1024
# Icons tried per lookup: each is a request to the publisher.
MAX_ICON_FETCHES = 4
ICON_ACCEPT = "image/png, image/webp;q=0.9, image/*;q=0.8, */*;q=0.1"
MANIFEST_ACCEPT = "application/manifest+json, application/json;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class SiteIdentity:
    """What a page says about its site: names (most trusted first) and icons (page order)."""

    names: tuple[str, ...] = ()
    icons: tuple[IconCandidate, ...] = ()
    manifest_url: str | None = None


@dataclass(frozen=True)
class FetchedIcon:
    url: str
    data: bytes
    image: IconImage


@dataclass(frozen=True)
class SiteLookup:
    """What a look at a site found. `name` is None unless the site names itself; `notes` say
    why candidates were passed over, for the log and for tests."""

    name: str | None
    icon: FetchedIcon | None
    notes: tuple[str, ...] = field(default=())


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", ())
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {str(v).rsplit("/", 1)[-1].casefold() for v in values}


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") or parts.path.rstrip("/").lower() in ("/index.html", "/home")


def _parse(html: bytes) -> HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def read_site_identity(html: bytes, url: str) -> SiteIdentity:
    """The site's names and icons as a page gives them.

    Names: og:site_name, application-name, apple-mobile-web-app-title, the JSON-LD WebSite or
    organisation, and, on the site's root page only, its <title> (an article's title names
    the article).
    """
    tree = _parse(html)
    if tree is None:
        return SiteIdentity()
    meta = read_meta_tags(tree)
    names: list[str] = [value for key in SITE_NAME_META for value in meta.get(key, ())]
    for obj in read_json_ld(tree):
        name = obj.get("name")
        if _types(obj) & _SITE_TYPES and isinstance(name, str) and name.strip():
            names.append(name)
    title = tree.find(".//title")
    if title is not None and _is_root(url) and title.text_content().strip():
        names.append(title.text_content())
    icons, manifest = icon_links(tree, url)
    unique = tuple(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
    return SiteIdentity(names=unique, icons=tuple(icons), manifest_url=manifest)


def _get(url: str, *, max_bytes: int, accept: str) -> bytes:
    with politeness.host_slot(url):
        return fetch(url, max_bytes=max_bytes, accept=accept).content


def _manifest_candidates(manifest_url: str, notes: list[str]) -> list[IconCandidate]:
    try:
        data = _get(manifest_url, max_bytes=MANIFEST_MAX_BYTES, accept=MANIFEST_ACCEPT)
    except FetchError as exc:
        notes.append(f"manifest {manifest_url}: {exc}")
        return []
    return manifest_icons(data, manifest_url)


def _fetch_icon(candidate: IconCandidate, notes: list[str]) -> FetchedIcon | None:
    try:
        data = _get(candidate.url, max_bytes=ICON_MAX_BYTES, accept=ICON_ACCEPT)
        image = sniff_icon(data)
    except (FetchError, IconRejected) as exc:
        notes.append(f"icon {candidate.url}: {exc}")
        return None
    return FetchedIcon(candidate.url, data, image)


def choose_icon(candidates: list[IconCandidate], notes: list[str]) -> FetchedIcon | None:
    """Fetch the ranked candidates until one is an image of at least MIN_ICON_PX; else the
    largest smaller one that was an image; at most MAX_ICON_FETCHES requests."""
    fallback: FetchedIcon | None = None
    for candidate in rank_icons(candidates)[:MAX_ICON_FETCHES]:
        icon = _fetch_icon(candidate, notes)
        if icon is None:
            continue
        if min(icon.image.width, icon.image.height) >= MIN_ICON_PX:
            return icon
        if fallback is None or icon.image.width > fallback.image.width:
            fallback = icon
    return fallback


def look_up_site(homepage: str, *, site: str, preferred_icon: str = "") -> SiteLookup:
    """Read `homepage` for the site's name and fetch its best icon; `preferred_icon` (an
    address staff gave) is tried first. Never raises for the site's trouble: an unreachable
    homepage still leaves /favicon.ico to try."""
    notes: list[str] = []
    identity = SiteIdentity()
    page_url = homepage
    try:
        with politeness.host_slot(homepage):
            page = fetch(homepage, max_bytes=HOMEPAGE_MAX_BYTES, accept=PAGE_ACCEPT)
        page_url = page.url
        identity = read_site_identity(page.content, page.url)
    except FetchError as exc:
        notes.append(f"homepage {homepage}: {exc}")
    choice = choose_name(site=site, site_names=identity.names)
    candidates = list(identity.icons)
    if identity.manifest_url:
        candidates += _manifest_candidates(identity.manifest_url, notes)
    candidates.append(favicon_candidate(page_url))
    if preferred_icon:
        # Staff's choice ranks first (rank_icons keeps list order between equals).
        staff = IconCandidate(preferred_icon, "apple-touch-icon", IDEAL_ICON_PX)
        candidates = [staff, *candidates]
    icon = choose_icon(candidates, notes)
    for note in notes:
        log.info("site lookup site=%s %s", site, note)
    return SiteLookup(
        name=choice.name if choice.source is NameSource.SITE else None,
        icon=icon,
        notes=tuple(notes),
    )
