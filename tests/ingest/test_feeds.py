"""Feed parsing: golden files (input → expected ParsedFeed as JSON) and error behaviour.

The tests only compare. After an intended change, rewrite the expected files with `make golden`
(`python -m tests.golden`) and review the diff by eye.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from newsstand.ingest.feeds import FeedParseError, ParsedFeed, clean_text, parse_feed, plain_text

GOLDEN = Path(__file__).parent / "golden" / "feeds"
MANIFEST: dict[str, str] = {
    k: v
    for k, v in json.loads((GOLDEN / "manifest.json").read_text()).items()
    if not k.startswith("_")
}
SHARED = Path(settings.SHARED_DATA_DIR)
MAX_GOLDEN_ENTRIES = 5
FEED_URL = "https://feeds.example.com/feed"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _snapshot(feed: ParsedFeed) -> dict[str, Any]:
    data = dataclasses.asdict(feed)
    data["entry_count"] = len(feed.entries)
    data["entries"] = data["entries"][:MAX_GOLDEN_ENTRIES]
    for entry in data["entries"]:
        entry["summary_html"] = entry["summary_html"][:300]
    return _jsonable(data)


def _hand_cases() -> list[str]:
    return sorted(
        p.name
        for p in GOLDEN.iterdir()
        if p.suffix in (".xml", ".json")
        and p.stem != "manifest"
        and not p.name.endswith(".expected.json")
    )


def _expected_path(case: str) -> Path:
    return GOLDEN / f"{case}.expected.json"


def _golden_text(content: bytes) -> str:
    snapshot = _snapshot(parse_feed(content, FEED_URL))
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"


def golden_files() -> Iterator[tuple[Path, str]]:
    """(expected file, its content from today's parser) for `python -m tests.golden`; the shared
    cases only where the shared data is present."""
    for filename in _hand_cases():
        yield _expected_path(Path(filename).stem), _golden_text((GOLDEN / filename).read_bytes())
    for case, relative in sorted(MANIFEST.items()):
        if (SHARED / relative).exists():
            yield _expected_path(case), _golden_text((SHARED / relative).read_bytes())


def _check(case: str, content: bytes) -> None:
    expected_path = _expected_path(case)
    assert expected_path.exists(), f"missing {expected_path.name}; run `make golden`, review it"
    actual = _snapshot(parse_feed(content, FEED_URL))
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("filename", _hand_cases())
def test_hand_written_golden(filename: str) -> None:
    _check(Path(filename).stem, (GOLDEN / filename).read_bytes())


@pytest.mark.parametrize("case", sorted(MANIFEST))
def test_shared_golden(case: str, shared_data: Path) -> None:
    source = shared_data / MANIFEST[case]
    assert source.exists(), f"{source} is missing from the shared data"
    _check(case, source.read_bytes())


def _shared_feed_files(shared_data: Path) -> list[Path]:
    root = shared_data / "feeds"
    skip_names = {"SOURCE.txt", "LICENSE", "LICENSE-MIT", "LICENSE-data-CC-BY-4.0"}
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.name not in skip_names
        and not p.name.endswith((".serde.json", ".toml"))
        and "output" not in p.parts
    )


def test_every_shared_feed_parses_or_raises_feed_parse_error(shared_data: Path) -> None:
    files = _shared_feed_files(shared_data)
    assert files, f"no feeds under {shared_data / 'feeds'}"
    parsed: list[ParsedFeed] = []
    refused: dict[str, str] = {}
    for path in files:
        try:
            parsed.append(parse_feed(path.read_bytes(), FEED_URL))
        except FeedParseError as exc:  # any other exception fails the test
            refused[path.name] = str(exc)
    assert len(parsed) >= 0.9 * len(files), f"only {len(parsed)} of {len(files)} parsed: {refused}"
    # A refusal says what is wrong with the document, in words a publisher can act on.
    reasons = ("not a feed: ", "malformed feed: ", "malformed JSON: ", "empty document: ")
    assert all(reason.startswith(reasons) for reason in refused.values()), refused
    # Feeds that parse give their entries, not only a channel title: a few corpus files are
    # deliberately empty or broken, most are not.
    assert sum(1 for feed in parsed if feed.entries) >= 0.8 * len(parsed)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b"   \n\t ", "empty document"),
        (
            b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>",
            "not a feed: the server sent an HTML page",
        ),
        (b"\xef\xbb\xbf<html lang='en'><body>x</body></html>", "HTML page"),
        (b"<?xml version='1.0'?><rss><channel><<<title>", "malformed XML"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "root element is <catalog>"),
        (b'{"hello": "world"}', "not a feed: JSON without a JSON Feed version"),
        (b"{not json", "malformed JSON"),
        (b"just some words", "not XML or JSON"),
    ],
)
def test_bad_documents_raise_specific_errors(content: bytes, message: str) -> None:
    with pytest.raises(FeedParseError) as err:
        parse_feed(content, FEED_URL)
    assert message in str(err.value)


def test_garbage_bytes_never_raise_anything_else() -> None:
    import random

    rng = random.Random(1234)
    base = (GOLDEN / "rss2_basic.xml").read_bytes()
    for _ in range(200):
        data = bytearray(base)
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = bytes(data[: rng.randrange(1, len(data))])
        with contextlib.suppress(FeedParseError):
            parse_feed(cut, FEED_URL)


def test_plain_text() -> None:
    assert plain_text("<b>A</b> &amp;amp; B &lt;3") == "A & B <3"
    assert plain_text("  many \n  spaces ") == "many spaces"
    assert plain_text(None) == ""


def test_clean_text_replaces_lone_surrogates_and_drops_controls() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("\udfffx\ud800") == "\ufffdx\ufffd"
    assert clean_text("pair \ud83d\ude00 joined") == "pair \U0001f600 joined"
    assert clean_text("nul\x00 bell\x07 del\x7f c1\x80\x9f") == "nul bell del c1"
    assert clean_text("tab\tline\nreturn\r kept") == "tab\tline\nreturn\r kept"
    assert clean_text("Zürich \u2014 \U0001f600") == "Zürich \u2014 \U0001f600"


def _json_feed(*titles: str) -> bytes:
    items = [
        {"id": f"i{n}", "url": f"https://news.example.com/{n}", "title": t, "content_text": t}
        for n, t in enumerate(titles)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T\u0000", "items": items}
    return json.dumps(doc).encode()  # ensure_ascii: "\ud800" and "\u0000" stay escapes


def _text_fields(feed: ParsedFeed) -> list[str]:
    out = [feed.title, feed.link, feed.language]
    for entry in feed.entries:
        for value in dataclasses.asdict(entry).values():
            out.extend(
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
            )
    return out


def test_json_feed_text_is_cleaned_at_the_boundary() -> None:
    feed = parse_feed(_json_feed("Lone \ud800 surrogate", "A \u0000 NUL", "Clean"), FEED_URL)
    assert [e.title for e in feed.entries] == ["Lone \ufffd surrogate", "A NUL", "Clean"]
    assert feed.title == "T"
    for text in _text_fields(feed):
        text.encode("utf-8")  # no surrogate left
        assert "\x00" not in text


def test_rss_character_references_to_surrogates_and_nul_do_not_sink_the_feed() -> None:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example.com/{n}</link></item>"
        for n, t in enumerate(["Lone &#xD800; ref", "NUL &#0; ref", "Bell &#7; ref", "Clean"])
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    feed = parse_feed(body.encode(), FEED_URL)
    assert [e.title for e in feed.entries] == ["Lone \ufffd ref", "NUL ref", "Bell ref", "Clean"]


def test_utc_and_future_dates() -> None:
    feed = parse_feed((GOLDEN / "rss2_basic.xml").read_bytes(), FEED_URL)
    first, future, bad = feed.entries
    assert first.published is not None
    assert first.published.utcoffset() is not None
    assert first.published.isoformat() == "2025-01-02T07:30:00+00:00"
    assert future.published is None
    assert bad.published is None
