"""SemEval-2022 English pairs as two local publishers' websites (pure: no Django, no network).

Each pair's `text1` becomes a page of publisher "a", its `text2` a page of publisher "b" (a text
in several pairs is one page). The texts are a headline run into the start of a body, with no
mark between them: the first `TITLE_WORDS` words are the page's headline and the whole text its
body, one sentence a paragraph. Each pair is dated somewhere in the last `SPREAD_H` hours, its
second page up to `GAP_H` hours from its first (seeded), so all of them fall in one stories
window and every article competes with all the others. Each publisher has an RSS feed of its
pages with the dates. `bench/stories_pairs.py` and tests/stories/test_pairs.py serve these
over HTTP and ingest them through the normal pipeline.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

TITLE_WORDS = 12
SPREAD_H = 60.0
GAP_H = 6.0
# Annotators' Overall: 1 = same event ... 4 = unrelated.
SAME_EVENT_MAX = 1.5
UNRELATED_MIN = 3.5

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


@dataclass(frozen=True)
class Pair:
    pair_id: str
    text1: str
    text2: str
    overall: float

    @property
    def same_event(self) -> bool:
        return self.overall <= SAME_EVENT_MAX

    @property
    def unrelated(self) -> bool:
        return self.overall >= UNRELATED_MIN

    def half(self, seed: int) -> int:
        """0 or 1: which half of the pairs this one is in (tuning vs. held out), by its id."""
        digest = hashlib.sha256(f"{seed}:{self.pair_id}".encode()).digest()
        return digest[0] & 1


@dataclass(frozen=True)
class Page:
    publisher: str  # "a" or "b"
    path: str
    title: str
    text: str
    published: datetime


def load_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Pair(r["pair_id"], r["text1"].strip(), r["text2"].strip(), float(r["Overall"]))
            for r in csv.DictReader(fh)
        ]


def pages_for(pairs: list[Pair], now: datetime, seed: int) -> dict[str, Page]:
    """One page per distinct text, keyed by the text."""
    rng = random.Random(seed)
    pages: dict[str, Page] = {}
    for pair in pairs:
        first = now - timedelta(hours=rng.uniform(GAP_H, SPREAD_H))
        second = min(now, first + timedelta(hours=rng.uniform(-GAP_H, GAP_H)))
        for publisher, text, when in (("a", pair.text1, first), ("b", pair.text2, second)):
            if text in pages:
                continue
            key = hashlib.sha256(text.encode()).hexdigest()[:16]
            title = " ".join(text.split()[:TITLE_WORDS])
            pages[text] = Page(publisher, f"/{publisher}/news/{key}.html", title, text, when)
    return pages


def page_html(page: Page, url: str) -> str:
    paragraphs = "\n".join(
        f"<p>{escape(s.strip())}</p>" for s in _SENTENCE_END.split(page.text) if s.strip()
    )
    title = escape(page.title)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{page.published.isoformat()}">'
        f'<link rel="canonical" href="{escape(url)}"></head>'
        f"<body><header><nav><a href='/'>Home</a></nav></header><main><article>"
        f"<h1>{title}</h1>\n{paragraphs}\n</article></main>"
        "<footer><p>Local publisher for Newsstand's benchmarks.</p></footer></body></html>"
    )


def feed_xml(pages: list[Page], base_url: str, name: str) -> str:
    items = "".join(
        f"<item><title>{xml_escape(p.title)}</title><link>{base_url}{p.path}</link>"
        f'<guid isPermaLink="false">{p.path}</guid>'
        f"<pubDate>{format_datetime(p.published)}</pubDate></item>"
        for p in sorted(pages, key=lambda p: p.published, reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{xml_escape(name)}</title><link>{base_url}/</link>"
        f"<description>{xml_escape(name)}</description>{items}</channel></rss>"
    )
