"""extract_article on real pages from the shared naeb-dev set (skipped when it is absent)."""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from newsstand.ingest.extractor import extract_article

SHARED = Path(
    os.environ.get("NEWSSTAND_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
NAEB = SHARED / "extraction" / "naeb-dev"
# Pages whose metadata is clean and unambiguous; a failure here is a regression.
KEYS = [
    "00c7f15fb635c360a44f126d4694369c",  # thehill.com
    "7ce9eff2cd29cb3f11f28d15e38ef7a3",  # observer.com
    "47ff65cf940c286ff2d59f4b409174b1",  # celebuzz.com: byline only in microdata
]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    if not (NAEB / "articles.json").exists():
        pytest.skip(f"shared data not found at {NAEB} (set NEWSSTAND_SHARED_DATA)")
    return json.loads((NAEB / "articles.json").read_text())


def _sample(truth: dict[str, Any]) -> list[str]:
    keys = KEYS + [k for k in sorted(truth) if k not in KEYS][:10]
    return [k for k in keys if (NAEB / "html" / f"{k}.html.gz").exists()]


def test_named_pages_match_ground_truth(truth: dict[str, Any]) -> None:
    for key in KEYS:
        item = truth[key]
        article = extract_article(gzip.decompress((NAEB / "html" / f"{key}.html.gz").read_bytes()),
                                  item["url"])  # fmt: skip
        assert _norm(article.title or "") == _norm(item["title"]), key
        assert (
            article.published is not None and article.published.date().isoformat() == item["date"]
        )
        assert [_norm(a) for a in article.authors] == [_norm(a) for a in item["authors"].split(",")]
        assert article.word_count > 200


def test_sample_mostly_matches(truth: dict[str, Any]) -> None:
    keys = _sample(truth)
    titles = dates = 0
    for key in keys:
        item = truth[key]
        article = extract_article(gzip.decompress((NAEB / "html" / f"{key}.html.gz").read_bytes()),
                                  item["url"])  # fmt: skip
        titles += _norm(article.title or "") == _norm(item["title"])
        dates += bool(article.published) and article.published.date().isoformat() == item["date"]
        assert article.text, key
        assert "<script" not in article.html
    # The whole set scores ~0.95 titles / ~0.82 dates (bench/extraction.py); leave slack.
    assert titles >= 0.8 * len(keys)
    assert dates >= 0.6 * len(keys)
