"""Draw the app icons under src/newsstand/reader/static/reader/icons/ (run once; PNGs committed).

    python scripts/make_icons.py

A serif-less "N" in white on the reader's accent red. Pillow is not a dependency, so the PNGs
are written with zlib; the shapes are simple enough to rasterise by hand with 4x4 supersampling.
Maskable icons keep the letter inside the central 60% ("safe zone" is the central 80% circle).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/newsstand/reader/static/reader/icons"
ACCENT = (0x9E, 0x2A, 0x1C)
WHITE = (0xFF, 0xFF, 0xFF)
SUPERSAMPLE = 4
# (file name, size px, letter box as a fraction of the side, rounded corners)
ICONS = (
    ("icon-192.png", 192, 0.56, True),
    ("icon-512.png", 512, 0.56, True),
    ("icon-maskable-512.png", 512, 0.44, False),
    ("apple-touch-icon.png", 180, 0.56, False),
)


def _in_letter(x: float, y: float) -> bool:
    """Whether (x, y) in the unit square falls on the letter N (two stems and a diagonal)."""
    stem = 0.2
    if not (0 <= x <= 1 and 0 <= y <= 1):
        return False
    if x <= stem or x >= 1 - stem:
        return True
    # The diagonal runs from the top of the left stem to the bottom of the right stem.
    centre_y = (x - stem / 2) / (1 - stem)
    return abs(y - centre_y) <= stem * 0.62


def _in_rounded_square(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def _pixel(px: int, py: int, size: int, box: float, rounded: bool) -> tuple[int, int, int, int]:
    hits_bg = hits_letter = 0
    margin = (1 - box) / 2
    for sy in range(SUPERSAMPLE):
        for sx in range(SUPERSAMPLE):
            x = (px + (sx + 0.5) / SUPERSAMPLE) / size
            y = (py + (sy + 0.5) / SUPERSAMPLE) / size
            if rounded and not _in_rounded_square(x, y, 0.18):
                continue
            hits_bg += 1
            if _in_letter((x - margin) / box, (y - margin) / box):
                hits_letter += 1
    total = SUPERSAMPLE * SUPERSAMPLE
    if not hits_bg:
        return (0, 0, 0, 0)
    mix = hits_letter / hits_bg
    rgb = tuple(round(a * (1 - mix) + w * mix) for a, w in zip(ACCENT, WHITE, strict=True))
    return (rgb[0], rgb[1], rgb[2], round(255 * hits_bg / total))


def _png(size: int, box: float, rounded: bool) -> bytes:
    rows = b"".join(
        b"\x00" + bytes(c for px in range(size) for c in _pixel(px, py, size, box, rounded))
        for py in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, box, rounded in ICONS:
        (OUT / name).write_bytes(_png(size, box, rounded))
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
