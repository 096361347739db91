"""Hostile corpus bench: what a hostile publisher or visitor can still do to a running Newsstand.

Run:  nice -n 10 .venv/bin/python -m bench.hostile [--data-dir DIR] [--port PORT] [--quick]

Everything stays on loopback and ends by itself (every loop is bounded). Steps:
  corpus   a local publisher web (tests/httpserver.py's PublisherWeb, in this process) serves a
           control feed (a long article, three short ones, four plain ones), the existing
           hostile corpus of tests/ingest/test_hostile.py (imported, not copied) and this
           bench's additions: a gzip bomb page sent without Content-Encoding, a server that
           drips its response headers, a JSON Feed whose first items carry a lone surrogate and
           a NUL before a clean item.
  ingest   `ingest --once --jobs 2` in a child process (this module with --ingest-worker: the
           fetcher's timeouts cut to READ 0.5 s / TOTAL 2 s as the hostile test does, private
           addresses allowed) four times: the control feeds; the hostile corpus; the bomb's
           control (the same feed with a plain page); the bomb. Peak RSS is the child's own
           (wait4's ru_maxrss).
  server   `newsstand up --no-worker` (gunicorn, 2 workers) on 127.0.0.1 with the defaults:
           private addresses refused (so staff add-source is a real SSRF target while the
           publisher web listens on loopback), the page cache on. Each class's probes are real
           HTTP requests (httpx), some from other loopback addresses (127.0.0.2, ...) so the
           server sees other clients. Peak RSS per class: the gunicorn processes' VmHWM, reset
           before the class (/proc/<pid>/clear_refs).
  cli      `newsstand extract|sources|users` in child processes, two at a time beside the ingest
           runs, against their own copy of the empty database (an import that wrongly succeeds
           adds feeds no ingest run may fetch).

Per class: tried (probes), handled (the safe outcome), lost (stored data lost or changed by the
probe), the peak RSS of the server and of the ingest process. Not run: kill -9 durability (too
slow for a bench; tests cover it). A JSON copy of every probe goes to bench/results/hostile.json.
Exit status is 0 whatever the outcome; the last line is "hostile: N classes, M fully handled".
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import json
import logging
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    import httpx
    from tests.httpserver import PublisherWeb

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "hostile.json"

READY_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 30.0
INGEST_TIMEOUT_S = 180
CLI_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20
# The ingest child's fetch limits, as tests/ingest/test_hostile.py sets them: the real ones
# (fetcher.READ_TIMEOUT_S 20 s, TOTAL_TIMEOUT_S 60 s) would make one drip last minutes.
WORKER_READ_TIMEOUT_S = 0.5
WORKER_TOTAL_TIMEOUT_S = 2.0
WORKER_JOBS = 2
# A fetch "ends by the deadline" if the client hangs up within TOTAL + one stalled read + this.
DEADLINE_SLACK_S = 1.0
HEADER_DRIP_INTERVAL_S = 0.2  # under the read timeout, so only a total deadline stops it
HEADER_DRIP_MAX_S = 8.0  # the hostile server gives up after this; a client still there lost
MIB = 1024 * 1024
BOMB_DECOMPRESSED_BYTES = 128 * MIB  # ~130 KB on the wire, under the page limit
BOMB_DECOMPRESSED_BYTES_QUICK = 64 * MIB
# The bomb is handled if the ingest child grew by less than this share of its size over the
# control run (a bounded decoder holds at most the 5 MB page limit).
BOMB_GROWTH_SHARE = 0.5
BOMB_CONTROL_PAGES = ("control-page", "control-clean")
TEASER_MAX_SHARE = 0.5  # a teaser may show at most half an article's words
TAIL_SHARE = 0.4  # the part of a gated body search must not find
API_BUCKET_MAX_REQUESTS = 700  # the signed-in rate is 600/min; a bucket must fill before this
SIGNUP_PAIRS = 8  # allauth allows 20 sign-ups a minute from one address
SIGNUP_PAIRS_QUICK = 3
# Sign-up with a taken address vs a new one: the medians may differ by this share of the faster
# one, or this many ms, whichever is larger (argon2 alone is ~100 ms or more here).
SIGNUP_TOLERANCE_SHARE = 0.2
SIGNUP_TOLERANCE_MS = 30.0
FARMED_ARTICLES = 4
# Two paragraphs of this many words (~6 letters each): ~200 words of teaser text would show it all.
SHORT_PARAGRAPH_WORDS = 15
# A refusal: to sign in, forbidden, not found, or unauthorised (JSON endpoints).
REFUSED = frozenset({302, 401, 403, 404})
HUGE = "9223372036854775807"  # 2**63 - 1
HUGER = "9223372036854775808"  # 2**63
LONG_EMAIL_CHARS = 312
PASSWORD = "Bench-hostile-pass-4817"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ROBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# The control feed's category: the articles' section and their topic.
SECTION = "World"
TOPIC_SLUG = "world"
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
XML_TYPE = {"Content-Type": "application/xml"}
EVIL = "evil.example"
REDIRECT_PAYLOADS = (
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example/",
    "javascript:alert(1)",
    "http://{host}@evil.example/",
)
# What test_hostile.py expects of each of its feeds that must fail: (outcome, error kind).
EXPECTED_FEED_ERRORS = {
    "garbage": "parse",
    "html": "parse",
    "empty": "parse",
    "404": "http_status",
    "500": "http_status",
    "redirect_loop": "too_many_redirects",
    "gzip_bomb": "too_large",
    "fifty_mb": "too_large",
    "drip": "timeout",
}
# Markup that must not survive into a stored or served page (test_hostile.py's DANGER list).
DANGER = ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "<iframe")
_SYLLABLES: tuple[str, ...] = ("ka", "lo", "mir", "ven", "dra", "sul", "tek", "ori")
_SYLLABLES += ("bas", "quen", "zor", "lin", "pex", "rud", "fim", "gal")
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_OG_DESCRIPTION = re.compile(r'<meta property="og:description" content="([^"]*)"')
_WORD = re.compile(r"[a-z]+")


# ------------------------------------------------------------------ results (pure)


@dataclass
class Probe:
    name: str
    handled: bool
    lost: int = 0
    detail: str = ""


@dataclass
class ClassResult:
    key: str
    title: str
    probes: list[Probe] = field(default_factory=list)
    server_rss_kib: int | None = None
    ingest_rss_kib: int | None = None
    note: str = ""
    skipped: str = ""

    @property
    def tried(self) -> int:
        return len(self.probes)

    @property
    def handled(self) -> int:
        return sum(p.handled for p in self.probes)

    @property
    def lost(self) -> int:
        return sum(p.lost for p in self.probes)

    @property
    def fully_handled(self) -> bool:
        return not self.skipped and self.tried > 0 and self.handled == self.tried and not self.lost

    def add(self, name: str, handled: bool, lost: int = 0, detail: str = "") -> None:
        self.probes.append(Probe(name, bool(handled), lost, detail))


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f} MiB"


def format_table(results: Sequence[ClassResult]) -> str:
    """The per-class table, as Markdown, so it can go into docs/benchmarks.md as printed."""
    lines = [
        "| class | tried | handled | lost | server peak RSS | ingest peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.title} | - | - | - | - | - (skipped: {r.skipped}) |")
            continue
        mark = "" if r.fully_handled else " ✗"
        lines.append(
            f"| {r.title}{mark} | {r.tried} | {r.handled} | {r.lost} | "
            f"{_mib(r.server_rss_kib)} | {_mib(r.ingest_rss_kib)} |"
        )
    return "\n".join(lines)


def summary_line(results: Sequence[ClassResult]) -> str:
    run = [r for r in results if not r.skipped]
    return f"hostile: {len(run)} classes, {sum(r.fully_handled for r in run)} fully handled"


# ------------------------------------------------------------------ checks (pure)


def vm_hwm_kib(status_text: str) -> int | None:
    """Peak resident set size (VmHWM, KiB) from the text of /proc/<pid>/status."""
    m = re.search(r"^VmHWM:\s+(\d+)\s+kB", status_text, re.M)
    return int(m.group(1)) if m else None


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def leak_share(text: str, body_words: Sequence[str]) -> float:
    """The share of an article's (unique, invented) body words that `text` shows."""
    body = set(body_words)
    if not body:
        return 0.0
    return len(body & set(words_of(text))) / len(body)


def tail_leaks(text: str, tail_words: Sequence[str]) -> list[str]:
    """Words from the gated end of a body that `text` shows (none may appear)."""
    seen = set(words_of(text))
    return [w for w in tail_words if w in seen]


def script_payloads(page: str) -> list[str]:
    """Live script payloads of the XSS corpus (alert(2) .. alert(14)) left in a served page."""
    found = [
        danger
        for n in range(2, 15)
        for danger in (f"<script>alert({n})", f"=alert({n})", f'="alert({n})"')
        if danger in page
    ]
    if "javascript:" in page.lower():
        found.append("javascript:")
    return found


def danger_in(text: str) -> list[str]:
    lowered = text.lower()
    return [d for d in DANGER if d in lowered]


def location_leaves_site(location: str | None, base: str) -> bool:
    """Whether a redirect's Location would take a browser off `base` (or to a script URL)."""
    if not location:
        return False
    # Browsers drop tabs and newlines and read "\" as "/" in http(s) URLs.
    loc = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    target = urlsplit(urljoin(base.rstrip("/") + "/", loc))
    here = urlsplit(base)
    if target.scheme not in ("http", "https"):
        return True
    try:
        return (target.hostname, target.port) != (here.hostname, here.port)
    except ValueError:  # an unparsable port: not a place we send anyone
        return True


def cli_verdict(returncode: int, stderr: str, *, must_fail: bool) -> tuple[bool, str]:
    """A hostile input to a command: refused with a message, never a traceback."""
    if "Traceback (most recent call last)" in stderr:
        return False, f"traceback (exit {returncode})"
    if must_fail and returncode == 0:
        return False, "exit 0"
    return True, f"exit {returncode}"


