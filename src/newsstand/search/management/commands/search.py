"""`newsstand search rebuild|check|query TEXT`: operate the full-text index."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from newsstand.search import actions
from newsstand.search.backends import SearchFilters, get_backend
from newsstand.search.query import parse_query


class Command(BaseCommand):
    help = "The search index: rebuild it, check it against the articles, or try a query."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("rebuild", help="Index every article again (after a restore or bulk load)")
        sub.add_parser("check", help="Compare the index with the articles; repair missing triggers")
        query = sub.add_parser("query", help="Print the best matches for TEXT, with timings")
        query.add_argument("text")
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rebuild":
            started = time.monotonic()
            count = actions.rebuild_index()
            self.stdout.write(f"Indexed {count} articles in {time.monotonic() - started:.1f} s.")
        elif action == "check":
            if actions.repair_index():
                self.stdout.write("Triggers were missing: re-created and the index rebuilt.")
            problems = get_backend().check()
            if problems:
                raise CommandError(
                    "The search index disagrees with the articles:\n  "
                    + "\n  ".join(problems)
                    + "\nRun `newsstand search rebuild`."
                )
            self.stdout.write("The search index agrees with the articles.")
        else:
            self._query(options["text"], options["limit"])

    def _query(self, text: str, limit: int) -> None:
        from newsstand.articles.models import Article

        query = parse_query(text)
        for note in query.notes:
            self.stdout.write(note)
        if query.is_empty:
            raise CommandError("Nothing to search for.")
        started = time.monotonic()
        ranked = get_backend().rank(query, SearchFilters(), now=timezone.now())
        elapsed_ms = (time.monotonic() - started) * 1000
        titles = Article.objects.in_bulk(ranked.ids[:limit])
        self.stdout.write(
            f"{len(ranked.ids)}{'+' if ranked.more else ''} match(es) for {query.as_text()!r}"
            f" in {elapsed_ms:.1f} ms"
        )
        for pk in ranked.ids[:limit]:
            self.stdout.write(f"  {pk}: {titles[pk].title}")
