"""Stories on real coverage: a subset of the SemEval-2022 pairs as two publishers' pages,
ingested over HTTP through the normal pipeline (bench/stories_pairs.py runs all 161 pairs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.semeval_site import load_pairs, pages_for
from bench.stories_pairs import ingest, outcomes, rates, serve
from django.utils import timezone

from newsstand.stories import actions
from newsstand.stories.clustering_engine import ClusterConfig
from newsstand.stories.models import Story
from tests.httpserver import PublisherWeb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private_urls")]

SAME_EVENT = 12
UNRELATED = 12
SEED = 7


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    actions.reset_cache()
    yield
    actions.reset_cache()


def test_same_event_pairs_end_up_together_and_unrelated_ones_apart(
    shared_data: Path, publisher_web: PublisherWeb
) -> None:
    every = load_pairs(shared_data / "similarity" / "semeval2022-en" / "pairs.csv")
    pairs = [p for p in every if p.same_event][:SAME_EVENT]
    pairs += [p for p in every if p.unrelated][:UNRELATED]
    pages = pages_for(pairs, timezone.now(), SEED)
    new = ingest(serve(publisher_web, pages.values()))
    assert sum(new.values()) == len(pages)

    floor = ClusterConfig.from_settings().related_floor
    results = outcomes(pairs, pages, publisher_web.base_url, SEED, [floor])
    assert all(r.ingested for r in results)
    got = rates(results, floor)
    # In one story or listed in each other's Related Stories.
    assert got["same_event_together"] >= 11 / 12, results
    assert got["unrelated_shared_story"] == 0.0, results
    # Related Stories is not filler: unrelated pairs are rarely linked.
    assert got["unrelated_linked"] <= 1 / 12, results
    for story in Story.objects.all():
        assert story.articles.count() == story.article_count > 0
