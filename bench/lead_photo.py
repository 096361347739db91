"""The lead-photo check on real bodies: `web.presentation.strip_duplicate_lead` against parsing
every body (what it did before it ruled bodies out from their text).

    .venv/bin/python -m bench.lead_photo [--pages 59] [--rounds 5]

The first --pages naeb-dev pages (sorted by key, from $NEWSSTAND_SHARED_DATA, default
../shared/data) go through Newsstand's extractor once; their bodies, lead photos and captions
are then checked --rounds times each way, alternating, in one process. Prints the ms per body
each way, how many bodies are parsed, and how many reach the second check (the caption in the
body's text). Every synced entry asks this of its body (sync.entries), so a page of 100 pays
100 times the figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA", REPO.parent / "shared" / "data"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=59, help="naeb-dev pages, by key")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds each way")
    args = parser.parse_args()
    root = SHARED / "extraction" / "naeb-dev"
    if not root.is_dir():
        raise SystemExit(f"shared data not found at {root} (set NEWSSTAND_SHARED_DATA)")
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django

    django.setup()
    from newsstand.ingest.extractor import extract_article
    from newsstand.web import presentation

    truth = json.loads((root / "articles.json").read_text())
    bodies = []
    for key in sorted(truth)[: args.pages]:
        page = root / "html" / f"{key}.html.gz"
        if page.exists():
            found = extract_article(gzip.decompress(page.read_bytes()), truth[key]["url"])
            lead = found.lead_image
            url, caption, credit = (
                (lead.url, lead.caption or "", lead.credit or "") if lead else ("", "", "")
            )
            bodies.append((found.html, url, caption, credit))

    parsed = 0
    real_parse = presentation.lxml.html.fragment_fromstring

    def counting_parse(*a: object, **k: object) -> object:
        nonlocal parsed
        parsed += 1
        return real_parse(*a, **k)

    def run() -> float:
        start = time.perf_counter()
        for body in bodies:
            presentation.strip_duplicate_lead(*body)
        return (time.perf_counter() - start) * 1000 / len(bodies)

    always = mock.patch.object(presentation, "_may_repeat", lambda *a: True)
    timed: dict[str, list[float]] = {"check first": [], "parse every body": []}
    for _ in range(args.rounds):
        timed["check first"].append(run())
        with always:
            timed["parse every body"].append(run())
    with mock.patch.object(presentation.lxml.html, "fragment_fromstring", counting_parse):
        run()
    second = sum(
        1
        for html, url, caption, credit in bodies
        if not (url and url in html)
        and caption
        and all(word in html for word in presentation._WORD.findall(caption))
    )
    with_lead = sum(1 for _, url, caption, _ in bodies if url or caption)
    print(f"{len(bodies)} bodies, {with_lead} with a lead photo or caption")
    for name, ms in timed.items():
        print(f"{name:18} {min(ms):.3f} ms a body (best of {args.rounds})")
    print(f"parsed with the check: {parsed}; reaching the caption-in-text check: {second}")


if __name__ == "__main__":
    main()
