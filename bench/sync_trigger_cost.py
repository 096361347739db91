"""What the per-day count triggers (sync.models.PublisherDay, ReadDay) cost each write.

Run:  nice -n 10 .venv/bin/python bench/sync_trigger_cost.py [--db postgres]

Bulk inserts of 4,000 articles (50 publishers) and their 4,000 History rows, in one
transaction each, eight times, the triggers dropped and put back in turn (migration
sync.0002's own SQL), on a fresh SQLite data dir or, with --db postgres, a database
`newsstand_bench_trig` on 127.0.0.1 (dropped and re-created, and dropped at the end). Prints
the median microseconds per row of each, triggers on and off.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ROWS = 4_000
PUBLISHERS = 50
ROUNDS = 8
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "newsstand_bench_trig"


def _pg(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


def _set_triggers(on: bool) -> None:
    from django.db import connection

    from newsstand.sync.models import PublisherDay, ReadDay

    migration: Any = importlib.import_module("newsstand.sync.migrations.0002_day_counts")
    if on:
        # Putting them back counts what is stored again (the migration's backfill).
        PublisherDay.objects.all().delete()
        ReadDay.objects.all().delete()
    with connection.schema_editor() as editor:
        migration._run(None, editor, undo=not on)


def _round(n: int, publishers: list[Any], user: Any) -> tuple[float, float]:
    from django.db import transaction
    from django.utils import timezone

    from newsstand.articles.models import Article
    from newsstand.personal.models import ReadingHistory

    now = timezone.now()
    articles = [
        Article(
            publisher=publishers[i % PUBLISHERS],
            url=f"https://example.org/{n}/{i}",
            guid=f"{n}-{i}",
            title="A title",
            published_at=now - timedelta(minutes=i),
        )
        for i in range(ROWS)
    ]
    started = time.perf_counter()
    with transaction.atomic():
        Article.objects.bulk_create(articles, batch_size=500)
    article_s = time.perf_counter() - started
    rows = [
        ReadingHistory(
            user=user,
            article=a,
            article_publisher_id=a.publisher_id,
            article_published_at=a.published_at,
        )
        for a in articles
    ]
    started = time.perf_counter()
    with transaction.atomic():
        ReadingHistory.objects.bulk_create(rows, batch_size=500)
    history_s = time.perf_counter() - started
    return article_s * 1e6 / ROWS, history_s * 1e6 / ROWS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    postgres = args.db == "postgres"
    os.environ.update(
        {
            "NEWSSTAND_DATA_DIR": tempfile.mkdtemp(prefix="newsstand-trigbench-"),
            "DJANGO_SETTINGS_MODULE": "newsstand.settings",
            "NEWSSTAND_LOG_LEVEL": "WARNING",
            "NEWSSTAND_DATABASE_URL": (
                f"postgres://postgres@127.0.0.1:5432/{PG_NAME}" if postgres else ""
            ),
        }
    )
    if postgres:
        _pg(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
        _pg(f'CREATE DATABASE "{PG_NAME}"')
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_migrate

    from newsstand.search.receivers import ensure_index_after_migrate
    from newsstand.sources.models import Publisher

    # Nothing here searches: search's fill of public texts after a migration is left out.
    post_migrate.disconnect(ensure_index_after_migrate, sender=apps.get_app_config("search"))
    try:
        call_command("migrate", verbosity=0)
        publishers = [
            Publisher.objects.create(name=f"P{i}", slug=f"p{i}", homepage=f"https://p{i}.example/")
            for i in range(PUBLISHERS)
        ]
        user = get_user_model().objects.create_user("reader", "reader@example.org", "x")
        per_row: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        on = True
        for n in range(ROUNDS):
            want = n % 2 == 0
            if want != on:
                _set_triggers(want)
                on = want
            per_row[on].append(_round(n, publishers, user))
        for state, rows in per_row.items():
            articles = statistics.median(r[0] for r in rows)
            history = statistics.median(r[1] for r in rows)
            print(
                f"{connection.vendor} triggers {'on ' if state else 'off'}: "
                f"article {articles:.1f} us/row, History {history:.1f} us/row"
            )
    finally:
        connection.close()
        if postgres:
            _pg(f'DROP DATABASE IF EXISTS "{PG_NAME}"')


if __name__ == "__main__":
    main()
