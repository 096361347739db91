"""One reader, one page, from every web process: two separate Python processes against the test
database (SQLite's file, or PostgreSQL's), as two gunicorn workers would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from newsstand.personal import actions
from newsstand.personal.targets import resolve_target
from tests.conftest import REPO_ROOT
from tests.databases import database_url
from tests.foryou.conftest import NewsTexts, make_news
from tests.personal.conftest import make_user

# Committed rows: the other processes read them through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)

PROCESS_TIMEOUT_S = 300


def _page(user_id: int, now: str, *, cache_url: str, background: bool) -> dict[str, Any]:
    env = {
        **os.environ,
        "NEWSSTAND_DATABASE_URL": database_url(),
        "NEWSSTAND_CACHE_URL": cache_url,
        "NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND": "1" if background else "0",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)]),
    }
    done = subprocess.run(  # this interpreter, fixed arguments
        [sys.executable, "-m", "tests.foryou.page_process", "--user", str(user_id), "--now", now],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def reader(news_texts: NewsTexts) -> Any:
    """A reader with reads, a save and follows, over storied news with Top stories."""
    news = make_news(news_texts, with_stories=True)
    user = make_user()
    for i in (0, 5, 9, 14):
        actions.note_article_opened(user, news.pairs[i][0])
    actions.save_article(user, news.pairs[17][1].pk)
    actions.follow(user, resolve_target("topic", "Film"))
    actions.follow(user, resolve_target("publisher", str(news.publishers[3].pk)))
    return user


def test_two_processes_rank_the_same_page(reader: Any, tmp_path: Path) -> None:
    """Each process builds its own corpus and keeps its own cache: the page is a function of
    the database and the minute alone."""
    now = timezone.now().isoformat()
    first = _page(reader.pk, now, cache_url="locmem://", background=False)
    second = _page(reader.pk, now, cache_url="locmem://", background=False)
    assert not first["preparing"] and not second["preparing"]
    assert len(first["entries"]) >= 15  # 24 stories, five of them read
    assert first == second


def test_a_process_still_building_serves_the_page_another_ranked(
    reader: Any, tmp_path: Path
) -> None:
    """A new worker whose corpus is not built yet serves the page a warm one ranked (the
    shared cache), not a page of its own."""
    now = timezone.now().isoformat()
    shared = f"file://{tmp_path / 'cache'}"
    alone = _page(reader.pk, now, cache_url=f"file://{tmp_path / 'other'}", background=True)
    assert alone["preparing"], "the test's premise: on its own it has only the fallback"
    warm = _page(reader.pk, now, cache_url=shared, background=False)
    cold = _page(reader.pk, now, cache_url=shared, background=True)
    assert not cold["preparing"]
    assert cold == warm
