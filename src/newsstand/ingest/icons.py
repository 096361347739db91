"""Publishers' icons: where a site says its icons are, which to prefer, and whether the bytes
that came back are really an image. Pure; `ingest.identity` fetches, `sources.actions` stores.

The preferred icon is a square one of at least MIN_ICON_PX: apple-touch-icon (180 px by
convention), then the web app manifest's icons, then `<link rel="icon">`, then /favicon.ico.
SVG is refused rather than sanitised: an SVG can carry script and external references, and the
raster icons sites publish beside it are enough. Bytes are accepted only if their own header
says PNG, JPEG, GIF, WebP or ICO and gives sane dimensions; they are served with that type,
never the one the publisher's server claimed.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

__all__ = [
    "ICON_MAX_BYTES",
    "MIN_ICON_PX",
    "IconCandidate",
    "IconImage",
    "IconRejected",
    "favicon_candidate",
    "icon_links",
    "manifest_icons",
    "rank_icons",
    "sniff_icon",
]

# An icon larger than this is not an icon (a 512 px PNG is typically 20-100 KB).
ICON_MAX_BYTES = 256 * 1024
MANIFEST_MAX_BYTES = 64 * 1024
# Logos are drawn at up to 64 CSS px; smaller icons are kept only when there is nothing else.
MIN_ICON_PX = 64
# The size sought: 64 CSS px on a 3x phone screen.
IDEAL_ICON_PX = 192
MAX_ICON_PX = 4096
# Wider than tall (or the reverse) by more than this is a banner, not an icon.
MAX_ASPECT = 1.5
# apple-touch-icon without `sizes` is 180 px by Apple's convention.
APPLE_TOUCH_PX = 180

_KIND_ORDER = {"apple-touch-icon": 0, "manifest": 1, "icon": 2, "favicon": 3}
_SIZE_RE = re.compile(r"^(\d{1,5})x(\d{1,5})$", re.IGNORECASE)


class IconRejected(ValueError):
    """The bytes are not an icon Newsstand will serve; the message says why."""


@dataclass(frozen=True)
class IconCandidate:
    """An icon a site points to. `size`: its declared edge in px (None if undeclared)."""

    url: str
    kind: str  # "apple-touch-icon", "manifest", "icon" or "favicon"
    size: int | None = None
    media_type: str = ""
    maskable: bool = False


@dataclass(frozen=True)
class IconImage:
    """What the bytes are, by their own header."""

    content_type: str
    width: int
    height: int


def _web_url(base: str, href: str) -> str | None:
    url = urljoin(base, href.strip()).split("#", 1)[0]
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _is_svg(url: str, media_type: str) -> bool:
    return "svg" in media_type.lower() or urlsplit(url).path.lower().endswith((".svg", ".svgz"))


def _declared_size(sizes: str) -> tuple[int | None, bool]:
    """The largest square-ish edge in a `sizes` value, and whether any size was readable."""
    best: int | None = None
    seen = False
    for token in sizes.split():
        match = _SIZE_RE.match(token)
        if not match:
            continue
        seen = True
        width, height = int(match.group(1)), int(match.group(2))
        if min(width, height) and max(width, height) / min(width, height) <= MAX_ASPECT:
            best = max(best or 0, min(width, height))
    return best, seen


def icon_links(tree: HtmlElement, base_url: str) -> tuple[list[IconCandidate], str | None]:
    """The icons a page's `<link>` elements name, and its web app manifest's address."""
    base = base_url
    for element in tree.iter("base"):
        if element.get("href"):
            base = urljoin(base_url, element.get("href", "").strip())
        break
    found: list[IconCandidate] = []
    manifest: str | None = None
    for link in tree.iter("link"):
        rel = {token.lower() for token in (link.get("rel") or "").split()}
        href = link.get("href") or ""
        url = _web_url(base, href) if href.strip() else None
        if url is None:
            continue
        if "manifest" in rel and manifest is None:
            manifest = url
            continue
        if rel & {"apple-touch-icon", "apple-touch-icon-precomposed"}:
            kind = "apple-touch-icon"
        elif "icon" in rel:
            kind = "icon"
        else:
            continue
        media_type = (link.get("type") or "").strip().lower()
        size, readable = _declared_size(link.get("sizes") or "")
        if readable and size is None:
            continue  # only non-square sizes declared
        if size is None and kind == "apple-touch-icon":
            size = APPLE_TOUCH_PX
        found.append(IconCandidate(url, kind, size, media_type))
    return found, manifest


def _string(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def manifest_icons(data: bytes, manifest_url: str) -> list[IconCandidate]:
    """The icons a web app manifest lists (https://www.w3.org/TR/appmanifest/#icons-member);
    an unreadable manifest lists none."""
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return []
    icons = manifest.get("icons") if isinstance(manifest, dict) else None
    if not isinstance(icons, list):
        return []
    found: list[IconCandidate] = []
    for icon in icons:
        if not isinstance(icon, dict) or not isinstance(icon.get("src"), str):
            continue
        url = _web_url(manifest_url, icon["src"])
        if url is None:
            continue
        size, readable = _declared_size(_string(icon, "sizes"))
        if readable and size is None:
            continue
        purpose = _string(icon, "purpose") or "any"
        media_type = _string(icon, "type")
        found.append(
            IconCandidate(
                url,
                "manifest",
                size,
                media_type.strip().lower(),
                maskable="any" not in purpose.split(),
            )
        )
    return found


def favicon_candidate(page_url: str) -> IconCandidate:
    """/favicon.ico at the site's root: where browsers look when a page names no icon."""
    parts = urlsplit(page_url)
    return IconCandidate(f"{parts.scheme}://{parts.netloc}/favicon.ico", "favicon")


def rank_icons(candidates: list[IconCandidate]) -> list[IconCandidate]:
    """The candidates worth fetching, best first: SVG and duplicates dropped; declared sizes of
    at least MIN_ICON_PX first (nearest IDEAL_ICON_PX), then undeclared, then smaller ones;
    within each, apple-touch-icon before the manifest's before `<link rel="icon">`, and a
    manifest's maskable icons (cropped to a shape by phones) after the others."""

    def key(c: IconCandidate) -> tuple[int, int, int, int]:
        if c.size is None:
            tier, distance = 1, 0
        elif c.size >= MIN_ICON_PX:
            tier, distance = 0, abs(min(c.size, 1024) - IDEAL_ICON_PX)
        else:
            tier, distance = 2, -c.size
        if c.kind == "favicon":
            tier = 3
        return tier, int(c.maskable), _KIND_ORDER.get(c.kind, 9), distance

    seen: set[str] = set()
    ranked: list[IconCandidate] = []
    for candidate in sorted(candidates, key=key):
        if candidate.url in seen or _is_svg(candidate.url, candidate.media_type):
            continue
        seen.add(candidate.url)
        ranked.append(candidate)
    return ranked


# --- what the bytes are ------------------------------------------------------------------


def _png(data: bytes) -> IconImage:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise IconRejected("a PNG without its header")
    width, height = struct.unpack(">II", data[16:24])
    return IconImage("image/png", width, height)


def _gif(data: bytes) -> IconImage:
    if len(data) < 10:
        raise IconRejected("a GIF cut short")
    width, height = struct.unpack("<HH", data[6:10])
    return IconImage("image/gif", width, height)


# Start-of-frame markers: the ones that carry the picture's dimensions.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg(data: bytes) -> IconImage:
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            raise IconRejected("a JPEG with a broken segment")
        marker = data[at + 1]
        if marker == 0xFF:  # padding
            at += 1
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return IconImage("image/jpeg", width, height)
        if length < 2:
            raise IconRejected("a JPEG with a broken segment")
        at += 2 + length
    raise IconRejected("a JPEG without dimensions")


def _webp(data: bytes) -> IconImage:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return IconImage("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return IconImage("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return IconImage("image/webp", width, height)
    raise IconRejected("a WebP without a picture header")


def _ico(data: bytes) -> IconImage:
    count = struct.unpack("<H", data[4:6])[0]
    if count == 0 or len(data) < 6 + 16 * count:
        raise IconRejected("an ICO whose directory is cut short")
    best = (0, 0)
    for index in range(count):
        entry = data[6 + 16 * index : 6 + 16 * (index + 1)]
        width, height = entry[0] or 256, entry[1] or 256
        size, offset = struct.unpack("<II", entry[8:16])
        image = data[offset : offset + size]
        if size == 0 or offset + size > len(data):
            raise IconRejected("an ICO whose images lie outside the file")
        if not (image.startswith(b"\x89PNG\r\n\x1a\n") or image[:4] == b"\x28\x00\x00\x00"):
            raise IconRejected("an ICO holding something other than PNG or bitmap images")
        best = max(best, (width, height))
    return IconImage("image/x-icon", *best)


def sniff_icon(data: bytes) -> IconImage:
    """The image type and dimensions the bytes' own header gives; IconRejected if they are not
    a PNG, JPEG, GIF, WebP or ICO of sane, square-ish dimensions within ICON_MAX_BYTES."""
    if len(data) > ICON_MAX_BYTES:
        raise IconRejected(f"larger than {ICON_MAX_BYTES:,} bytes")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        image = _png(data)
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        image = _gif(data)
    elif data.startswith(b"\xff\xd8\xff"):
        image = _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        image = _webp(data)
    elif data[:4] == b"\x00\x00\x01\x00":
        image = _ico(data)
    else:
        head = data[:256].lstrip().lower()
        kind = "SVG" if b"<svg" in head or head.startswith(b"<?xml") else "not an image"
        raise IconRejected(f"{kind} (only PNG, JPEG, GIF, WebP and ICO are kept)")
    width, height = image.width, image.height
    if not (0 < width <= MAX_ICON_PX and 0 < height <= MAX_ICON_PX):
        raise IconRejected(f"dimensions {width}x{height} are not an icon's")
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise IconRejected(f"{width}x{height} is not square enough for an icon")
    return image
