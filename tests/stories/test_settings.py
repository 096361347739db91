"""The stories tunables are read when used, and the stories window is one setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_django.fixtures import Settings

from newsstand.foryou.config import ForYouSettings
from newsstand.stories.clustering_engine import ClusterConfig, StoryClusterer
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText
from newsstand.stories.window_cache import window_seconds
from newsstand.stories.wirecopy import WireCopyIndex

from .texts import WIRE_STORY

DAY_S = 24 * 3600.0


def test_the_stories_window_is_one_setting(settings: Settings) -> None:
    settings.NEWSSTAND_STORIES = {"window_days": 1.5}
    cfg = ClusterConfig.from_settings()
    assert cfg.window_s == 1.5 * DAY_S
    # Wire copies, For You's corpus and its candidates all follow it.
    copies = StoryClusterer(cfg=cfg).copies
    assert copies is not None and copies.window_s == 1.5 * DAY_S
    assert window_seconds() == 1.5 * DAY_S
    assert ForYouSettings.from_settings().candidate_hours == 36.0
    # ... unless For You sets its own.
    settings.NEWSSTAND_FORYOU = {"candidate_hours": 12}
    assert ForYouSettings.from_settings().candidate_hours == 12.0


def test_the_default_window_is_three_days(settings: Settings) -> None:
    settings.NEWSSTAND_STORIES = {}
    assert ClusterConfig.from_settings().window_s == 3 * DAY_S
    assert ForYouSettings.from_settings().candidate_hours == 72.0
    assert ForYouSettings().candidate_hours == 72.0


def test_a_bad_stories_setting_is_named(settings: Settings) -> None:
    settings.NEWSSTAND_STORIES = {"window_days": 0}
    with pytest.raises(ValueError, match="NEWSSTAND_STORIES window_days must be positive"):
        ClusterConfig.from_settings()


def test_wire_copy_containment_is_read_when_an_index_is_made(settings: Settings) -> None:
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    original = "Library approved\n" + "\n".join(WIRE_STORY)
    cut = "Library approved\n" + "\n".join(WIRE_STORY[: len(WIRE_STORY) // 2])

    def is_copy() -> bool:
        index = WireCopyIndex(window_s=DAY_S)
        index.add("original", original, when)
        return index.add("cut", cut, when + timedelta(hours=1)) == "original"

    assert is_copy()
    settings.NEWSSTAND_WIRECOPY = {"min_containment": 1.01}
    assert not is_copy()


def test_similarity_weights_are_read_when_a_model_is_made(settings: Settings) -> None:
    text = ArticleText(title="Northfield Council", body="The Northfield council met on Monday.")
    plain = SimilarityModel().vectorize([text])[0]
    settings.NEWSSTAND_SIMILARITY = {"entity_boost": 4.0}
    model = SimilarityModel()
    assert model.entity_boost == 4.0
    boosted = model.vectorize([text])[0]
    assert boosted.weights.max() > plain.weights.max()
