"""Story assignment with several real processes on one database (SQLite or PostgreSQL).

Two publishers carry the same real articles (publisher B's are wire copies of A's: a new
headline, a line of boilerplate, the end cut) plus some of their own, served over HTTP. First
one process ingests every feed; then, from scratch, two processes ingest half the feeds each at
the same moment, each assigning stories as ingestion does (the `articles_stored` hook), each
with its own stories cache. Afterwards: no story without articles, every article in exactly
one story with the right count, and the same copies recognised as with the one process.

The database is the one this test pass runs on: on SQLite the test database itself (a file the
processes open; the test is transactional, so it is emptied afterwards); on PostgreSQL a
database of its own named after the test database (`test_newsstand_conc`, say), created and
dropped here (never `newsstand` or the test database, which the processes could not share; named
after it so that test passes of other checkouts or xdist workers on one server do not drop each
other's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.semeval_site import Page, feed_xml, page_html
from django.conf import settings
from django.db import connection

from tests.databases import database_url
from tests.httpserver import PublisherWeb

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINALS = 24
COPIES = 16  # of the originals, carried by publisher B too
B_OWN = 8
FEEDS_PER_PUBLISHER = 3
PROCESS_TIMEOUT_S = 180

# Runs in each process (`newsstand shell -c`): load the models, wait for the start signal,
# refresh the given feeds the way the worker does (the hook assigns stories).
DRIVER = """
import json, os, time
from pathlib import Path
from newsstand.stories.embeddings import get_backend
get_backend()
from newsstand.ingest.actions import refresh_feed
go = Path(os.environ["CONC_GO"])
while not go.exists():
    time.sleep(0.02)
for pk in json.loads(os.environ["CONC_FEEDS"]):
    refresh_feed(pk, force=True)
