"""The checkout itself: no merge left half done."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".md", ".toml", ".html", ".js", ".css", ".json", ".yaml", ".yml", ".txt"}
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)


def _tracked_text_files() -> list[Path]:
    roots = [REPO / "src", REPO / "tests", REPO / "bench", REPO / "scripts", REPO / "docs"]
    files = [REPO / "Makefile", REPO / "README.md", REPO / "pyproject.toml"]
    for root in roots:
        files += [p for p in root.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file()]
    return [p for p in files if "__pycache__" not in p.parts]


def test_no_merge_conflict_markers():
    found = [
        f"{path.relative_to(REPO)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in _tracked_text_files()
        for text in [path.read_text(errors="replace")]
        for m in MARKER.finditer(text)
    ]
    assert not found, f"merge conflict markers left in: {found}"
