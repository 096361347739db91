"""bench/hostile.py's pure parts: the verdicts it gives and the corpus it builds (no server run)."""

from __future__ import annotations

import json
import zlib

from bench.hostile import (
    ClassResult,
    Words,
    cli_verdict,
    format_table,
    gzip_page_bomb,
    hostile_json_feed,
    json_strings,
    leak_share,
    location_leaves_site,
    long_email,
    make_article,
    script_payloads,
    security_headers_missing,
    summary_line,
    tail_leaks,
    timing_verdict,
    vm_hwm_kib,
)

BASE = "http://127.0.0.1:8123"


def test_redirects_off_the_site_are_told_from_ones_that_stay() -> None:
    for location in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "javascript:alert(1)",
        "http://127.0.0.1:8123@evil.example/",
        "http://127.0.0.1:9999/",
    ):
        assert location_leaves_site(location, BASE), location
    for same in (None, "", "/", "/articles/1/", "?page=2", f"{BASE}/saved/"):
        assert not location_leaves_site(same, BASE), same


def test_leak_share_counts_the_articles_own_words_only() -> None:
    article = make_article(Words(seed=1), "a", 2, 10)
    words = article.words
    assert len(set(words)) == len(words) == 20
    shown = " ".join(words[:8]).upper() + " and other words"
    assert leak_share(shown, words) == 8 / 20
    assert leak_share(json_strings({"teaser": "\n".join(words)}), words) == 1.0
    assert tail_leaks(f"<p>{words[-1]}</p>", words[10:]) == [words[-1]]
    assert tail_leaks("nothing here", words[10:]) == []


def test_script_payloads_are_found_only_when_live() -> None:
    assert script_payloads('<p onclick="alert(2)">') == ['="alert(2)"']
    assert script_payloads("<img src=x onerror=alert(5)>") == ["=alert(5)"]
    assert script_payloads('<a href="JavaScript:alert(4)">') == ["javascript:"]
    assert script_payloads("<p>alert(1)Breaking news &lt;script&gt;alert(3)</p>") == []


def test_cli_and_timing_verdicts() -> None:
    assert cli_verdict(1, "CommandError: no such file", must_fail=True)[0]
    assert not cli_verdict(0, "", must_fail=True)[0]
    assert cli_verdict(0, "", must_fail=False)[0]
    assert not cli_verdict(1, "Traceback (most recent call last):\n", must_fail=True)[0]
    assert timing_verdict([300, 310, 305], [320, 290, 315])[0]
    assert not timing_verdict([34, 35, 33], [985, 990, 1000])[0]


def test_headers_rss_and_results() -> None:
    assert security_headers_missing({}) == ["Content-Security-Policy", "Strict-Transport-Security"]
    assert (
        security_headers_missing(
            {
                "content-security-policy": "default-src 'self'",
                "strict-transport-security": "max-age=1",
            }
        )
        == []
    )
    assert vm_hwm_kib("Name:\tx\nVmPeak:\t 9 kB\nVmHWM:\t  123456 kB\n") == 123456
    assert vm_hwm_kib("Name:\tx\n") is None
    done = ClassResult("a", "A")
    done.add("p", True)
    lost = ClassResult("b", "B", ingest_rss_kib=300 * 1024)
    lost.add("p", True)
    lost.add("q", False, lost=1)
    skipped = ClassResult("c", "C", skipped="too slow")
    table = format_table([done, lost, skipped])
    assert "| A | 1 | 1 | 0 | - | - |" in table
    assert "| B ✗ | 2 | 1 | 1 | - | 300 MiB |" in table
    assert summary_line([done, lost, skipped]) == "hostile: 2 classes, 1 fully handled"


def test_the_corpus_additions_are_what_they_claim() -> None:
    bomb = gzip_page_bomb(3 * 1024 * 1024)
    assert len(bomb) < 10_000 and bomb[:2] == b"\x1f\x8b"
    page = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(bomb)
    assert len(page) == 3 * 1024 * 1024 and page.startswith(b"<!doctype html>")
    feed = hostile_json_feed("http://h", {"surrogate": "/s", "nul": "/n", "clean": "/c"})
    assert b"\\ud800" in feed and b"\\u0000" in feed
    titles = [item["title"] for item in json.loads(feed)["items"]]
    assert "\ud800" in titles[0] and "\x00" in titles[1] and titles[2].isprintable()
    assert len(long_email()) == 312 and long_email().count("@") == 1
