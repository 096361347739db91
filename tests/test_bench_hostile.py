"""bench/hostile.py's pure parts: the verdicts it gives and the corpus it builds (no server run)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator

import httpx
import pytest
from bench.hostile import (
    HUGE,
    HUGER,
    ClassResult,
    Words,
    cli_verdict,
    fever_api_key,
    format_table,
    greader_auth,
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
    sync_absurd_calls,
    sync_credentials,
    sync_gate_calls,
    sync_send,
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


def test_sync_calls_cover_the_three_apis_with_the_article_and_every_number() -> None:
    gate = sync_gate_calls(4242)
    assert {c.api for c in gate} == {"miniflux", "greader", "fever"}
    assert any("4242" in c.path for c in gate if c.api == "miniflux")
    assert any(c.data.get("i") == f"{4242:016x}" for c in gate)
    absurd = sync_absurd_calls((HUGE, HUGER))
    assert {c.api for c in absurd} == {"miniflux", "greader", "fever"}
    for number in (HUGE, HUGER):
        mine = [c for c in absurd if number in c.path or number in c.data.values()]
        assert {c.api for c in mine} == {"miniflux", "greader", "fever"}
        assert {c.method for c in mine} >= {"GET", "POST", "PUT"}
    assert len({c.name for c in absurd}) == len(absurd)
    # md5 of "a@b.example:pw", as Fever's clients compute it.
    assert fever_api_key("a@b.example", "pw") == "789de3b03832e8193c2f92d8cc112e69"
    assert greader_auth("SID=x\nLSID=null\nAuth=1/abc\n") == "1/abc"
    assert greader_auth("Error=BadAuthentication\n") is None


@pytest.fixture
def app() -> Iterator[httpx.Client]:
    """httpx (as the bench) in front of Django in-process, on the test database."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    transport = httpx.WSGITransport(app=get_wsgi_application())
    try:
        yield httpx.Client(transport=transport, base_url="http://testserver")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_sync_probes_sign_in_and_tell_a_leak_from_none(app: httpx.Client) -> None:
    """The probes as the bench sends them, through Django in-process: every absurd-number call
    gets past authentication (else it would test nothing), and the gate calls see the whole text
    for a member and none of it for a non-member."""
    from tests.gate.factories import LATER_MARKERS
    from tests.sync.factories import make_world

    member, nonmember = make_world("active"), make_world("expired")
    creds = sync_credentials(app, member.user.email, member.password)
    assert creds["greader_T"] and "auth=" in creds["greader"]["Authorization"]
    for call in sync_absurd_calls((HUGE, HUGER)):
        response = sync_send(app, creds, call)
        assert response.status_code < 500 and response.status_code not in (401, 403), call.name
        if call.api == "fever":
            assert response.json()["auth"] == 1
    for world, sees in ((member, True), (nonmember, False)):
        creds = sync_credentials(app, world.user.email, world.password)
        article = world.articles[0].pk
        texts = [sync_send(app, creds, c).text for c in sync_gate_calls(article)]
        found = [any(m in t for m in LATER_MARKERS) for t in texts]
        assert found == [sees] * len(texts), (world.user.email, found)
