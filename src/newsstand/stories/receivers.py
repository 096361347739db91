"""Stories' listeners on the packages below them (connected in StoriesConfig.ready)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsstand.stories.signals import stories_assigned


def assign_stored_articles(sender: object, *, article_ids: Sequence[int], **kwargs: Any) -> None:
    """Give the articles a refresh stored their stories; a failure is logged, never raised."""
    # Imported here: clustering loads scikit-learn and the embedding model, which only
    # ingestion needs, not every web process at start-up.
    from newsstand.stories.actions import assign_stories_safely

    report = assign_stories_safely(article_ids)
    if report is not None:
        stories_assigned.send(sender=type(report), started=report.started, joined=report.joined)


def follow_article_sections(sender: object, *, article_ids: Sequence[int], **kwargs: Any) -> None:
    """Bring the stories of articles whose sections were re-mapped in step (`Story.sections`),
    in the sender's transaction."""
    from newsstand.stories.actions import refresh_sections_of_articles

    refresh_sections_of_articles(article_ids)
