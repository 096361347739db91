"""Choosing and checking publishers' icons (ingest.icons): pure, no network."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsstand.ingest.icons import (
    ICON_MAX_BYTES,
    IconCandidate,
    IconImage,
    IconRejected,
    favicon_candidate,
    icon_links,
    manifest_icons,
    rank_icons,
    sniff_icon,
)
from tests.ingest import images

HEAD = b"""<!doctype html><html><head><title>Global Dispatch</title>
<link rel="icon" href="/favicon-32.png" sizes="32x32" type="image/png">
<link rel="icon" href="/icon.svg" type="image/svg+xml">
<link rel="apple-touch-icon" href="/apple-touch-icon.png">
<link rel="icon" href="/icon-192.png" sizes="192x192">
<link rel="icon" href="/banner.png" sizes="400x100">
<link rel="manifest" href="/site.webmanifest">
<link rel="icon" href="javascript:alert(1)">
</head><body></body></html>"""


def test_icon_links_read_the_head() -> None:
    icons, manifest = icon_links(lxml.html.document_fromstring(HEAD), "https://gd.example/news/")
    assert manifest == "https://gd.example/site.webmanifest"
    assert icons == [
        IconCandidate("https://gd.example/favicon-32.png", "icon", 32, "image/png"),
        IconCandidate("https://gd.example/icon.svg", "icon", None, "image/svg+xml"),
        # apple-touch-icon without sizes: Apple's 180 px.
        IconCandidate("https://gd.example/apple-touch-icon.png", "apple-touch-icon", 180),
        IconCandidate("https://gd.example/icon-192.png", "icon", 192),
    ]


def test_manifest_icons() -> None:
    manifest = {
        "icons": [
            {"src": "/m-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "m-192.png", "sizes": "192x192", "purpose": "maskable"},
            {"src": "/m.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": 12},
            "junk",
        ]
    }
    icons = manifest_icons(json.dumps(manifest).encode(), "https://gd.example/app/manifest.json")
    assert icons == [
        IconCandidate("https://gd.example/m-512.png", "manifest", 512, "image/png"),
        IconCandidate("https://gd.example/app/m-192.png", "manifest", 192, maskable=True),
        IconCandidate("https://gd.example/m.svg", "manifest", None, "image/svg+xml"),
    ]
    assert manifest_icons(b"not json", "https://gd.example/m.json") == []
    assert manifest_icons(b'{"icons": "x"}', "https://gd.example/m.json") == []


def test_rank_prefers_large_square_apple_touch_and_never_svg() -> None:
    icons, _ = icon_links(lxml.html.document_fromstring(HEAD), "https://gd.example/")
    icons += [
        IconCandidate("https://gd.example/m-512.png", "manifest", 512),
        IconCandidate("https://gd.example/mask.png", "manifest", 192, maskable=True),
        favicon_candidate("https://gd.example/news/today"),
    ]
    assert [c.url.rsplit("/", 1)[1] for c in rank_icons(icons)] == [
        "apple-touch-icon.png",  # apple-touch-icon first: made for a home screen
        "m-512.png",  # then the manifest's, then <link rel="icon">
        "icon-192.png",
        "mask.png",  # maskable icons are cropped by phones: after the others
        "favicon-32.png",  # smaller than 64 px: only if nothing else works
        "favicon.ico",
    ]


@pytest.mark.parametrize(
    ("data", "image"),
    [
        (images.png(180, 180), IconImage("image/png", 180, 180)),
        (images.gif(64, 64), IconImage("image/gif", 64, 64)),
        (images.jpeg(120, 100), IconImage("image/jpeg", 120, 100)),
        (images.webp_lossless(96, 96), IconImage("image/webp", 96, 96)),
        (images.ico(16, 32, 256), IconImage("image/x-icon", 256, 256)),
    ],
)
def test_sniff_reads_the_header_of_each_type(data: bytes, image: IconImage) -> None:
    assert sniff_icon(data) == image


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (images.SVG_WITH_SCRIPT, "SVG"),
        (b"<!doctype html><html><body>Not found</body></html>", "not an image"),
        (b"", "not an image"),
        (images.png(400, 100), "not square enough"),
        (images.png(0, 0), "not an icon's"),
        (images.png(5000, 5000)[:64], "not an icon's"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 4, "without its header"),
        (images.ico(32)[:10], "cut short"),
        (
            b"\x00\x00\x01\x00\x01\x00" + b"\x20\x20\x00\x00\x01\x00\x20\x00" + b"\xff" * 8,
            "outside",
        ),
        (images.png(64, 64) + b"\x00" * ICON_MAX_BYTES, "larger than"),
    ],
)
def test_sniff_refuses_what_is_not_an_icon(data: bytes, why: str) -> None:
    with pytest.raises(IconRejected, match=why):
        sniff_icon(data)