print("done")
"""

DUMP = """
import json
from newsstand.articles.models import Article
from newsstand.stories.models import Story
print(json.dumps({
    "articles": list(Article.objects.values("id", "url", "story_id", "copy_of__url")),
    "stories": list(Story.objects.values("id", "article_count")),
}))
"""

RESET = """
from newsstand.articles.models import Article
from newsstand.ingest.models import FeedCheck
from newsstand.stories.models import Story
Article.objects.all().delete()
Story.objects.all().delete()
FeedCheck.objects.all().delete()
"""


@dataclass
class Setup:
    env: dict[str, str]
    feeds: dict[str, list[int]]  # publisher -> feed ids


def _texts(shared: Path) -> list[tuple[str, str]]:
    articles = json.loads((shared / "extraction" / "naeb-dev" / "articles.json").read_text())
    rows = [(a["title"].strip(), a["articleBody"].strip()) for _, a in sorted(articles.items())]
    return [r for r in rows if r[0] and len(r[1].split()) > 150][: ORIGINALS + B_OWN]


def _copy(title: str, body: str) -> tuple[str, str]:
    paragraphs = [p for p in body.split("\n") if p.strip()]
    kept = paragraphs[: max(3, int(len(paragraphs) * 0.7))]
    text = "Advertisement. Scroll to continue with content.\n" + "\n".join(kept)
    return f"Wire: {title}", text


def _pages(shared: Path) -> list[Page]:
    now = datetime.now(UTC)
    texts = _texts(shared)
    pages = []
    for i, (title, body) in enumerate(texts[:ORIGINALS]):
        when = now - timedelta(hours=30 - i)
        pages.append(Page("a", f"/a/{i}.html", title, body, when))
        if i < COPIES:
            c_title, c_body = _copy(title, body)
            pages.append(Page("b", f"/b/copy-{i}.html", c_title, c_body, when + timedelta(hours=1)))
    for j, (title, body) in enumerate(texts[ORIGINALS:]):
        pages.append(Page("b", f"/b/own-{j}.html", title, body, now - timedelta(hours=20 - j)))
    return pages


def _newsstand(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [sys.executable, "-m", "newsstand", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    return out


def _base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSSTAND_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["NEWSSTAND_ALLOW_PRIVATE_URLS"] = "1"
    # One machine on purpose (file queue and cache): the PostgreSQL startup checks allow it.
    env["NEWSSTAND_SINGLE_NODE"] = "1"
    env["NEWSSTAND_SHARED_DATA"] = os.environ.get("NEWSSTAND_SHARED_DATA", "")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH")) if p
    )
    return env


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database URL the processes share, on the engine of this test pass."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        # The test database, migrated already; this transactional test leaves it empty.
        yield database_url()
        return
    import psycopg

    # The test database's name is already unique per pass and xdist worker.
    pg_name = f"{connection.settings_dict['NAME']}_conc"
    conninfo = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{pg_name}"')
    url = database_url(pg_name)
    try:
        env = {**_base_env(), "NEWSSTAND_DATA_DIR": str(tmp_path), "NEWSSTAND_DATABASE_URL": url}
        _newsstand(env, "migrate", "--no-input")
        yield url
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _setup(database: str, data_dir: Path, web: PublisherWeb, pages: list[Page]) -> Setup:
    env = {**_base_env(), "NEWSSTAND_DATA_DIR": str(data_dir), "NEWSSTAND_DATABASE_URL": database}
    feed_urls: dict[str, list[str]] = {}
    for publisher in ("a", "b"):
        mine = [p for p in pages if p.publisher == publisher]
        for f in range(FEEDS_PER_PUBLISHER):
            part = mine[f::FEEDS_PER_PUBLISHER]
            for page in part:
                web.add(
                    page.path,
                    page_html(page, web.url(page.path)),
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )
            path = f"/{publisher}/feed-{f}.xml"
            web.add(path, feed_xml(part, web.base_url, f"Publisher {publisher}"))
            feed_urls.setdefault(publisher, []).append(web.url(path))
    code = (
        "import json\n"
        "from newsstand.sources.models import Feed, Publisher\n"
        f"urls = {json.dumps(feed_urls)}\n"
        "out = {}\n"
        "for name, feeds in urls.items():\n"
        "    pub = Publisher.objects.create(name='Publisher ' + name, slug='pub-' + name)\n"
        "    out[name] = [Feed.objects.create(publisher=pub, url=u).pk for u in feeds]\n"
        "print(json.dumps(out))\n"
    )
    out = _newsstand(env, "shell", "-c", code)
    return Setup(env, json.loads(out.stdout.strip().splitlines()[-1]))


def _ingest(setup: Setup, tmp: Path, shares: list[list[int]]) -> None:
    """One process per share of the feeds, started together."""
    go = tmp / f"go-{time.monotonic_ns()}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "newsstand", "shell", "-c", DRIVER],
            env={**setup.env, "CONC_GO": str(go), "CONC_FEEDS": json.dumps(share)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
        assert proc.returncode == 0 and "done" in out, err[-4000:]
        assert "story assignment failed" not in err, err[-4000:]


def _dump(setup: Setup) -> dict[str, Any]:
    out = _newsstand(setup.env, "shell", "-c", DUMP)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _copy_groups(state: dict[str, Any]) -> set[frozenset[str]]:
    """Each wire-copy set as the paths of its members (whichever member came first)."""
    groups: dict[str, set[str]] = {}
    for a in state["articles"]:
        if a["copy_of__url"]:
            groups.setdefault(_path(a["copy_of__url"]), {_path(a["copy_of__url"])}).add(
                _path(a["url"])
            )
    return {frozenset(g) for g in groups.values()}


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _check_invariants(state: dict[str, Any]) -> None:
    counts: dict[int, int] = {}
    for a in state["articles"]:
        assert a["story_id"] is not None, f"{a['url']} has no story"
        counts[a["story_id"]] = counts.get(a["story_id"], 0) + 1
    empty = [s["id"] for s in state["stories"] if s["id"] not in counts]
    assert not empty, f"{len(empty)} stories without articles"
    for s in state["stories"]:
        assert s["article_count"] == counts[s["id"]], s


def test_two_processes_assign_like_one(
    database: str, tmp_path: Path, shared_data: Path, publisher_web: PublisherWeb
) -> None:
    pages = _pages(shared_data)
    setup = _setup(database, tmp_path, publisher_web, pages)
    feeds = setup.feeds
    all_feeds = [pk for pair in zip(feeds["a"], feeds["b"], strict=True) for pk in pair]

    _ingest(setup, tmp_path, [all_feeds])
    one = _dump(setup)
    assert len(one["articles"]) == len(pages)
    _check_invariants(one)
    expected = _copy_groups(one)
    # Most copies are recognised at all (what bench/stories.py measures properly).
    assert len(expected) >= COPIES * 3 // 4, expected

    _newsstand(setup.env, "shell", "-c", RESET)
    # Each process gets originals and copies, so both assign each other's articles' kin.
    shares = [all_feeds[0::2], all_feeds[1::2]]
    _ingest(setup, tmp_path, shares)
    two = _dump(setup)
    assert len(two["articles"]) == len(pages)
    _check_invariants(two)
    assert _copy_groups(two) == expected
    # A copy is in its original's story.
    story_of = {_path(a["url"]): a["story_id"] for a in two["articles"]}
    for group in expected:
        assert len({story_of[p] for p in group}) == 1, group