def timing_verdict(existing_ms: Sequence[float], new_ms: Sequence[float]) -> tuple[bool, str]:
    """Whether sign-up timings tell a taken address from a new one (medians compared)."""
    a, b = statistics.median(existing_ms), statistics.median(new_ms)
    allowed = max(SIGNUP_TOLERANCE_MS, SIGNUP_TOLERANCE_SHARE * min(a, b))
    detail = f"median taken {a:.0f} ms, new {b:.0f} ms, allowed difference {allowed:.0f} ms"
    return abs(a - b) <= allowed, detail


def security_headers_missing(headers: Any) -> list[str]:
    """Which of CSP and HSTS a response over HTTPS lacks (report-only CSP does not count)."""
    missing = []
    if not headers.get("content-security-policy"):
        missing.append("Content-Security-Policy")
    if not headers.get("strict-transport-security"):
        missing.append("Strict-Transport-Security")
    return missing


def control_note(what: str, ok: bool) -> str:
    """A check that the probes of a class can fail at all: said in the report either way."""
    return f"control ({what}): {'ok' if ok else 'FAILED, the probes prove nothing'}"


def _response_text(resp: Any) -> str:
    """A response's text; a JSON one's strings only (escapes would hide words)."""
    if resp.headers.get("content-type", "").startswith("application/json"):
        return json_strings(resp.json())
    return str(resp.text)


def json_strings(value: Any) -> str:
    """Every string in a JSON document, joined: escaped newlines would glue words together."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(json_strings(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(json_strings(v) for v in value)
    return ""


# ------------------------------------------------------------------ sync APIs (pure)

GREADER_API = "/api/greader/reader/api/0/"
GREADER_READING_LIST = "user/-/state/com.google/reading-list"
GREADER_STARRED = "user/-/state/com.google/starred"
GREADER_ITEM = "tag:google.com,2005:reader/item/"


@dataclass(frozen=True)
class SyncCall:
    """One call to a reading-app API; the app's credentials are added when it is sent."""

    api: str  # "miniflux", "greader" or "fever"
    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.api} {self.method} {self.path}" + (
            " " + "&".join(f"{k}={v}" for k, v in self.data.items()) if self.data else ""
        )


def fever_api_key(email: str, password: str) -> str:
    """Fever's api_key: md5 of "email:password"."""
    return hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()


def greader_auth(login_answer: str) -> str | None:
    """The `Auth=` token of a ClientLogin answer (three lines, SID, LSID and Auth)."""
    for line in login_answer.splitlines():
        if line.startswith("Auth="):
            return line.removeprefix("Auth=").strip() or None
    return None


def sync_gate_calls(article_id: int) -> list[SyncCall]:
    """Every way the three APIs hand an app an entry's text, for one article."""
    hex_id = f"{article_id:016x}"
    return [
        SyncCall("miniflux", "GET", "/v1/entries?limit=100"),
        SyncCall("miniflux", "GET", f"/v1/entries/{article_id}"),
        SyncCall("miniflux", "GET", f"/v1/entries/{article_id}/fetch-content"),
        SyncCall("greader", "GET", GREADER_API + "stream/contents?n=100"),
        SyncCall("greader", "GET", GREADER_API + f"stream/items/contents?i={article_id}"),
        SyncCall("greader", "POST", GREADER_API + "stream/items/contents", {"i": hex_id}),
        SyncCall("greader", "GET", "/api/greader/reader/atom/" + GREADER_READING_LIST),
        SyncCall("fever", "POST", "/api/fever/?api&items"),
        SyncCall("fever", "POST", f"/api/fever/?api&items&with_ids={article_id}"),
    ]


def sync_absurd_calls(numbers: Sequence[str]) -> list[SyncCall]:
    """Ids, offsets, limits and times no entry, list or clock has, in reads and writes."""
    calls: list[SyncCall] = []
    for n in numbers:
        for path in (
            f"/v1/entries?offset={n}",
            f"/v1/entries?limit=-{n}",
            f"/v1/entries?after_entry_id={n}",
            f"/v1/entries?before={n}",
            f"/v1/entries?published_after={n}",
            f"/v1/entries/{n}",
            f"/v1/feeds/{n}/entries",
            f"/v1/categories/{n}/entries",
            f"/v1/icons/{n}",
        ):
            calls.append(SyncCall("miniflux", "GET", path))
        calls.append(SyncCall("miniflux", "PUT", f"/v1/entries/{n}/bookmark"))
        for query in (f"n={n}", f"c={n}", f"ot={n}", f"nt={n}"):
            calls.append(SyncCall("greader", "GET", GREADER_API + f"stream/contents?{query}"))
        calls.append(SyncCall("greader", "GET", GREADER_API + f"stream/items/contents?i={n}"))
        calls.append(
            SyncCall("greader", "POST", GREADER_API + "edit-tag", {"i": n, "a": GREADER_STARRED})
        )
        calls.append(
            SyncCall(
                "greader",
                "POST",
                GREADER_API + "mark-all-as-read",
                {"s": GREADER_READING_LIST, "ts": n},
            )
        )
        for query in (f"items&since_id={n}", f"items&max_id={n}", f"items&with_ids={n}"):
            calls.append(SyncCall("fever", "POST", f"/api/fever/?api&{query}"))
        calls.append(SyncCall("fever", "POST", f"/api/fever/?api&mark=item&as=saved&id={n}"))
    return calls


def sync_credentials(c: httpx.Client, email: str, password: str) -> dict[str, Any]:
    """What each reading-app API takes to sign in, as an app gets it (ClientLogin, /token)."""
    login = c.post("/api/greader/accounts/ClientLogin", data={"Email": email, "Passwd": password})
    auth = greader_auth(login.text) or ""
    greader = {"Authorization": f"GoogleLogin auth={auth}"}
    edit = c.get(GREADER_API + "token", headers=greader).text.strip()
    return {
        "miniflux": {"X-Auth-Token": password},
        "greader": greader,
        "greader_T": edit,
        "fever": fever_api_key(email, password),
    }


def sync_send(c: httpx.Client, creds: dict[str, Any], call: SyncCall) -> httpx.Response:
    if call.api == "fever":
        return c.post(call.path, data={"api_key": creds["fever"], **call.data})
    headers = creds[call.api]
    data = dict(call.data)
    if call.api == "greader" and call.method == "POST":
        data["T"] = creds["greader_T"]
    if call.method == "GET":
        return c.get(call.path, headers=headers)
    return c.request(call.method, call.path, headers=headers, data=data or None)


# ------------------------------------------------------------------ corpus builders


class Words:
    """Invented words, each used once in the whole corpus: a word seen in a response tells
    exactly which article, and which part of it, leaked."""

    def __init__(self, seed: int = 13) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def word(self) -> str:
        while True:
            w = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))
            if w not in self.seen:
                self.seen.add(w)
                return w

    def paragraph(self, sentences: int, words: int) -> list[str]:
        return [self.word() for _ in range(sentences * words)]


def prose(words: Sequence[str], per_sentence: int) -> str:
    """The words as sentences of `per_sentence` words."""
    out = []
    for i in range(0, len(words), per_sentence):
        chunk = " ".join(words[i : i + per_sentence])
        out.append(chunk[:1].upper() + chunk[1:] + ".")
    return " ".join(out)


@dataclass(frozen=True)
class MadeArticle:
    guid: str
    path: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    summary: str
    category: str = SECTION

    @property
    def words(self) -> list[str]:
        return [w for p in self.paragraphs for w in p]

    def page(self) -> str:
        body = "".join(f"<p>{prose(p, 9)}</p>" for p in self.paragraphs)
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{self.title}'
            f"</title></head><body><article><h1>{self.title}</h1>{body}</article></body></html>"
        )


def make_article(words: Words, guid: str, paragraphs: int, per_paragraph: int) -> MadeArticle:
    title = " ".join(words.word() for _ in range(5)).capitalize()
    paras = tuple(tuple(words.paragraph(1, per_paragraph)) for _ in range(paragraphs))
    return MadeArticle(guid, f"/control/{guid}.html", title, paras, summary="")


