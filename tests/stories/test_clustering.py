"""Story clustering decisions on hand-written articles (pure: no database)."""

from __future__ import annotations

import itertools
from collections.abc import Hashable

import numpy as np
import pytest

from newsstand.stories.clustering_engine import (
    ArticleInfo,
    ClusterConfig,
    StoryClusterer,
    affinity,
    recluster,
)
from newsstand.stories.embeddings import NullBackend, get_backend
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText
from newsstand.stories.window import WindowIndex
from tests.stories.events import EVENTS, SINGLETONS
from tests.stories.texts import OTHER_STORY, WIRE_STORY

HOUR = 3600.0
T0 = 1_750_000_000.0


def corpus() -> list[tuple[str, str]]:
    """(event, text) interleaved across events, as feeds would deliver them."""
    rows = [
        (event, text)
        for texts in itertools.zip_longest(*EVENTS.values())
        for event, text in zip(EVENTS, texts, strict=True)
        if text
    ]
    rows += [(f"single{i}", t) for i, t in enumerate(SINGLETONS)]
    return rows


def run(clusterer: StoryClusterer, texts: list[str], times: list[float]) -> list[Hashable]:
    vectors = clusterer.vectorize([ArticleText.from_combined(t) for t in texts])
    stories = []
    for i, (vector, ts) in enumerate(zip(vectors, times, strict=True)):
        _, story = clusterer.assign(
            ArticleInfo(i, ts, "World"), vector, lambda d: f"s{d.article_id}", copy_text=texts[i]
        )
        stories.append(story)
    return stories


@pytest.fixture(params=["configured", "no-embedding"])
def model(request: pytest.FixtureRequest) -> SimilarityModel:
    backend = get_backend() if request.param == "configured" else NullBackend()
    return SimilarityModel(backend)


def test_same_event_from_three_publishers_is_one_story(model: SimilarityModel) -> None:
    rows = corpus()
    clusterer = StoryClusterer(model, ClusterConfig())
    stories = run(clusterer, [t for _, t in rows], [T0 + i * 600 for i in range(len(rows))])
    by_event: dict[str, set[Hashable]] = {}
    for (event, _), story in zip(rows, stories, strict=True):
        by_event.setdefault(event, set()).add(story)
    assert all(len(s) == 1 for s in by_event.values()), by_event
    # Different events never share a story.
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event)


def test_time_window_is_respected() -> None:
    flood = EVENTS["flood"]
    clusterer = StoryClusterer(SimilarityModel(), ClusterConfig(window_days=3))
    stories = run(clusterer, [flood[0], flood[1]], [T0, T0 + 5 * 24 * HOUR])
    assert stories[0] != stories[1]
    # Within the window, the same pair joins.
    clusterer = StoryClusterer(SimilarityModel(), ClusterConfig(window_days=3))
    stories = run(clusterer, [flood[0], flood[1]], [T0, T0 + 30 * HOUR])
    assert stories[0] == stories[1]


def test_affinity_decays_with_time_and_rewards_agreement() -> None:
    cfg = ClusterConfig()
    close = affinity(0.6, HOUR, False, False, cfg)
    far = affinity(0.6, 60 * HOUR, False, False, cfg)
    assert far < close < 0.6
    assert affinity(0.6, HOUR, True, True, cfg) == pytest.approx(close + 0.06)


def test_wire_copy_joins_its_original_and_names_it() -> None:
    original = "Northfield approves new library\n" + "\n".join(WIRE_STORY)
    copy = (
        "Library approved in Northfield\nAdvertisement. Scroll to continue with content.\n"
        + "\n".join(WIRE_STORY[:4])
    )
    other = "Airline suspends island flights\n" + "\n".join(OTHER_STORY)
    clusterer = StoryClusterer(SimilarityModel(), ClusterConfig())
    texts = [original, other, copy]
    vectors = clusterer.vectorize([ArticleText.from_combined(t) for t in texts])
    decisions = []
    for i, vector in enumerate(vectors):
        d, _ = clusterer.assign(
            ArticleInfo(100 + i, T0 + i * 60), vector, lambda d: d.article_id, copy_text=texts[i]
        )
        decisions.append(d)
    assert decisions[2].reason == "copy"
    assert decisions[2].copy_of == 100
    assert decisions[2].story == 100
    assert decisions[1].story is None


def test_batch_recluster_agrees_with_incremental(model: SimilarityModel) -> None:
    rows = corpus()
    texts = [t for _, t in rows]
    times = [T0 + i * 600 for i in range(len(rows))]
    incremental = run(StoryClusterer(model, ClusterConfig(), detect_copies=False), texts, times)
    clusterer = StoryClusterer(model, ClusterConfig(), detect_copies=False)
    vectors = clusterer.vectorize([ArticleText.from_combined(t) for t in texts])
    items = [
        (ArticleInfo(i, ts, "World"), v, None)
        for i, (v, ts) in enumerate(zip(vectors, times, strict=True))
    ]
    labels = recluster(clusterer, items)

    def partition(assignments: list[Hashable]) -> set[frozenset[int]]:
        groups: dict[Hashable, set[int]] = {}
        for i, s in enumerate(assignments):
            groups.setdefault(s, set()).add(i)
        return {frozenset(g) for g in groups.values()}

    assert partition([labels[i] for i in range(len(texts))]) == partition(incremental)


