"""Sections benchmark: how raw sections from real pages and feeds map onto the Section list.

Run:  .venv/bin/python -m bench.sections [--show]

Collects every raw section the shared data carries: the section an article page's metadata
gives (`ingest.metadata.read_metadata` on extraction/*/html/*), and a feed item's first
category (feeds/**, parsed by feedparser, as ingest does). The distinct values are split in
two by an MD5 of the text: the starting list (`articles.sections.DEFAULT_SECTIONS`) was tuned
by reading the "tune" half; the "check" half is labelled by hand in
tests/articles/section_labels.py (written before the mapping ran on it) and scored here:

  right      share of distinct values mapped to their label (None included: dropped rightly);
  precision  of the values given a section, the share given the labelled one;
  recall     of the values labelled with a section, the share given it.

`--show` prints each value of both halves with its mapping. Results go to
bench/results/sections.json.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "bench" / "results" / "sections.json"


def collect() -> Counter[str]:
    """Every raw section value of the shared data, with how often it occurs."""
    import feedparser

    from newsstand.ingest.extractor import decode_html, parse_html
    from newsstand.ingest.metadata import read_metadata

    found: Counter[str] = Counter()
    for path in sorted((SHARED / "extraction").glob("*/html/*")):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        tree = parse_html(decode_html(data))
        if tree is not None and (section := read_metadata(tree).section):
            found[section] += 1
    for path in sorted((SHARED / "feeds").rglob("*")):
        if not path.is_file():
            continue
        for entry in feedparser.parse(path.read_bytes()).entries:
            terms = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
            if terms:
                found[terms[0]] += 1
    return found


def half(value: str) -> str:
    return (
        "tune" if int(hashlib.md5(value.encode()).hexdigest(), 16) % 2 == 0 else "check"
    )  # a split, not security


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="Print every value and its mapping.")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django

    django.setup()
    from tests.articles.section_labels import CHECK

    from newsstand.articles.sections import DEFAULT_SECTIONS, SectionCatalogue, normalise_section

    catalogue = SectionCatalogue.of(DEFAULT_SECTIONS)
    found = collect()
    halves: dict[str, list[str]] = {"tune": [], "check": []}
    for value in sorted(found):
        if value.strip():
            halves[half(value)].append(value)
    if args.show:
        for name, values in halves.items():
            print(f"--- {name}")
            for value in values:
                print(f"{normalise_section(value, catalogue)!s:12} {value[:90]!r}")
    labels = dict(CHECK)
    right = given = given_right = labelled = 0
    unlabelled = [v for v in halves["check"] if v not in labels]
    for value in halves["check"]:
        if value not in labels:
            continue
        want, got = labels[value], normalise_section(value, catalogue)
        right += got == want
        given += got is not None
        given_right += got is not None and got == want
        labelled += want is not None
    scored = len(halves["check"]) - len(unlabelled)
    result = {
        "raw_values": sum(found.values()),
        "distinct": {k: len(v) for k, v in halves.items()},
        "check_scored": scored,
        "check_right": round(right / scored, 3) if scored else None,
        "check_precision": round(given_right / given, 3) if given else None,
        "check_recall": round(given_right / labelled, 3) if labelled else None,
        "check_unlabelled": len(unlabelled),
        "tune_mapped": round(
            sum(normalise_section(v, catalogue) is not None for v in halves["tune"])
            / max(1, len(halves["tune"])),
            3,
        ),
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
