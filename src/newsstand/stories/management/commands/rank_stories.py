"""`newsstand rank_stories`: rank the recent stories now, as the five-minute task does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from newsstand.stories import actions


class Command(BaseCommand):
    help = "Rank the stories updated within NEWSSTAND_RANKING's window; zero older scores."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = actions.rank_stories()
        except ValueError as exc:  # a bad NEWSSTAND_RANKING setting
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"ranked {report.ranked} stories; zeroed {report.zeroed} older ones")
