"""State changes for stories. Views, tasks and commands call these; the decisions are elsewhere.

`assignment`: giving articles their stories, repairing and re-clustering the window.
`curation`: ranking Top stories, counting reads, editors' picks.
`sections`: a story's copy of its articles' sections, in step when they are re-mapped.
"""

from newsstand.stories.actions.assignment import (
    AssignReport,
    ReclusterReport,
    RepairReport,
    article_ts,
    assign_leftovers,
    assign_stories,
    assign_stories_safely,
    assignment_lock,
    link_stories,
    recluster_window,
    refresh_story_stats,
    repair_stories,
    reset_cache,
)
from newsstand.stories.actions.curation import (
    PickError,
    RankReport,
    add_pick,
    hour_bucket,
    move_pick,
    rank_stories,
    record_read,
    record_story_read,
    record_story_reads,
    remove_pick,
)
from newsstand.stories.actions.sections import (
    refresh_sections_of_articles,
    refresh_story_sections,
)

__all__ = [
    "AssignReport",
    "PickError",
    "RankReport",
    "ReclusterReport",
    "RepairReport",
    "add_pick",
    "article_ts",
    "assign_leftovers",
    "assign_stories",
    "assign_stories_safely",
    "assignment_lock",
    "hour_bucket",
    "link_stories",
    "move_pick",
    "rank_stories",
    "recluster_window",
    "record_read",
    "record_story_read",
    "record_story_reads",
    "refresh_sections_of_articles",
    "refresh_story_sections",
    "refresh_story_stats",
    "remove_pick",
    "repair_stories",
    "reset_cache",
]
