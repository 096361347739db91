"""Stories' listeners on the packages below them (connected in StoriesConfig.ready)."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

from newsstand.stories.signals import stories_assigned

log = logging.getLogger(__name__)

# The assignment's modules (scikit-learn, SciPy, the embedding model's tokenizer): 1.4 s of
# importing, which a process pays at its first assignment, after its first refresh.
_ASSIGNMENT_MODULE = "newsstand.stories.actions"
# Fewer new entries than this and the refresh is over before an import would be (the number
# from which a refresh extracts in worker processes, ingest.pipeline.POOL_MIN_PAGES).
WARM_UP_MIN_ENTRIES = 24
_loading = threading.Lock()
_loaded = threading.Event()


def prepare_assignment(sender: object, *, new_entries: int, **kwargs: Any) -> None:
    """Import the assignment's modules in a thread while a refresh with many new entries
    fetches and extracts them: the first `assign_stored_articles` then starts at once, instead
    of importing with the other processor idle (`ingest --feed` of 200 pages). A refresh with a
    few entries leaves it to the assignment, as a web process never imports them."""
    if (
        new_entries < WARM_UP_MIN_ENTRIES
        or _loaded.is_set()
        or not _loading.acquire(blocking=False)
    ):
        return
    threading.Thread(target=_load_assignment, name="stories-warm-up", daemon=True).start()


def _load_assignment() -> None:
    try:
        importlib.import_module(_ASSIGNMENT_MODULE)
    except Exception:
        log.exception("stories warm-up failed; the assignment imports them itself")
    finally:
        _loaded.set()


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
