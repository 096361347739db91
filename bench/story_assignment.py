"""The ingest's work after extraction, alone: storing a feed's pages and assigning their stories.

Run:  nice -n 10 .venv/bin/python -m bench.story_assignment [--pages 200] [--repeats 3]

The pages `bench.ingest_feed` serves (the first N of aeb, naeb-dev and wcxb-dev in turn) are
extracted once, in process, and their drafts stored one by one as a refresh stores them
(`ingest.actions._take_entry`) in a fresh SQLite data dir; then `stories.actions.assign_stories`
is timed on them --repeats times, their stories cleared before each, first as the pages date
themselves (most years ago: the path for articles older than the window) and then redated a few
minutes apart within the last day (the window's path). CPU seconds of this process, medians;
the modules the assignment imports (scikit-learn, SciPy, the tokenizer) timed apart. Runs this
checkout's code (its `src` first on the path), so a worktree measures its own.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="newsstand-bench-assign-")
    os.environ.update(
        {
            "NEWSSTAND_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "newsstand.settings",
            "NEWSSTAND_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO / "src"),
        }
    )
    os.environ.pop("NEWSSTAND_DATABASE_URL", None)
    sys.path.insert(0, str(REPO / "src"))
    subprocess.run(
        [sys.executable, "-m", "newsstand", "migrate", "--no-input"],
        check=True,
        capture_output=True,
    )
    import django

    django.setup()
    from django.utils import timezone

    from bench.ingest_feed import pick_pages
    from newsstand.articles.models import Article
    from newsstand.ingest import actions
    from newsstand.ingest.drafts import build_draft
    from newsstand.ingest.extractor import extract_article
    from newsstand.ingest.feeds import ParsedEntry
    from newsstand.sources.models import Feed, Publisher
    from newsstand.stories.models import CopySketch, Story

    publisher = Publisher.objects.create(name="Bench", slug="bench", homepage="http://bench.test/")
    feed = Feed.objects.create(publisher=publisher, url="http://bench.test/feed.xml")
    drafts = []
    for k, path in enumerate(pick_pages(args.pages)):
        url = f"http://bench.test/p/{k}.html"
        entry = ParsedEntry(
            url=url, guid=url, title="", summary_html="", image_url=None,
            published=None, updated=None, authors=[], categories=[],
        )  # fmt: skip
        page = extract_article(gzip.decompress(path.read_bytes()), url)
        drafts.append(build_draft(entry, page, page_url=url))
    report = actions.RefreshReport(feed.pk, "ok")
    started = time.process_time()
    for draft in drafts:
        actions._take_entry(feed, draft, report)
    store_s = time.process_time() - started

    started = time.process_time()
    from newsstand.stories.actions import assign_stories, assignment

    import_s = time.process_time() - started
    ids = report.article_ids

    def assign() -> float:
        Article.objects.update(story=None, copy_of=None)
        Story.objects.all().delete()
        CopySketch.objects.all().delete()
        assignment._window.state = None  # as a new process: nothing cached
        started = time.process_time()
        assign_stories(ids)
        return time.process_time() - started

    as_dated = statistics.median(assign() for _ in range(args.repeats))
    now = timezone.now()
    for n, pk in enumerate(ids):
        Article.objects.filter(pk=pk).update(published_at=now - timedelta(minutes=7 * n))
    in_window = statistics.median(assign() for _ in range(args.repeats))
    print(
        f"{len(ids)} pages stored in {store_s:.2f} s CPU; assignment's imports {import_s:.2f} s; "
        f"assigning them {as_dated:.2f} s as dated, {in_window:.2f} s within the window "
        f"(CPU, medians of {args.repeats})"
    )


if __name__ == "__main__":
    main()
