"""`newsstand topics reindex`: rebuild the topic index (/topics/<slug>/) from `Article.topics`.

Ingest keeps the index current for new articles and the migration filled it for older ones;
this is for after a bulk edit of topics (admin, SQL) or to check the index is whole.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from newsstand.articles.actions import reindex_topics
from newsstand.articles.models import Article


class Command(BaseCommand):
    help = "Topic pages: rebuild the topic index from every article's topics."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rei = sub.add_parser("reindex", help="Rebuild the index of every article's topics.")
        rei.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = Article.objects.count()
        done = 0
        with tqdm(total=total, unit="article", disable=options["no_progress"]) as bar:
            for n in reindex_topics():
                done += n
                bar.update(n)
        self.stdout.write(f"Reindexed the topics of {done} articles.")
