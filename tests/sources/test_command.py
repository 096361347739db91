"""`newsstand sources …` end to end through call_command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from newsstand.sources.models import Feed

pytestmark = pytest.mark.django_db

OPML = b"""<opml><body><outline text="Tech">
  <outline text="Ars Technica" xmlUrl="http://feeds.arstechnica.com/arstechnica/index"/>
  <outline text="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
</outline></body></opml>"""


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("sources", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_and_export(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(OPML)
    assert "2 feeds added" in _run("import-opml", str(path))
    assert "0 feeds added, 2 already present" in _run("import-opml", str(path))
    exported = _run("export-opml")
    assert "news.ycombinator.com/rss" in exported
    target = tmp_path / "out.opml"
    _run("export-opml", "-o", str(target))
    assert b"arstechnica" in target.read_bytes()


def test_import_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(OPML)

    monkeypatch.setattr("sys.stdin", FakeStdin)
    assert "2 feeds added" in _run("import-opml", "-")
    assert Feed.objects.count() == 2


def test_load_default_twice() -> None:
    first = _run("load-default")
    assert "feeds added" in first
    assert "0 feeds added" in _run("load-default")


def test_missing_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        _run("import-opml", str(tmp_path / "nope.opml"))
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<html><body>not opml</body></html>")
    with pytest.raises(CommandError, match="Not an OPML file"):
        _run("import-opml", str(bad))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (OPML[:90], "No feeds could be read: the OPML file is not well-formed XML"),
        (
            b'<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://x.example/&b;"/></body></opml>',
            "declares XML entities",
        ),
    ],
)
def test_a_file_no_feed_can_be_read_from_is_an_error_that_says_why(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        _run("import-opml", str(path))
    assert not Feed.objects.exists()
