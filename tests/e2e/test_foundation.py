"""End to end: Newsstand, run as its own processes, ingests a local publisher web over real HTTP.

The publisher web serves an RSS feed built from naeb-dev's URLs and titles, and the real pages
behind it (gzip on the wire, as publishers send them). `newsstand ingest --once --feed` stores
them; `newsstand up` then serves them, and its worker picks up a second feed by itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.conf import settings

from tests.httpserver import PublisherWeb

pytestmark = pytest.mark.e2e

WORKER_PICKUP_TIMEOUT_S = 120
# The first request imports scikit-learn, scipy and WordLlama: slow beside a busy xdist worker.
UP_READY_TIMEOUT_S = 150
# Extraction is measured properly in bench/extraction.py; here the byline must be right on the
# large majority of real pages, so a broken pipeline cannot pass.
MIN_BYLINE_ACCURACY = 0.8


def _rss(items: list[tuple[str, dict[str, str]]], base_url: str, title: str) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{xml_escape(title)}</title><link>{base_url}/</link>",
        "<description>A local publisher web for tests</description>",
    ]
    for key, art in items:
        link = f"{base_url}/news/{key}.html"
        parts.append(
            f"<item><title>{xml_escape(art['title'])}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{key}</guid></item>'
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


@pytest.fixture(scope="module")
def naeb(shared_data: Path) -> dict[str, dict[str, str]]:
    root = shared_data / "extraction" / "naeb-dev"
    articles: dict[str, dict[str, str]] = json.loads((root / "articles.json").read_text())
    return {k: v for k, v in sorted(articles.items()) if (root / "html" / f"{k}.html.gz").exists()}


@pytest.fixture(scope="module")
def web(naeb: dict[str, dict[str, str]], shared_data: Path) -> Iterator[PublisherWeb]:
    server = PublisherWeb().start()
    html_dir = shared_data / "extraction" / "naeb-dev" / "html"
    for key in naeb:
        server.add(
            f"/news/{key}.html",
            (html_dir / f"{key}.html.gz").read_bytes(),
            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
        )
    keys = list(naeb)
    half = len(keys) // 2
    server.add(
        "/feed.xml",
        _rss([(k, naeb[k]) for k in keys[:half]], server.base_url, "Local Daily"),
        headers={"Content-Type": "application/rss+xml"},
    )
    server.add(
        "/second.xml",
        _rss([(k, naeb[k]) for k in keys[half:]], server.base_url, "Local Daily, second section"),
        headers={"Content-Type": "application/rss+xml"},
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An isolated Newsstand: its own data dir and database, on the engine of this test pass."""
    data_dir = tmp_path_factory.mktemp("newsstand-e2e")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSSTAND_") and k != "DJANGO_SETTINGS_MODULE"
    }
    base |= {"NEWSSTAND_DATA_DIR": str(data_dir), "NEWSSTAND_ALLOW_PRIVATE_URLS": "1"}
    # One machine: on PostgreSQL the file queue and cache would otherwise stop `up`.
    base["NEWSSTAND_SINGLE_NODE"] = "1"
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"newsstand_e2e_{uuid.uuid4().hex[:8]}"
        conninfo = {
            "host": db["HOST"],
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        base["NEWSSTAND_DATABASE_URL"] = f"postgres://{user}@{db['HOST']}:{conninfo['port']}/{name}"
        yield base
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        base["NEWSSTAND_DATABASE_URL"] = f"sqlite:///{data_dir / 'newsstand.sqlite3'}"
        yield base


def newsstand(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsstand", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def stored_articles(env: dict[str, str]) -> list[dict[str, object]]:
    code = (
        "import json; from newsstand.articles.models import Article; "
        "print(json.dumps(list(Article.objects.values('id', 'guid', 'title', 'url', 'authors'))))"
    )
    out = newsstand(env, "shell", "-c", code)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read().decode("utf-8")


def _norm_names(names: object) -> set[str]:
    items = names.split(",") if isinstance(names, str) else list(names or [])  # type: ignore[call-overload]
    return {re.sub(r"\s+", " ", str(n)).strip().casefold() for n in items if str(n).strip()}


def test_ingest_serve_and_worker(
    web: PublisherWeb, env: dict[str, str], naeb: dict[str, dict[str, str]]
) -> None:
    migrate = newsstand(env, "migrate", "--no-input")
    assert migrate.returncode == 0, migrate.stderr

    # 1. One feed, fetched in the foreground.
    first = newsstand(env, "ingest", "--once", "--feed", web.url("/feed.xml"), "--no-progress")
    assert first.returncode == 0, first.stdout + first.stderr
    half = len(naeb) // 2
    assert f"{half} new article(s)" in first.stdout, first.stdout
    after_first = stored_articles(env)
    assert len(after_first) == half

    # 2. Running it again creates no duplicates.
    again = newsstand(env, "ingest", "--once", "--feed", web.url("/feed.xml"), "--no-progress")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 new article(s)" in again.stdout, again.stdout
    assert len(stored_articles(env)) == half

    # 3. A second feed, added while Newsstand is down, is picked up by the worker of `up`.
    add = newsstand(
        env,
        "shell",
        "-c",
        f"from newsstand.sources.actions import add_feed; add_feed({web.url('/second.xml')!r})",
    )
    assert add.returncode == 0, add.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    up = subprocess.Popen(
        [sys.executable, "-m", "newsstand", "up", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _answers(base + "/healthz"), UP_READY_TIMEOUT_S, "the web server")
        status, home = _get(base + "/")
        assert status == 200
        newest_titles = {_squash(str(a["title"])) for a in after_first}
        assert any(t in _squash(unescape(home)) for t in newest_titles), "home lists no article"
        _wait_for(
            lambda: len(stored_articles(env)) == len(naeb),
            WORKER_PICKUP_TIMEOUT_S,
            "the worker to ingest the second feed",
        )

        status, admin = _get(base + "/admin/login/")
        assert status == 200
        assert "Django administration" in admin or "Log in" in admin

        status, _ = _get(base + "/")
        assert status == 200

        # 4. Each article page shows the right headline and byline.
        articles = stored_articles(env)
        assert len(articles) == len(naeb)
        byline_ok = byline_total = 0
        for art in articles:
            truth = naeb[str(art["guid"])]
            status, page = _get(f"{base}/articles/{art['id']}/")
            assert status == 200
            h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
            assert h1 and _squash(unescape(re.sub(r"<[^>]+>", "", h1.group(1)))) == _squash(
                truth["title"]
            )
            want = _norm_names(truth.get("authors", ""))
            if want:
                byline_total += 1
                text = _squash(unescape(re.sub(r"<[^>]+>", " ", page))).casefold()
                shown = all(name in text for name in want)
                if _norm_names(art["authors"]) == want and shown:
                    byline_ok += 1
        assert byline_total > 100
        accuracy = byline_ok / byline_total
        assert accuracy >= MIN_BYLINE_ACCURACY, f"byline right on {byline_ok}/{byline_total}"
    finally:
        up.send_signal(signal.SIGINT)
        try:
            out, _ = up.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            out, _ = up.communicate()
    assert up.returncode == 0, out[-3000:]
    assert "Newsstand stopped." in out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False


def _wait_for(check: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout_s} s waiting for {what}")


def test_extract_prints_article_text(shared_data: Path) -> None:
    page = sorted((shared_data / "extraction" / "aeb" / "html").glob("*.html.gz"))[0]
    out = subprocess.run(
        [sys.executable, "-m", "newsstand", "extract", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stdout.strip().splitlines()[0])
    assert line["input"] == str(page)
    truth = json.loads((shared_data / "extraction" / "aeb" / "ground-truth.json").read_text())
    want = re.findall(r"\w+", truth[page.name.removesuffix(".html.gz")]["articleBody"].lower())
    got = set(re.findall(r"\w+", line["text"].lower()))
    recall = sum(1 for w in want if w in got) / len(want)
    assert recall > 0.9, f"only {recall:.0%} of the article's words were printed"
    assert "<script" not in line["html"].lower()
