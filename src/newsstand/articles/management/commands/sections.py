"""`newsstand sections normalise`: map every stored article's section onto the Section list.

Ingest maps new articles as it stores them; this is for after staff add a section or another
name for one in the admin (the admin's action on Sections does the same).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from newsstand.articles.actions import normalise_sections
from newsstand.articles.models import Article
from newsstand.articles.sections import forget_catalogue


class Command(BaseCommand):
    help = "Sections: map every stored article's section onto the Section list again."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        norm = sub.add_parser("normalise", help="Re-map every article's section.")
        norm.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        forget_catalogue()
        read = changed = 0
        with tqdm(
            total=Article.objects.count(), unit="article", disable=options["no_progress"]
        ) as bar:
            for n, moved in normalise_sections():
                read += n
                changed += moved
                bar.update(n)
        self.stdout.write(f"Normalised the sections of {read} articles; {changed} changed.")
