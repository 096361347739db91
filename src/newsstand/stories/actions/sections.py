"""State changes of a story's copy of its articles' sections (`Story.sections`).

A story's other fields change only when its articles do (`assignment.refresh_story_stats`);
its sections also change when the articles' sections are re-mapped onto the Section list
(`newsstand sections normalise`, the Section admin's action, an article edited by hand), which
the articles package announces (`articles.signals.article_sections_changed`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from newsstand.articles.models import Article
from newsstand.stories.models import Story
from newsstand.stories.stats import story_sections

log = logging.getLogger(__name__)

# Ids per IN (...) query, and stories per bulk UPDATE: SQLite caps a statement's parameters.
SECTIONS_CHUNK = 500


def refresh_story_sections(story_ids: Iterable[int]) -> int:
    """Recompute these stories' `sections` from their articles: two reads and at most one
    bulk update per `SECTIONS_CHUNK` stories. Returns the number of stories changed."""
    ids = sorted(set(story_ids))
    changed_count = 0
    for i in range(0, len(ids), SECTIONS_CHUNK):
        chunk = ids[i : i + SECTIONS_CHUNK]
        # Members in the model's order, as `refresh_story_stats` reads them: ties rank alike.
        members: defaultdict[int, list[str]] = defaultdict(list)
        rows = Article.objects.filter(story_id__in=chunk).values_list("story_id", "section")
        for story_id, section in rows:
            members[story_id].append(section)
        changed = []
        for story in Story.objects.filter(pk__in=chunk).only("pk", "sections"):
            # A story without articles is assignment's to delete, not this function's.
            if story.pk not in members:
                continue
            sections = story_sections(members[story.pk])
            if sections != story.sections:
                story.sections = sections
                changed.append(story)
        if changed:
            Story.objects.bulk_update(changed, ["sections"], batch_size=SECTIONS_CHUNK)
        changed_count += len(changed)
    return changed_count


def refresh_sections_of_articles(article_ids: Iterable[int]) -> int:
    """Recompute the `sections` of the stories these articles belong to (after their sections
    changed). Returns the number of stories changed."""
    ids = sorted(set(article_ids))
    story_ids: set[int] = set()
    for i in range(0, len(ids), SECTIONS_CHUNK):
        story_ids.update(
            Article.objects.filter(pk__in=ids[i : i + SECTIONS_CHUNK], story__isnull=False)
            .values_list("story_id", flat=True)
            .distinct()
        )
    changed = refresh_story_sections(story_ids)
    log.info(
        "story sections refreshed articles=%d stories=%d changed=%d",
        len(ids),
        len(story_ids),
        changed,
    )
    return changed