def _seeded(groups: dict[str, list[str]]) -> StoryClusterer:
    """A clusterer whose stories are forced to `groups` (story key -> texts)."""
    clusterer = StoryClusterer(SimilarityModel(), ClusterConfig(), detect_copies=False)
    flat = [(story, text) for story, texts in groups.items() for text in texts]
    vectors = clusterer.vectorize([ArticleText.from_combined(t) for _, t in flat])
    for i, ((story, _), vector) in enumerate(zip(flat, vectors, strict=True)):
        clusterer.add(ArticleInfo(i, T0 + i * 600, "World"), vector, story)
    return clusterer


def test_repair_splits_a_story_of_two_events() -> None:
    clusterer = _seeded({"mixed": EVENTS["flood"] + EVENTS["strike"], "chips": EVENTS["chips"]})
    plan = clusterer.plan_repair(["mixed", "chips"])
    assert not plan.merges
    assert len(plan.splits) == 1
    story, groups = plan.splits[0]
    assert story == "mixed"
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4, 5]]


def test_repair_merges_two_stories_of_one_event() -> None:
    flood = EVENTS["flood"]
    clusterer = _seeded({"a": flood[:2], "b": flood[2:], "chips": EVENTS["chips"]})
    plan = clusterer.plan_repair(["a", "b", "chips"])
    assert [(keep, absorb) for keep, absorb, _ in plan.merges] == [("a", "b")]
    assert not plan.splits


def test_window_index_exact_scores_match_the_model() -> None:
    texts = [t for _, t in corpus()]
    model = SimilarityModel()
    articles = [ArticleText.from_combined(t) for t in texts]
    vectors = model.fit(articles)
    index = WindowIndex(model)
    for i, v in enumerate(vectors):
        index.add(i, v, T0)
    query = vectors[0]
    found = index.neighbours(query, T0, window_s=HOUR, k=len(texts), exclude=0)
    for n in found:
        assert n.score == pytest.approx(model.score(query, vectors[int(n.doc_id)]), abs=1e-5)
    assert found[0].doc_id in {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} and np.isfinite(found[0].score)


def test_window_evicts_old_articles() -> None:
    clusterer = StoryClusterer(SimilarityModel(), ClusterConfig(window_days=1))
    run(clusterer, [EVENTS["flood"][0], EVENTS["chips"][0]], [T0, T0 + 30 * HOUR])
    assert 0 not in clusterer.info and 0 not in clusterer.story_of
    assert len(clusterer) == 1


def _random_vectors(n: int, seed: int) -> list:  # type: ignore[type-arg]
    from newsstand.stories.similarity import ArticleVector

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        idx = np.unique(rng.integers(0, 3000, size=40)).astype(np.int32)
        out.append(ArticleVector(idx, rng.uniform(1, 2, len(idx)), np.zeros(0, dtype=np.float32)))
    return out


def test_bulk_add_and_compaction_keep_neighbours_exact() -> None:
    model = SimilarityModel(NullBackend())
    vectors = _random_vectors(1500, seed=3)
    one, bulk = WindowIndex(model), WindowIndex(model)
    for i, v in enumerate(vectors):
        one.add(i, v, T0 + i)
    bulk.add_many(list(range(1500)), vectors, [T0 + i for i in range(1500)])
    query = vectors[7]
    # Every overlapping article is a candidate (k = window): the exact scores decide alone.
    found_one = one.neighbours(query, T0, window_s=1e9, k=1500, exclude=7)[:10]
    found_bulk = bulk.neighbours(query, T0, window_s=1e9, k=1500, exclude=7)[:10]
    assert [n.doc_id for n in found_one] == [n.doc_id for n in found_bulk]
    assert [n.score for n in found_one] == pytest.approx([n.score for n in found_bulk])

    # Removing most articles compacts the slots; scores still match a fresh index.
    gone = bulk.evict_before(T0 + 1000)
    assert len(gone) == 1000 and len(bulk) == 500 and len(bulk.ids) < 1000  # compacted
    fresh = WindowIndex(model)
    fresh.add_many(list(range(1000, 1500)), vectors[1000:], [T0 + i for i in range(1000, 1500)])
    query = vectors[1200]
    a = bulk.neighbours(query, T0 + 1200, window_s=1e9, k=500, exclude=1200)[:10]
    b = fresh.neighbours(query, T0 + 1200, window_s=1e9, k=500, exclude=1200)[:10]
    assert [n.doc_id for n in a] == [n.doc_id for n in b]
    assert [n.score for n in a] == pytest.approx([n.score for n in b], abs=1e-6)
