"""OPML: lenient import of real-world files, export, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from newsstand.sources.opml import OpmlError, OpmlOutline, export_opml, parse_opml

CATALOG = Path(settings.SHARED_DATA_DIR) / "catalog" / "awesome-rss-feeds"


def test_every_awesome_rss_feeds_file_parses() -> None:
    files = sorted(CATALOG.rglob("*.opml"))
    if not files:
        pytest.skip("shared catalog data not available")
    assert len(files) == 118
    for path in files:
        outlines = parse_opml(path.read_bytes())
        assert outlines, f"no feeds read from {path.name}"
        assert all(o.xml_url.startswith("http") for o in outlines)


def test_bare_ampersands_are_kept_in_urls_and_titles() -> None:
    data = b"""<?xml version="1.0"?><opml version="1.0"><body>
      <outline text="News & Views">
        <outline text="Tom & Jerry" xmlUrl="http://rss.example.com/home&x=1&amp;y=2" type="rss"/>
      </outline></body></opml>"""
    [outline] = parse_opml(data)
    assert outline == OpmlOutline(
        title="Tom & Jerry",
        xml_url="http://rss.example.com/home&x=1&y=2",
        html_url="",
        category=("News & Views",),
    )


def test_nested_folders_and_attribute_spellings() -> None:
    data = b"""<opml><body><outline title="A"><outline text="B">
      <outline text="Feed" xmlurl="https://a.example/feed" htmlurl="https://a.example/"/>
      </outline></outline><outline text="Top" xmlUrl="https://b.example/rss"/></body></opml>"""
    outlines = parse_opml(data)
    assert outlines[0].category == ("A", "B")
    assert outlines[0].html_url == "https://a.example/"
    assert outlines[1].category == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><body>hi</body></html>", "root element is <html>"),
        (b"<opml><head/></opml>", "no <body>"),
        (b"\x00\x01garbage", "not readable XML"),
        (
            b'<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="https://a.ex',
            "No feeds could be read: the OPML file is not well-formed XML (cut short?)",
        ),
        (
            # Cut short after a complete feed: refused whole, not half imported.
            b'<?xml version="1.0"?><opml version="2.0"><body><outline text="A" '
            b'xmlUrl="http://a.example/feed.xml"/><outline text="B" xmlU',
            "nothing was imported",
        ),
        (b"<opml><body><outline text='Folder'/></body></opml>", "lists no feeds"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://x.example/&b;"/></body></opml>',
            "declares XML entities",
        ),
    ],
)
def test_unreadable_files_raise_opml_error(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError) as err:
        parse_opml(data)
    assert message in str(err.value)


def test_round_trip() -> None:
    feeds = [
        OpmlOutline(
            "Guardian & Co",
            "https://www.theguardian.com/uk/rss",
            "https://www.theguardian.com",
            ("Guardian",),
        ),
        OpmlOutline(
            "World", "https://feeds.bbci.co.uk/news/world/rss.xml?a=1&b=2", "", ("BBC", "World")
        ),
        OpmlOutline("Loose <feed>", "https://loose.example/feed", "", ()),
    ]
    assert parse_opml(export_opml(feeds)) == feeds


def test_round_trip_of_a_real_file() -> None:
    path = CATALOG / "countries" / "with_category" / "Australia.opml"
    if not path.exists():
        pytest.skip("shared catalog data not available")
    outlines = parse_opml(path.read_bytes())
    assert parse_opml(export_opml(outlines)) == outlines