def rss_feed(base: str, items: Sequence[MadeArticle], *, title: str = "Control") -> str:
    now = datetime.now(UTC)
    out = [f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>']
    for i, it in enumerate(items):
        out.append(
            f"<item><title>{escape(it.title)}</title><link>{base}{it.path}</link>"
            f"<guid>{it.guid}</guid><category>{it.category}</category>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=5 + i))}</pubDate>"
            + (f"<description>{escape(it.summary)}</description>" if it.summary else "")
            + "</item>"
        )
    out.append("</channel></rss>")
    return "".join(out)


def gzip_page_bomb(decompressed_bytes: int) -> bytes:
    """A gzip stream of an HTML page padded with spaces to `decompressed_bytes` (~1000:1)."""
    head = b'<!doctype html><html><head><meta charset="utf-8"><title>Bomb</title></head>'
    head += b"<body><article><h1>Bomb</h1><p>"
    tail = b"</p></article></body></html>"
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [packer.compress(head)]
    left = decompressed_bytes - len(head) - len(tail)
    spaces = b" " * MIB
    while left > 0:
        n = min(left, MIB)
        out.append(packer.compress(spaces[:n]))
        left -= n
    out += [packer.compress(tail), packer.flush()]
    return b"".join(out)


def hostile_json_feed(base: str, paths: dict[str, str]) -> bytes:
    """JSON Feed 1.1: a lone surrogate title, a NUL title, then a clean item (json escapes)."""
    items = [
        {"id": "lone-surrogate", "url": base + paths["surrogate"], "title": "Lone \ud800 half"},
        {"id": "nul", "url": base + paths["nul"], "title": "Nul \x00 inside"},
        {"id": "clean", "url": base + paths["clean"], "title": "Clean after the bad ones"},
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Bad chars", "items": items}
    return json.dumps(doc).encode("ascii")  # ensure_ascii: \ud800 and \u0000 as escapes


@dataclass
class DripLog:
    started: float | None = None
    hung_up_after_s: float | None = None  # None: the client stayed to the end
    finished: bool = False


def header_drip_handler(log: DripLog, feed_body: bytes) -> Callable[[Any], None]:
    """A server that sends its status line, then one header byte every HEADER_DRIP_INTERVAL_S."""

    def handle(req: Any) -> None:
        log.started = time.monotonic()
        req.close_connection = True
        try:
            req.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            req.wfile.flush()
            while time.monotonic() - log.started < HEADER_DRIP_MAX_S:
                time.sleep(HEADER_DRIP_INTERVAL_S)
                req.wfile.write(b"a")
                req.wfile.flush()
            req.wfile.write(
                b"\r\nContent-Type: application/xml\r\nContent-Length: "
                + str(len(feed_body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + feed_body
            )
            req.wfile.flush()
            log.finished = True
        except OSError:
            log.hung_up_after_s = time.monotonic() - log.started

    return handle


# ------------------------------------------------------------------ processes


@dataclass(frozen=True)
class CliCase:
    name: str
    argv: list[str]
    must_fail: bool = True  # else: any exit status, but no traceback
    stdin: str | None = None


def long_email(chars: int = LONG_EMAIL_CHARS) -> str:
    """A syntactically valid address longer than the 254 characters an address may have."""
    local = "a" * 64
    labels = ["x" * 63] * 3
    last = chars - len(local) - 1 - sum(len(x) + 1 for x in labels) - len(".com")
    return f"{local}@{'.'.join(labels)}.{'y' * last}.com"


@dataclass
class Measured:
    returncode: int
    maxrss_kib: int
    wall_s: float
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(
    cmd: list[str], env: dict[str, str], timeout_s: float, stdin_text: str | None = None
) -> Measured:
    """Run a child to its end; its own peak RSS comes from wait4 (no polling can miss it)."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=err,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        )
        if stdin_text is not None and proc.stdin is not None:
            proc.stdin.write(stdin_text.encode())
            proc.stdin.close()
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout_s:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=proc.returncode,
            maxrss_kib=int(usage.ru_maxrss),
            wall_s=time.monotonic() - t0,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=timed_out,
        )


def descendants(pid: int) -> list[int]:
    """`pid`'s children, grandchildren, ... from /proc (the gunicorn master and workers)."""
    parent_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces; the parent pid is 2nd after it.
        parent_of[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent_of.items() if pp == p]
        found += kids
        frontier += kids
    return found


def peak_rss_kib(pids: Sequence[int]) -> int | None:
    """The largest VmHWM among `pids` (a worker's own peak, not their sum)."""
    peaks = []
    for pid in pids:
        try:
            kib = vm_hwm_kib(Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        if kib is not None:
            peaks.append(kib)
    return max(peaks) if peaks else None


def reset_peak_rss(pids: Sequence[int]) -> None:
    for pid in pids:
        # "5" resets VmHWM to the current RSS (Linux >= 4.0); our own children only.
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------ the bench


@dataclass
class Seeded:
    gated: MadeArticle
    shorts: list[MadeArticle]
    plain: list[MadeArticle]
    ids: dict[str, int] = field(default_factory=dict)  # guid -> article pk
    feeds: dict[str, int] = field(default_factory=dict)  # name -> feed pk
    hostile_feeds: dict[str, int] = field(default_factory=dict)
    before: list[dict[str, Any]] = field(default_factory=list)
    member_token_id: int = 0
    nonmember_secret: str = ""
    app_passwords: dict[str, str] = field(default_factory=dict)  # email -> app password


class Bench:
    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.data_dir = data_dir
        self.port: int = args.port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.results: list[ClassResult] = []
        self.server: subprocess.Popen[bytes] | None = None
        self.runs: dict[str, Measured] = {}
        self.words = Words()
        self.drip = DripLog()
        self.env = self._env()
        self.web: PublisherWeb | None = None
        self._good_items: list[tuple[str, str, str]] = []
        self.cli_dir = data_dir / "cli"

    # --- environment --------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            # SQLite and the cache in the data dir; private addresses refused by the server.
            if k
            not in ("NEWSSTAND_DATABASE_URL", "NEWSSTAND_ALLOW_PRIVATE_URLS", "NEWSSTAND_CACHE_URL")
        }
        path = [str(REPO / "src"), str(REPO)]
        if env.get("PYTHONPATH"):
            path.append(env["PYTHONPATH"])
        env.update(
            {
                "NEWSSTAND_DATA_DIR": str(self.data_dir),
                "NEWSSTAND_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SETTINGS_MODULE": "newsstand.settings",
                "NEWSSTAND_LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join(path),
            }
        )
        return env

    def log(self, msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    # --- HTTP clients -------------------------------------------------------------------

    def client(
        self, source: str = "127.0.0.1", ua: str = BROWSER_UA, base: str | None = None
    ) -> httpx.Client:
        import httpx

        return httpx.Client(
            base_url=base or self.base,
            transport=httpx.HTTPTransport(local_address=source),
            timeout=HTTP_TIMEOUT_S,
            follow_redirects=False,
            headers={"User-Agent": ua},
        )

    def csrf(self, c: httpx.Client, path: str) -> str:
        m = _CSRF_INPUT.search(c.get(path).text)
        if not m:
            raise RuntimeError(f"no CSRF token on {path}")
        return m.group(1)

    def login(self, email: str, source: str = "127.0.0.1") -> httpx.Client:
        c = self.client(source)
        token = self.csrf(c, "/accounts/login/")
        r = c.post(
            "/accounts/login/",
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if r.status_code != 302:
            raise RuntimeError(f"could not sign in {email}: HTTP {r.status_code}")
        return c

    # --- setup --------------------------------------------------------------------------

    def setup_django(self) -> None:
        os.environ.update(self.env)
        for k in ("NEWSSTAND_DATABASE_URL", "NEWSSTAND_ALLOW_PRIVATE_URLS", "NEWSSTAND_CACHE_URL"):
            os.environ.pop(k, None)
        sys.path[:0] = [str(REPO / "src"), str(REPO)]
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        from django.db import connection

        self.cli_dir.mkdir()
        with connection.cursor() as cur:
            # A consistent copy of the migrated, still empty database for the CLI probes.
            cur.execute("VACUUM INTO %s", [str(self.cli_dir / "newsstand.sqlite3")])

    def serve_corpus(self) -> Seeded:
        from tests.httpserver import PublisherWeb
        from tests.ingest.corpus import article_page

        web = self.web = PublisherWeb().start()
        w = self.words
        gated = make_article(w, "gated", 10, 36)
        gated = MadeArticle(
            gated.guid, gated.path, gated.title, gated.paragraphs, prose(gated.paragraphs[0][:9], 9)
        )
        shorts = []
        for kind in ("whole", "most", "none"):
            a = make_article(w, f"short-{kind}", 2, SHORT_PARAGRAPH_WORDS)
            words = a.words
            summary = {
                "whole": prose(words, 9),
                "most": prose(words[: int(len(words) * 0.8)], 9),
                "none": "",
            }[kind]
            shorts.append(MadeArticle(a.guid, a.path, a.title, a.paragraphs, summary))
        plain = [make_article(w, f"plain-{i}", 6, 27) for i in range(FARMED_ARTICLES)]
        for a in [gated, *shorts, *plain]:
            web.add(a.path, a.page(), headers=HTML_TYPE)
        web.add("/control.xml", rss_feed(web.base_url, [gated, *shorts, *plain]), headers=XML_TYPE)
        # The SSRF target: a real feed on loopback, which staff add-source must never reach.
        web.add("/ssrf.xml", rss_feed(web.base_url, plain[:1], title="SSRF"), headers=XML_TYPE)
        # New items of issue 13: the bomb page, the header drip, the bad-character JSON Feed.
        bomb_size = BOMB_DECOMPRESSED_BYTES_QUICK if self.quick else BOMB_DECOMPRESSED_BYTES
        bomb = gzip_page_bomb(bomb_size)
        web.add("/page-bomb/page.html", bomb, headers={"Content-Type": "text/html"})
        # Its control: the same feed with a plain page where the bomb is, ingested alone too.
        for name in ("control-page", "clean", "control-clean"):
            page = article_page(f"Bomb feed {name}", f"bomb{name}")
            web.add(f"/page-bomb/{name}.html", page, headers=HTML_TYPE)
        for feed, names in (
            ("page-bomb", ("page", "clean")),
            ("page-bomb-control", BOMB_CONTROL_PAGES),
        ):
            items = [
                MadeArticle(f"bomb-{n}", f"/page-bomb/{n}.html", f"Bomb {n}", (), "") for n in names
            ]
            web.add(f"/{feed}.xml", rss_feed(web.base_url, items, title=feed), headers=XML_TYPE)
        drip_items = [MadeArticle("drip-1", "/pages/plain.html", "Dripped", (), "")]
        web.handle(
            "/header-drip.xml",
            header_drip_handler(self.drip, rss_feed(web.base_url, drip_items).encode()),
        )
        json_paths = {k: f"/json/{k}.html" for k in ("surrogate", "nul", "clean")}
        for k, path in json_paths.items():
            web.add(path, article_page(f"JSON {k} page", f"json{k}"), headers=HTML_TYPE)
        web.add(
            "/bad-chars.json",
            hostile_json_feed(web.base_url, json_paths),
            headers={"Content-Type": "application/feed+json"},
        )
        return Seeded(gated=gated, shorts=shorts, plain=plain)

    def seed(self, s: Seeded) -> None:
        """Publishers, feeds and the people of the probes (a member, a non-member, staff...)."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from newsstand.accounts.actions import add_user
        from newsstand.api.actions import create_api_token
        from newsstand.membership.models import Membership
        from newsstand.sources.models import Feed, Publisher
        from newsstand.sync.actions import create_app_password

        assert self.web is not None
        control = Publisher.objects.create(name="Control News", slug="control")
        s.feeds["control"] = Feed.objects.create(
            publisher=control, url=self.web.url("/control.xml"), section=SECTION
        ).pk
        now = timezone.now()
        User = get_user_model()
        for role in ("member", "farmer", "reader", "staff", "other"):
            user = add_user(f"{role}@bench.example", PASSWORD)
            if role in ("member", "farmer", "other"):
                Membership.objects.create(
                    user=user, state=Membership.State.ACTIVE, paid_until=now + timedelta(days=30)
                )
            if role == "staff":
                User.objects.filter(pk=user.pk).update(is_staff=True)
        member = User.objects.get(email="member@bench.example")
        s.member_token_id = create_api_token(member, "bench").token.pk
        nonmember = User.objects.get(email="reader@bench.example")
        s.nonmember_secret = create_api_token(nonmember, "bench").secret
        # App passwords for the sync APIs' probes (gate leaks, absurd numbers).
        for user in (member, nonmember):
            s.app_passwords[user.email] = create_app_password(user, "bench").password

    def ingest(self, label: str, due_feeds: Sequence[int]) -> Measured:
        from django.utils import timezone

        from newsstand.sources.models import Feed

        Feed.objects.update(next_check_at=timezone.now() + timedelta(days=365))
        Feed.objects.filter(pk__in=due_feeds).update(next_check_at=timezone.now())
        env = {**self.env, "NEWSSTAND_ALLOW_PRIVATE_URLS": "1"}
        cmd = [sys.executable, "-m", "bench.hostile", "--ingest-worker", str(self.data_dir)]
        run = run_measured(cmd, env, INGEST_TIMEOUT_S)
        self.runs[label] = run
        self.log(
            f"ingest {label}: exit {run.returncode}, {run.wall_s:.1f} s, "
            f"peak RSS {_mib(run.maxrss_kib)}" + (" (timed out)" if run.timed_out else "")
        )
        if run.returncode != 0:
            print(run.stderr[-2000:])
        return run

    def ingest_control(self, s: Seeded) -> None:
        from tests.ingest.corpus import rss, serve_articles

        from newsstand.articles.models import Article
        from newsstand.sources.models import Feed, Publisher

        assert self.web is not None
        good_pub = Publisher.objects.create(name="Good", slug="good")
        items = serve_articles(self.web, "good", 3)
        self._good_items = items
        s.feeds["good"] = Feed.objects.create(
            publisher=good_pub, url=self.web.add("/good.xml", rss(self.web, items))
        ).pk
        self.ingest("control", [s.feeds["control"], s.feeds["good"]])
        s.ids = dict(Article.objects.values_list("guid", "pk"))
        s.before = [dict(row) for row in Article.objects.order_by("pk").values()]

    # --- the ingest classes ---------------------------------------------------------------

    def ingest_hostile(self, s: Seeded) -> None:
        """The existing corpus (test_hostile.py), the header drip and the JSON Feed: one run."""
        from tests.ingest.corpus import rss, serve_articles
        from tests.ingest.test_hostile import _serve_hostile

        from newsstand.sources.models import Feed, Publisher

        assert self.web is not None
        web = self.web
        good_pub = Publisher.objects.get(slug="good")
        more = serve_articles(web, "more", 2)
        web.add("/good.xml", rss(web, self._good_items + more))
        impostor = [(g, "Impostor", f"/evil/{g}.html") for g, _t, _l in self._good_items]
        impostor.append(("good-x", "Impostor 2", self._good_items[0][2]))
        s.feeds["impostor"] = Feed.objects.create(
            publisher=good_pub, url=web.add("/impostor.xml", rss(web, impostor))
        ).pk
        hostile = Publisher.objects.create(name="Hostile", slug="hostile")
        urls = _serve_hostile(web)
        urls["header_drip"] = web.url("/header-drip.xml")
        urls["bad_chars"] = web.url("/bad-chars.json")
        for name, url in urls.items():
            s.hostile_feeds[name] = Feed.objects.create(
                publisher=hostile, url=url, section=SECTION
            ).pk
        due = [s.feeds["good"], s.feeds["impostor"], *s.hostile_feeds.values()]
        run = self.ingest("hostile", due)
        self.check_hostile_feeds(s, run)
        self.check_header_drip(s, run)
        self.check_bad_chars(s, run)

    def check_hostile_feeds(self, s: Seeded, run: Measured) -> None:
        from django.utils import timezone

        from newsstand.articles.models import Article
        from newsstand.ingest.models import FeedCheck
        from newsstand.sources.models import Feed

        r = ClassResult("hostile-feeds", "hostile feeds and pages (existing corpus)")
        r.ingest_rss_kib = run.maxrss_kib
        feeds = {n: Feed.objects.get(pk=pk) for n, pk in s.hostile_feeds.items()}

        def last_check(name: str) -> FeedCheck | None:
            return FeedCheck.objects.filter(feed=feeds[name]).order_by("-checked_at").first()

        for name, kind in EXPECTED_FEED_ERRORS.items():
            check = last_check(name)
            got = (check.outcome, check.error_kind) if check else None
            r.add(name, got == ("error", kind), detail=f"{got}, expected ('error', {kind!r})")
        check = last_check("410")
        feeds["410"].refresh_from_db()
        r.add("410", bool(check and check.outcome == "gone" and not feeds["410"].is_active))
        titles = list(
            Article.objects.filter(feed=feeds["malformed"]).values_list("title", flat=True)
        )
        r.add("malformed", titles == ["Broken & bad"], detail=str(titles))
        enc = Article.objects.filter(guid="enc").values_list("title", flat=True).first()
        r.add("wrong_encoding", enc == "Café crème", detail=repr(enc))
        dated = Article.objects.filter(feed=feeds["dates"])
        soon = timezone.now() + timedelta(days=1)
        r.add(
            "dates",
            dated.count() == 2
            and all(a.published_at is None or a.published_at <= soon for a in dated),
        )
        dups = list(
            Article.objects.filter(feed=feeds["duplicate_guids"]).values_list("guid", "title")
        )
        r.add("duplicate_guids", dups == [("dup", "First")], detail=str(dups))
        pages = {a.guid: a for a in Article.objects.filter(feed=feeds["hostile_pages"])}
        r.add(
            "hostile_pages",
            set(pages) == {"nested", "huge", "junk", "gzbomb"}
            and "larger than the limit" in pages["huge"].extraction_error
            and "once decompressed" in pages["gzbomb"].extraction_error
            and pages["junk"].extraction_error.startswith("Extraction:"),
            detail=str({g: a.extraction_error[:60] for g, a in pages.items()}),
        )
        r.add("xss stored", Article.objects.filter(feed=feeds["xss"]).count() == 2)
        # Nothing stored before changed; the healthy feed went on; the impostor stored nothing.
        ids = [a["id"] for a in s.before]
        now_rows = {a["id"]: a for a in Article.objects.filter(pk__in=ids).values()}
        changed = sum(1 for a in s.before if now_rows.get(a["id"]) != a)
        r.add("articles stored before unchanged", not changed, lost=changed)
        want = {"good-0", "good-1", "good-2", "more-0", "more-1"}
        got_guids = set(
            Article.objects.filter(feed_id=s.feeds["good"]).values_list("guid", flat=True)
        )
        missing = len(want - got_guids)
        r.add("healthy feed's new items stored", not missing, lost=missing)
        impostors = Article.objects.filter(title__startswith="Impostor").count()
        r.add("impostor feed stored nothing", not impostors, lost=impostors)
        self.results.append(r)

    def check_header_drip(self, s: Seeded, run: Measured) -> None:
        from newsstand.ingest.models import FeedCheck

        r = ClassResult("header-drip", "2 header-dripping server")
        r.ingest_rss_kib = run.maxrss_kib
        limit = WORKER_TOTAL_TIMEOUT_S + WORKER_READ_TIMEOUT_S + DEADLINE_SLACK_S
        d = self.drip
        if d.started is None:
            r.add("fetch ends by the deadline", False, detail="the drip server was never asked")
        else:
            stayed = d.hung_up_after_s if d.hung_up_after_s is not None else HEADER_DRIP_MAX_S
            r.add(
                "fetch ends by the deadline",
                d.hung_up_after_s is not None and d.hung_up_after_s <= limit,
                detail=f"client {'hung up after' if not d.finished else 'stayed'} "
                f"{stayed:.1f} s; deadline {WORKER_TOTAL_TIMEOUT_S:g} s, allowed {limit:g} s",
            )
        check = (
            FeedCheck.objects.filter(feed_id=s.hostile_feeds["header_drip"])
            .order_by("-checked_at")
            .first()
        )
        got = (check.outcome, check.error_kind) if check else None
        r.add("recorded as a timeout", got == ("error", "timeout"), detail=str(got))
        self.results.append(r)

    def check_bad_chars(self, s: Seeded, run: Measured) -> None:
        from newsstand.articles.models import Article
        from newsstand.ingest.models import FeedCheck

        r = ClassResult("json-bad-chars", "3 JSON Feed lone surrogate / NUL titles")
        r.ingest_rss_kib = run.maxrss_kib
        feed_id = s.hostile_feeds["bad_chars"]
        stored = {a.guid: a for a in Article.objects.filter(feed_id=feed_id)}
        check = FeedCheck.objects.filter(feed_id=feed_id).order_by("-checked_at").first()
        got = (check.outcome, check.error_kind) if check else None
        refreshed = bool(check and check.outcome == "ok")
        r.add("feed check recorded as ok", refreshed, detail=str(got))
        clean = "clean" in stored
        r.add("clean item after them stored", clean, lost=0 if clean else 1)
        for guid, bad in (("lone-surrogate", "\ud800"), ("nul", "\x00")):
            a = stored.get(guid)
            # Skipped counts only from a refresh that went on: not when the feed failed whole.
            ok = refreshed and (a is None or (bad not in a.title and bad not in a.content_text))
            r.add(f"{guid} item skipped or cleaned", ok, detail="stored" if a else "not stored")
        self.results.append(r)

    def ingest_bomb(self, s: Seeded) -> None:
        from newsstand.articles.models import Article
        from newsstand.sources.models import Feed, Publisher

        assert self.web is not None
        pub = Publisher.objects.create(name="Bomber", slug="bomber")
        for feed in ("page-bomb-control", "page-bomb"):
            s.feeds[feed] = Feed.objects.create(publisher=pub, url=self.web.url(f"/{feed}.xml")).pk
        # Same feed shape, same phases (extraction, stories): the difference is the bomb's.
        control = self.ingest("bomb-control", [s.feeds["page-bomb-control"]]).maxrss_kib
        run = self.ingest("bomb", [s.feeds["page-bomb"]])
        r = ClassResult("gzip-page", "1 gzip bomb page without Content-Encoding")
        r.ingest_rss_kib = run.maxrss_kib
        size = BOMB_DECOMPRESSED_BYTES_QUICK if self.quick else BOMB_DECOMPRESSED_BYTES
        growth_kib = run.maxrss_kib - control
        allowed_kib = int(size * BOMB_GROWTH_SHARE / 1024)
        r.add(
            "ingest peak RSS bounded",
            run.returncode == 0 and growth_kib < allowed_kib,
            detail=f"{_mib(run.maxrss_kib)} vs control run {_mib(control)} (+{_mib(growth_kib)};"
            f" bomb {size // MIB} MiB, allowed +{_mib(allowed_kib)}), exit {run.returncode}",
        )
        stored = {a.guid: a for a in Article.objects.filter(feed_id=s.feeds["page-bomb"])}
        clean = "bomb-clean" in stored and bool(stored["bomb-clean"].content_text)
        r.add("clean page beside it stored", clean, lost=0 if clean else 1)
        bomb = stored.get("bomb-page")
        kept = len(bomb.content_html) if bomb else 0
        r.add("bomb not stored as a body", kept < MIB, detail=f"{kept:,} chars kept")
        r.note = f"bomb {size // MIB} MiB decompressed"
        self.results.append(r)

    # --- the server ---------------------------------------------------------------------

    def start_server(self) -> None:
        self.server = self._start_up(self.port, {}, "server.log")

    def _start_up(
        self, port: int, extra_env: dict[str, str], log_name: str
    ) -> subprocess.Popen[bytes]:
        import httpx

        log = (self.data_dir / log_name).open("wb")
        bind = f"127.0.0.1:{port}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsstand", "up", "--bind", bind, "--no-worker"],
            env={**self.env, **extra_env},
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited early; see {self.data_dir / log_name}")
            try:
                if httpx.get(f"http://{bind}/healthz", timeout=2).status_code == 200:
                    self.log(f"server up on http://{bind}")
                    return proc
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"server not ready within {READY_TIMEOUT_S} s")

    def stop_server(self) -> None:
        self._stop(self.server)

    def _stop(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def server_pids(self) -> list[int]:
        return descendants(self.server.pid) if self.server else []

    def web_class(self, fn: Callable[[Seeded], ClassResult], s: Seeded) -> None:
        """Run one class of web probes; its server peak RSS is measured from a reset."""
        pids = self.server_pids()
        reset_peak_rss(pids)
        t0 = time.monotonic()
        try:
            r = fn(s)
        except Exception as exc:  # a bench bug or a dead server must not hide the others
            r = ClassResult(fn.__name__, fn.__name__)
            r.add("class ran", False, detail=f"{type(exc).__name__}: {exc}")
        r.server_rss_kib = peak_rss_kib(self.server_pids())
        self.log(f"{r.key}: {r.handled}/{r.tried} handled, {time.monotonic() - t0:.1f} s")
        self.results.append(r)

    # --- web classes --------------------------------------------------------------------

    def script_injection(self, s: Seeded) -> ClassResult:
        from newsstand.articles.models import Article

        r = ClassResult("script-injection", "script injection (parsed and rendered)")
        r.ingest_rss_kib = self.runs["hostile"].maxrss_kib
        xss = list(Article.objects.filter(feed_id=s.hostile_feeds["xss"]))
        for a in xss:
            found = danger_in(a.title) + danger_in(a.summary) + danger_in(a.content_html)
            r.add(f"stored {a.guid}", not found and "<" not in a.title, detail=str(found))
        anon = self.client()
        member = self.login("member@bench.example")
        for a in xss:
            for who, c, path in (
                ("anonymous", anon, f"/articles/{a.pk}/"),
                ("member", member, f"/articles/{a.pk}/"),
                ("member print", member, f"/articles/{a.pk}/print/"),
            ):
                resp = c.get(path)
                found = script_payloads(resp.text)
                ok = resp.status_code == 200 and not found and "&lt;b&gt;" not in resp.text
                r.add(f"{who} {path}", ok, detail=f"HTTP {resp.status_code} {found}")
        for path in ("/publishers/hostile/", f"/search?q={quote('Breaking news')}"):
            resp = member.get(path)
            r.add(path, resp.status_code == 200 and not script_payloads(resp.text))
        for path in ("/feeds/publishers/hostile/rss/", "/feeds/publishers/hostile/atom/"):
            resp = anon.get(path)
            # A feed reader renders the unescaped description: no markup may come back to life.
            found = danger_in(html.unescape(resp.text))
            r.add(path, resp.status_code == 200 and not found, detail=str(found))
        return r

    def ssrf(self, s: Seeded) -> ClassResult:
        from newsstand.ingest.netguard import FetchError, check_url
        from newsstand.sources.models import Feed

        assert self.web is not None
        r = ClassResult("ssrf", "SSRF via staff add-source")
        # The guard logs each refusal; asked here in this process, that would be noise.
        logging.getLogger("newsstand.ingest.netguard").setLevel(logging.ERROR)
        staff = self.login("staff@bench.example")
        p = self.web.port
        loopback = [
            f"http://127.0.0.1:{p}/ssrf.xml",
            f"http://localhost:{p}/ssrf.xml",
            f"http://127.1:{p}/ssrf.xml",
            f"http://2130706433:{p}/ssrf.xml",
            f"http://0x7f000001:{p}/ssrf.xml",
            f"http://0.0.0.0:{p}/ssrf.xml",
            f"http://[::ffff:127.0.0.1]:{p}/ssrf.xml",
            f"http://[::1]:{p}/ssrf.xml",
            f"http://127.0.0.1:{p}/ssrf.xml#@example.com",
        ]
        elsewhere = [
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://10.0.0.1/feed.xml",
            "http://192.168.1.1/feed.xml",
            "http://100.64.0.1/feed.xml",
            "http://[fe80::1]/feed.xml",
        ]
        for url in loopback + elsewhere:
            if url in elsewhere:
                # Off loopback the bench must never make the server connect: ask the guard
                # first, and submit only an address it refuses.
                try:
                    check_url(url)
                except FetchError:
                    pass
                else:
                    r.add(url, False, detail="the guard lets it through (not submitted)")
                    continue
            feeds_before = Feed.objects.count()
            hits_before = self.web.hits("/ssrf.xml")
            token = self.csrf(staff, "/staff/sources/add/")
            resp = staff.post(
                "/staff/sources/add/", data={"url": url, "csrfmiddlewaretoken": token}
            )
            added = Feed.objects.count() - feeds_before
            reached = self.web.hits("/ssrf.xml") - hits_before
            r.add(
                url,
                resp.status_code < 500 and not added and not reached,
                detail=f"HTTP {resp.status_code}, feeds added {added}, publisher web hit {reached}",
            )
        return r

    def _state(self, email: str) -> dict[str, Any]:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model

        from newsstand.api.models import ApiToken
        from newsstand.ledger.models import FullRead
        from newsstand.personal.models import Follow, ReadingHistory, SavedArticle
        from newsstand.stories.models import Pick

        user = get_user_model().objects.filter(email=email).first()
        if user is None:
            return {"user": None}
        return {
            "user": user.pk,
            "password": user.password,
            "saved": SavedArticle.objects.filter(user=user).count(),
            "history": ReadingHistory.objects.filter(user=user).count(),
            "follows": Follow.objects.filter(user=user).count(),
            "tokens": ApiToken.objects.filter(user=user).count(),
            "reads": FullRead.objects.filter(user=user).count(),
            "emails": EmailAddress.objects.filter(user=user).count(),
            "picks": Pick.objects.count(),
        }

    def csrf_forgery(self, s: Seeded) -> ClassResult:
        from django.contrib.auth import get_user_model

        from newsstand.personal.models import ReadingHistory, SavedArticle

        r = ClassResult("csrf", "CSRF forgeries")
        member_email = "member@bench.example"
        member = get_user_model().objects.get(email=member_email)
        a0, a1 = s.ids[s.plain[0].guid], s.ids[s.plain[1].guid]
        SavedArticle.objects.get_or_create(user=member, article_id=a0)
        ReadingHistory.objects.get_or_create(user=member, article_id=a1)
        victim = self.login(member_email, source="127.0.0.4")
        staff = self.login("staff@bench.example", source="127.0.0.4")
        attacker = self.client(source="127.0.0.5")
        foreign_token = self.csrf(attacker, "/accounts/login/")
        forms: list[tuple[str, httpx.Client, str, str, dict[str, str]]] = [
            ("save", victim, member_email, f"/saved/{a1}/", {"action": "save"}),
            (
                "follow",
                victim,
                member_email,
                "/following/change/",
                {"kind": "publisher", "key": "control", "action": "follow"},
            ),
            ("clear history", victim, member_email, "/history/clear/", {}),
            ("remove from history", victim, member_email, f"/history/{a1}/remove/", {}),
            ("make API token", victim, member_email, "/account/api-tokens/", {"name": "forged"}),
            ("delete account", victim, member_email, "/account/delete/", {"password": PASSWORD}),
            (
                "add email",
                victim,
                member_email,
                "/accounts/email/",
                {"action_add": "", "email": "forged@evil.example"},
            ),
            (
                "change password",
                victim,
                member_email,
                "/accounts/password/change/",
                {
                    "oldpassword": PASSWORD,
                    "password1": "Forged-9-pass",
                    "password2": "Forged-9-pass",
                },
            ),
            (
                "read claim",
                victim,
                member_email,
                "/reads/",
                {"article": str(a0), "ticket": "x", "via": "scroll", "depth": "1"},
            ),
            ("sign out", victim, member_email, "/accounts/logout/", {}),
            (
                "staff pick",
                staff,
                "staff@bench.example",
                "/staff/picks/",
                {"article": str(a0), "blurb": "forged"},
            ),
        ]
        variants: list[tuple[str, dict[str, str]]] = [
            ("no token", {}),
            ("attacker's token", {"csrfmiddlewaretoken": foreign_token}),
        ]
        for name, c, email, path, data in forms:
            for variant, token in variants:
                before = self._state(email)
                # No Origin header: a browser's would be refused on its own; this tests the
                # token, as for a browser or proxy that leaves the header out.
                resp = c.post(path, data={**data, **token})
                after = self._state(email)
                still_in = c.get("/account/").status_code == 200
                lost = 1 if after.get("user") is None else 0
                ok = resp.status_code == 403 and after == before and still_in
                changed = sorted(k for k in before if before.get(k) != after.get(k))
                r.add(
                    f"{name} ({variant})",
                    ok,
                    lost=lost,
                    detail=f"HTTP {resp.status_code}, changed {changed}, signed in {still_in}",
                )
        # Control: the same save with the victim's own token does change what is tracked.
        before = self._state(member_email)
        own = self.csrf(victim, "/account/")
        victim.post(f"/saved/{a1}/", data={"action": "save", "csrfmiddlewaretoken": own})
        changed = self._state(member_email)["saved"] == before.get("saved", -1) + 1
        r.note = control_note("a save with the token is seen", changed)
        return r

    def open_redirects(self, s: Seeded) -> ClassResult:
        r = ClassResult("open-redirect", "open redirects (next=)")
        host = f"127.0.0.1:{self.port}"
        a0 = s.ids[s.plain[0].guid]
        member = self.login("member@bench.example", source="127.0.0.6")
        staff = self.login("staff@bench.example", source="127.0.0.6")
        anon = self.client(source="127.0.0.6")
        for raw in REDIRECT_PAYLOADS:
            payload = raw.format(host=host)
            fresh = self.client(source="127.0.0.6")
            login_token = self.csrf(fresh, "/accounts/login/?next=" + quote(payload))
            attempts: list[tuple[str, httpx.Client, str, dict[str, str]]] = [
                (
                    "sign in",
                    fresh,
                    "/accounts/login/",
                    {"login": "other@bench.example", "password": PASSWORD, "next": payload}
                    | {"csrfmiddlewaretoken": login_token},
                ),
                ("settings", anon, "/settings/", {"theme": "dark", "next": payload}),
                ("save", member, f"/saved/{a0}/", {"action": "save", "next": payload}),
                (
                    "follow",
                    member,
                    "/following/change/",
                    {"kind": "publisher", "key": "control", "action": "follow", "next": payload},
                ),
                ("clear history", member, "/history/clear/", {"next": payload}),
                (
                    "staff check-now",
                    staff,
                    f"/staff/feeds/{s.feeds['control']}/check-now/",
                    {"next": payload},
                ),
            ]
            for name, c, path, data in attempts:
                if c is not anon and c is not fresh:
                    data = {**data, "csrfmiddlewaretoken": self.csrf(c, "/account/")}
                resp = c.post(path, data=data)
                location = resp.headers.get("location")
                r.add(
                    f"{name} next={payload}",
                    not location_leaves_site(location, self.base) and resp.status_code < 500,
                    detail=f"HTTP {resp.status_code} -> {location}",
                )
        # Control: a next= on this site is followed, so the probes above reach the redirect.
        back = anon.post("/settings/", data={"theme": "dark", "next": "/following/"})
        r.note = control_note(
            "a same-site next is followed", back.headers.get("location") == "/following/"
        )
        return r

    def authorization(self, s: Seeded) -> ClassResult:
        from newsstand.api.models import ApiToken
        from newsstand.personal.models import ReadingHistory, SavedArticle

        r = ClassResult("authorization", "authorization probes")
        anon = self.client(source="127.0.0.7")
        nonmember = self.login("reader@bench.example", source="127.0.0.7")
        member = self.login("member@bench.example", source="127.0.0.7")
        control_pub = s.feeds["control"]
        staff_paths = [
            "/staff/",
            "/staff/feeds/",
            f"/staff/feeds/{control_pub}/",
            "/staff/sources/add/",
            "/staff/publishers/control/",
            "/staff/ranking/",
            "/staff/picks/",
            "/staff/payouts/",
            "/staff/payouts/publisher/1/",
            "/staff/members/",
            "/admin/",
            "/admin/auth/user/",
        ]
        for who, c in (("anonymous", anon), ("reader", nonmember), ("member", member)):
            for path in staff_paths:
                resp = c.get(path)
                r.add(f"{who} GET {path}", resp.status_code in REFUSED)
        # Another reader's data: the member saved and read articles and holds an API token.
        saved = SavedArticle.objects.filter(user__email="member@bench.example").first()
        read = ReadingHistory.objects.filter(user__email="member@bench.example").first()
        assert saved is not None and read is not None
        saved_title = saved.article.title
        for path in ("/saved/", "/saved/offline.json", "/history/", "/account/export/"):
            resp = nonmember.get(path)
            leaked = saved_title in resp.text or "member@bench.example" in resp.text
            r.add(f"reader GET {path}", not leaked, detail=f"HTTP {resp.status_code}")
            resp = anon.get(path)
            r.add(
                f"anonymous GET {path}",
                resp.status_code in REFUSED,
                detail=f"HTTP {resp.status_code}",
            )
        token = self.csrf(nonmember, "/account/")
        nonmember.post(
            f"/account/api-tokens/{s.member_token_id}/revoke/", data={"csrfmiddlewaretoken": token}
        )
        kept = ApiToken.objects.filter(pk=s.member_token_id).exists()
        r.add("reader revokes the member's API token", kept, lost=0 if kept else 1)
        token = self.csrf(nonmember, "/account/")
        nonmember.post(f"/history/{read.article_id}/remove/", data={"csrfmiddlewaretoken": token})
        kept = ReadingHistory.objects.filter(pk=read.pk).exists()
        r.add("reader removes the member's history", kept, lost=0 if kept else 1)
        return r

    def gate_leaks(self, s: Seeded) -> ClassResult:
        r = ClassResult("gate-leaks", "gate leaks (member-only full text)")
        g = s.gated
        pk = s.ids[g.guid]
        words = g.words
        tail = words[int(len(words) * (1 - TAIL_SHARE)) :]
        anon = self.client(source="127.0.0.8")
        robot = self.client(source="127.0.0.8", ua=ROBOT_UA)
        nonmember = self.login("reader@bench.example", source="127.0.0.8")
        member = self.login("member@bench.example", source="127.0.0.8")
        head_word = g.paragraphs[0][1]
        bearer = {"Authorization": f"Bearer {s.nonmember_secret}"}
        # A member's view first: its page must not be what the page cache hands the anonymous.
        # It is also the control: the member must see the tail the probes look for.
        seen = tail_leaks(member.get(f"/articles/{pk}/").text, tail)
        r.note = control_note("the member sees the gated tail", len(seen) == len(tail))
        probes: list[tuple[str, httpx.Client, str, dict[str, str]]] = [
            ("article page", anon, f"/articles/{pk}/", {}),
            ("print page", anon, f"/articles/{pk}/print/", {}),
            ("article page, robot UA", robot, f"/articles/{pk}/", {}),
            ("article page, prefetch", anon, f"/articles/{pk}/", {"Sec-Purpose": "prefetch"}),
            ("article page, signed-in non-member", nonmember, f"/articles/{pk}/", {}),
            ("API article", anon, f"/api/articles/{pk}", {}),
            ("API article, non-member token", anon, f"/api/articles/{pk}", bearer),
            ("API list", anon, "/api/articles?publisher=control&page_size=100", {}),
            ("RSS latest", anon, "/feeds/latest/rss/", {}),
            ("Atom latest", anon, "/feeds/latest/atom/", {}),
            ("RSS publisher", anon, "/feeds/publishers/control/rss/", {}),
            ("Atom section", anon, f"/feeds/sections/{SECTION}/atom/", {}),
            ("search snippets", anon, f"/search?q={head_word}", {}),
            ("search suggest", anon, f"/search/suggest?q={head_word[:4]}", {}),
            ("section page", anon, f"/sections/{SECTION}/", {}),
            ("topic page", anon, f"/topics/{TOPIC_SLUG}/", {}),
        ]
        for name, c, path, headers in probes:
            resp = c.get(path, headers=headers)
            found = tail_leaks(_response_text(resp), tail)
            r.add(name, not found, detail=f"HTTP {resp.status_code}, {len(found)} tail words")
        # The reading apps: the non-member's app follows the publisher, so the gated article is
        # one of its entries; the member's app is the control (it must get the whole text).
        from django.contrib.auth import get_user_model

        from newsstand.personal.actions import follow
        from newsstand.personal.models import Follow
        from newsstand.personal.targets import FollowTarget
        from newsstand.sources.models import Publisher

        publisher = Publisher.objects.get(slug="control")
        target = FollowTarget(Follow.Kind.PUBLISHER, str(publisher.pk), publisher.name)
        apps = {}
        for email in ("member@bench.example", "reader@bench.example"):
            follow(get_user_model().objects.get(email=email), target)
            app = self.client(source="127.0.0.8")
            apps[email] = (app, sync_credentials(app, email, s.app_passwords[email]))
        app, creds = apps["member@bench.example"]
        member_sees = tail_leaks(
            _response_text(sync_send(app, creds, SyncCall("miniflux", "GET", f"/v1/entries/{pk}"))),
            tail,
        )
        r.note += "; " + control_note(
            "the member's app gets the gated tail", len(member_sees) == len(tail)
        )
        app, creds = apps["reader@bench.example"]
        for call in sync_gate_calls(pk):
            resp = sync_send(app, creds, call)
            found = tail_leaks(_response_text(resp), tail)
            r.add(
                f"non-member app: {call.name}",
                not found and resp.status_code < 500,
                detail=f"HTTP {resp.status_code}, {len(found)} tail words",
            )
        anon = self.client(source="127.0.0.8")
        for call in sync_gate_calls(pk):
            resp = sync_send(
                anon, {"miniflux": {}, "greader": {}, "greader_T": "", "fever": ""}, call
            )
            found = tail_leaks(_response_text(resp), tail)
            r.add(
                f"no credentials: {call.name}",
                not found and resp.status_code in REFUSED | {200},
                detail=f"HTTP {resp.status_code}, {len(found)} tail words",
            )
        return r

    def short_teasers(self, s: Seeded) -> ClassResult:
        r = ClassResult("short-teasers", "4 short-article teasers over half the words")
        anon = self.client(source="127.0.0.9")
        pages = {
            "RSS": anon.get("/feeds/publishers/control/rss/").text,
            "Atom": anon.get("/feeds/publishers/control/atom/").text,
            "API list": json_strings(
                anon.get("/api/articles?publisher=control&page_size=100").json()
            ),
            "cards (publisher page)": anon.get("/publishers/control/").text,
            "cards (section page)": anon.get(f"/sections/{SECTION}/").text,
            "cards (home)": anon.get("/").text,
        }
        for a in s.shorts:
            pk = s.ids.get(a.guid)
            if pk is None:
                r.add(f"{a.guid} stored", False)
                continue
            page = anon.get(f"/articles/{pk}/").text
            og = _OG_DESCRIPTION.search(page)
            detail = anon.get(f"/api/articles/{pk}")
            channels = dict(pages)
            channels["API article teaser"] = (
                json_strings({k: detail.json().get(k) for k in ("teaser", "teaser_paragraphs")})
                if detail.status_code == 200
                else ""
            )
            channels["og:description"] = html.unescape(og.group(1)) if og else ""
            channels["article page"] = page
            for name, text in channels.items():
                share = leak_share(text, a.words)
                r.add(f"{a.guid} {name}", share <= TEASER_MAX_SHARE, detail=f"{share:.0%} of words")
        return r

    def search_tail(self, s: Seeded) -> ClassResult:
        r = ClassResult("search-tail", "10 search phrase from a gated body's last 40%")
        g = s.gated
        pk = s.ids[g.guid]
        link = f"/articles/{pk}/"
        words = g.words
        tail = words[int(len(words) * (1 - TAIL_SHARE)) :]
        phrase = " ".join(tail[-12:-6])
        anon = self.client(source="127.0.0.10")
        nonmember = self.login("reader@bench.example", source="127.0.0.10")
        head = anon.get(f"/search?q={quote(g.paragraphs[0][2])}")
        r.note = control_note("a word of the teaser finds the article", link in head.text)
        for name, c, q in (
            ("quoted phrase, anonymous", anon, f'"{phrase}"'),
            ("bare words, anonymous", anon, phrase),
            ("one tail word, anonymous", anon, tail[-3]),
            ("quoted phrase, signed-in non-member", nonmember, f'"{phrase}"'),
        ):
            resp = c.get(f"/search?q={quote(q)}")
            r.add(name, link not in resp.text, detail=f"HTTP {resp.status_code}")
        return r

    def read_farming(self, s: Seeded) -> ClassResult:
        from newsstand.ledger.models import FullRead

        r = ClassResult("read-farming", "7 payout farming on POST /reads/")
        farmer = self.login("farmer@bench.example", source="127.0.0.11")
        for i, a in enumerate(s.plain):
            pk = s.ids[a.guid]
            page = farmer.get(f"/articles/{pk}/").text
            ticket = re.search(r'data-ticket="([^"]+)"', page)
            csrf = re.search(r'data-csrf="([^"]+)"', page)
            if not ticket or not csrf:
                r.add(f"article {pk}", False, detail="no read ticket on the member's page")
                continue
            via = "time" if i == 0 else "scroll"
            resp = farmer.post(
                "/reads/",
                data={
                    "article": str(pk),
                    "ticket": html.unescape(ticket.group(1)),
                    "via": via,
                    "depth": "1.0",
                    "csrfmiddlewaretoken": csrf.group(1),
                },
            )
            counted = FullRead.objects.filter(user__email="farmer@bench.example", article_id=pk)
            r.add(
                f"claim via {via} straight after load, article {pk}",
                not counted.exists(),
                detail=f"HTTP {resp.status_code} {resp.text[:80]}",
            )
        return r

    def absurd_numbers(self, s: Seeded) -> ClassResult:
        r = ClassResult("absurd-numbers", "8 absurd numbers in URLs")
        anon = self.client(source="127.0.0.12")
        paths = [
            f"/?page={HUGE}",
            f"/sections/{SECTION}/?page={HUGE}",
            f"/topics/{TOPIC_SLUG}/?page={HUGE}",
            f"/publishers/?page={HUGE}",
            f"/publishers/control/?page={HUGE}",
            f"/api/articles?page={HUGE}",
            f"/api/stories?page={HUGE}",
            f"/api/articles?story={HUGER}",
            f"/search?q=news&page={HUGE}",
            f"/articles/{HUGER}/",
            f"/stories/{HUGER}/",
            f"/api/articles/{HUGER}",
        ]
        for path in paths:
            resp = anon.get(path)
            r.add(path, resp.status_code < 500, detail=f"HTTP {resp.status_code}")
        # The reading apps, signed in (else every call stops at 401 before any number is read).
        from newsstand.personal.models import ReadingHistory, SavedArticle

        email = "member@bench.example"
        state = (
            ReadingHistory.objects.filter(user__email=email).count(),
            SavedArticle.objects.filter(user__email=email).count(),
        )
        app = self.client(source="127.0.0.12")
        creds = sync_credentials(app, email, s.app_passwords[email])
        for call in sync_absurd_calls((HUGE, HUGER)):
            resp = sync_send(app, creds, call)
            signed_in = resp.status_code not in (401, 403) and not (
                call.api == "fever" and resp.status_code == 200 and resp.json().get("auth") != 1
            )
            r.add(
                call.name,
                resp.status_code < 500 and signed_in,
                detail=f"HTTP {resp.status_code}",
            )
        after = (
            ReadingHistory.objects.filter(user__email=email).count(),
            SavedArticle.objects.filter(user__email=email).count(),
        )
        changed = sum(abs(a - b) for a, b in zip(state, after, strict=True))
        r.add("sync writes of absurd numbers change nothing", not changed, lost=changed)
        return r

    def security_headers(self, s: Seeded) -> ClassResult:
        # HSTS is promised under NEWSSTAND_HTTPS=1 (a site behind TLS): a second instance on the
        # same data dir runs that way, behind a "proxy" (this bench) that says https.
        https_port = _free_port()
        proc = self._start_up(
            https_port,
            {"NEWSSTAND_HTTPS": "1", "NEWSSTAND_TRUSTED_PROXY_COUNT": "1"},
            "server-https.log",
        )
        try:
            return self._security_headers(s, f"http://127.0.0.1:{https_port}")
        finally:
            self._stop(proc)

    def _security_headers(self, s: Seeded, base: str) -> ClassResult:
        r = ClassResult("csp-hsts", "9 CSP / HSTS headers (NEWSSTAND_HTTPS=1)")
        https = {"X-Forwarded-Proto": "https"}
        # Every request says https, as the proxy would: plain http is redirected there.
        anon = self.client(base=base)  # from 127.0.0.1, the address gunicorn trusts
        anon.headers.update(https)
        member = self.login("member@bench.example")
        member.base_url = base
        member.headers.update(https)
        pk = s.ids[s.gated.guid]
        for who, c, path in (
            ("anonymous", anon, "/"),
            ("anonymous", anon, f"/articles/{pk}/"),
            ("anonymous", anon, "/accounts/login/"),
            ("member", member, f"/articles/{pk}/"),
            ("anonymous", anon, "/api/articles"),
        ):
            resp = c.get(path, headers=https)
            for header in ("Content-Security-Policy", "Strict-Transport-Security"):
                if header == "Content-Security-Policy" and path.startswith("/api/"):
                    continue
                missing = header in security_headers_missing(resp.headers)
                r.add(f"{who} {path} {header}", not missing, detail=f"HTTP {resp.status_code}")
        # Control: the server takes these requests as HTTPS, where Django's CSRF check wants a
        # Referer: a sign-in POST without one is refused (before any password is checked).
        token = self.csrf(anon, "/accounts/login/")
        refused = anon.post(
            "/accounts/login/",
            data={"login": "nobody@bench.example", "password": "x", "csrfmiddlewaretoken": token},
            headers=https,
        )
        r.note = control_note("the requests count as HTTPS", refused.status_code == 403)
        return r

    def signup_timing(self, s: Seeded) -> ClassResult:
        r = ClassResult("signup-timing", "6 sign-up timing, taken vs new address")
        pairs = SIGNUP_PAIRS_QUICK if self.quick else SIGNUP_PAIRS
        taken: list[float] = []
        new: list[float] = []
        answers: dict[str, set[tuple[int, str]]] = {"taken": set(), "new": set()}
        nonce = int(time.time())
        for i in range(pairs):
            order = [("taken", "member@bench.example"), ("new", f"new{nonce}-{i}@bench.example")]
            for kind, email in order if i % 2 == 0 else order[::-1]:
                c = self.client(source="127.0.0.13")
                token = self.csrf(c, "/accounts/signup/")
                data = {
                    "email": email,
                    "password1": PASSWORD,
                    "password2": PASSWORD,
                    "csrfmiddlewaretoken": token,
                }
                t0 = time.perf_counter()
                resp = c.post("/accounts/signup/", data=data)
                elapsed_ms = (time.perf_counter() - t0) * 1000
                (taken if kind == "taken" else new).append(elapsed_ms)
                answers[kind].add((resp.status_code, resp.headers.get("location", "")))
        ok, detail = timing_verdict(taken, new)
        r.add(f"timing over {pairs} pairs", ok, detail=detail)
        same = answers["taken"] == answers["new"]
        r.add("same answer", same, detail=str(answers))
        r.note = detail
        return r

    def api_bucket(self, s: Seeded) -> ClassResult:
        r = ClassResult("api-bucket", "5 anonymous API rate-limit bucket")
        a = self.client(source="127.0.0.2")
        b = self.client(source="127.0.0.3")
        refused_at = None
        for n in range(1, API_BUCKET_MAX_REQUESTS + 1):
            if a.get("/api/me").status_code == 429:
                refused_at = n
                break
        r.add(
            "one client is throttled",
            refused_at is not None,
            detail=f"429 after {refused_at} requests"
            if refused_at
            else f"no 429 in {API_BUCKET_MAX_REQUESTS}",
        )
        other = b.get("/api/me").status_code
        r.add("another address still served", other == 200, detail=f"HTTP {other}")
        forged = a.get("/api/me", headers={"X-Forwarded-For": "198.51.100.7"}).status_code
        r.add(
            "forged X-Forwarded-For gets no new bucket",
            refused_at is not None and forged == 429,
            detail=f"HTTP {forged}",
        )
        return r

    # --- CLI ----------------------------------------------------------------------------

    def start_cli(self) -> list[tuple[CliCase, Future[Measured]]]:
        """Start the CLI probes in the background, against their own copy of the empty database:
        an import that wrongly succeeds adds feeds no ingest run here may ever fetch."""
        inputs = self.cli_dir / "inputs"
        inputs.mkdir()
        (inputs / "empty.html").write_bytes(b"")
        (inputs / "binary.html").write_bytes(random.Random(5).randbytes(4096))
        (inputs / "truncated.opml").write_text(
            '<?xml version="1.0"?><opml version="2.0"><body><outline text="A" '
            'xmlUrl="http://a.example/feed.xml"/><outline text="B" xmlU'
        )
        # 10**6 "lol"s (3 MB) once expanded: enough to tell, and bounded if it is expanded.
        laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 7))
        (inputs / "bomb.opml").write_text(
            f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY lol0 "lol">{laughs}]>'
            '<opml version="2.0"><body><outline text="&lol6;" '
            'xmlUrl="http://laughs.example/feed.xml"/></body></opml>'
        )
        py = [sys.executable, "-m", "newsstand"]
        cases = [
            CliCase("extract missing file", [*py, "extract", str(inputs / "missing.html")]),
            CliCase("extract empty file", [*py, "extract", str(inputs / "empty.html")]),
            CliCase("extract binary file", [*py, "extract", str(inputs / "binary.html")]),
            CliCase("extract directory", [*py, "extract", str(inputs)]),
            CliCase("extract http://[::1", [*py, "extract", "http://[::1"], must_fail=False),
            CliCase(
                "import-opml truncated XML",
                [*py, "sources", "import-opml", str(inputs / "truncated.opml")],
            ),
            CliCase(
                "import-opml entity bomb",
                [*py, "sources", "import-opml", str(inputs / "bomb.opml")],
            ),
            CliCase(
                f"users add {LONG_EMAIL_CHARS}-char address",
                [*py, "users", "add", long_email()],
                stdin=PASSWORD + "\n",
            ),
        ]
        env = {**self.env, "NEWSSTAND_DATA_DIR": str(self.cli_dir)}
        pool = ThreadPoolExecutor(max_workers=2)
        started = [
            (c, pool.submit(run_measured, c.argv, env, CLI_TIMEOUT_S, c.stdin)) for c in cases
        ]
        pool.shutdown(wait=False)
        return started

    def finish_cli(self, started: list[tuple[CliCase, Future[Measured]]]) -> None:
        r = ClassResult("cli", "11 CLI errors")
        for case, future in started:
            m = future.result()
            ok, detail = cli_verdict(m.returncode, m.stderr, must_fail=case.must_fail)
            r.add(case.name, ok, detail=f"{detail}, {m.wall_s:.1f} s")
        db = sqlite3.connect(self.cli_dir / "newsstand.sqlite3")
        try:
            feeds = db.execute(
                "SELECT COUNT(*) FROM sources_feed WHERE url LIKE '%laughs.example%'"
            ).fetchone()[0]
            users = db.execute(
                "SELECT COUNT(*) FROM auth_user WHERE length(email) = ?", [LONG_EMAIL_CHARS]
            ).fetchone()[0]
        finally:
            db.close()
        r.add("entity bomb added no feed", not feeds, detail=f"{feeds} feed(s)")
        r.add("over-long address added no account", not users, detail=f"{users} account(s)")
        self.results.append(r)

    # --- the run ------------------------------------------------------------------------

    def run(self) -> None:
        t0 = time.monotonic()
        self.log(f"data dir {self.data_dir}; migrating")
        self.setup_django()
        s = self.serve_corpus()
        self.seed(s)
        # The CLI probes run beside the ingest runs (their RSS is each child's own).
        cli = self.start_cli()
        try:
            self.ingest_control(s)
            self.ingest_hostile(s)
            self.ingest_bomb(s)
            self.start_server()
            try:
                for fn in (
                    self.script_injection,
                    self.ssrf,
                    self.csrf_forgery,
                    self.open_redirects,
                    self.authorization,
                    self.gate_leaks,
                    self.short_teasers,
                    self.search_tail,
                    self.read_farming,
                    self.absurd_numbers,
                    self.security_headers,
                    self.signup_timing,
                    # Last: it fills the API's rate-limit bucket for a minute.
                    self.api_bucket,
                ):
                    self.web_class(fn, s)
            finally:
                self.stop_server()
            self.finish_cli(cli)
        finally:
            if self.web is not None:
                self.web.stop()
        self.results.append(
            ClassResult(
                "durability",
                "kill -9 durability",
                skipped="too slow for this bench; tests/ingest covers it",
            )
        )
        self.report(time.monotonic() - t0)

    def report(self, wall_s: float) -> None:
        order = [
            "hostile-feeds",
            "script-injection",
            "ssrf",
            "csrf",
            "open-redirect",
            "authorization",
            "gate-leaks",
            "gzip-page",
            "header-drip",
            "json-bad-chars",
            "short-teasers",
            "api-bucket",
            "signup-timing",
            "read-farming",
            "absurd-numbers",
            "csp-hsts",
            "search-tail",
            "cli",
            "durability",
        ]
        rank = {k: i for i, k in enumerate(order)}
        results = sorted(self.results, key=lambda r: rank.get(r.key, len(order)))
        print()
        print(format_table(results))
        print()
        for r in results:
            missed = [p for p in r.probes if not p.handled or p.lost]
            if r.note:
                print(f"{r.key}: {r.note}")
            for p in missed[:6]:
                print(f"  {r.key} not handled: {p.name}: {p.detail}")
            if len(missed) > 6:
                print(f"  {r.key}: {len(missed) - 6} more not handled")
        for label, run in self.runs.items():
            print(
                f"ingest run {label}: exit {run.returncode}, {run.wall_s:.1f} s, "
                f"peak RSS {_mib(run.maxrss_kib)}"
            )
        load = os.getloadavg()
        print(
            f"\nwall {wall_s:.0f} s, load average {load[0]:.1f} at the end, {os.cpu_count()} CPUs"
        )
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "when": datetime.now().isoformat(timespec="seconds"),
                    "machine": {
                        "platform": platform.platform(),
                        "cpus": os.cpu_count(),
                        "python": platform.python_version(),
                        "loadavg_at_end": load,
                    },
                    "quick": self.quick,
                    "wall_s": round(wall_s, 1),
                    "ingest_runs": {
                        label: {
                            "exit": m.returncode,
                            "wall_s": m.wall_s,
                            "maxrss_kib": m.maxrss_kib,
                        }
                        for label, m in self.runs.items()
                    },
                    "classes": [
                        {
                            **{k: v for k, v in asdict(r).items() if k != "probes"},
                            "tried": r.tried,
                            "handled": r.handled,
                            "lost": r.lost,
                            "fully_handled": r.fully_handled,
                            "probes": [asdict(p) for p in r.probes],
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
            + "\n"
        )
        print(f"wrote {RESULTS.relative_to(REPO)}")
        print(summary_line(results))


def ingest_worker(data_dir: str) -> None:
    """The ingest child: one `ingest --once` pass with the hostile test's short timeouts."""
    os.environ["NEWSSTAND_DATA_DIR"] = data_dir
    os.environ["NEWSSTAND_ALLOW_PRIVATE_URLS"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    from newsstand.ingest import fetcher

    fetcher.READ_TIMEOUT_S = WORKER_READ_TIMEOUT_S
    fetcher.TOTAL_TIMEOUT_S = WORKER_TOTAL_TIMEOUT_S
    call_command("ingest", "--once", "--jobs", str(WORKER_JOBS), "--no-progress")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, help="an empty directory (default: a temp dir)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: free)")
    parser.add_argument(
        "--quick", action="store_true", help="smaller bomb, fewer sign-up timing pairs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--ingest-worker", metavar="DATA_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ingest_worker:
        ingest_worker(args.ingest_worker)
        return
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        if any(args.data_dir.iterdir()):
            raise SystemExit(
                f"--data-dir {args.data_dir}: must be empty (results need a fresh one)"
            )
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="newsstand-hostile-"))
    try:
        Bench(args, data_dir).run()
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
