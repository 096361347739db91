"""Top stories: the score's maths (pure) and rank_stories persisting it in a few queries."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from newsstand.stories import actions
from newsstand.stories.models import ReadTally, Story
from newsstand.stories.ranking import (
    RankingSettings,
    StorySignals,
    decay_factor,
    score_story,
)
from tests.stories.story_factories import make_story

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
DEFAULTS = RankingSettings()


def signals(
    publishers: int = 1, articles: int = 0, reads: int = 0, age_h: float = 0.0
) -> StorySignals:
    return StorySignals(
        publisher_count=publishers,
        recent_articles=articles,
        recent_reads=reads,
        last_updated_at=NOW - timedelta(hours=age_h),
    )


def score(sig: StorySignals, config: RankingSettings = DEFAULTS) -> float:
    return score_story(sig, NOW, config).score


# Pure maths -------------------------------------------------------------------------------


def test_breadth_beats_single_source_with_diminishing_returns():
    one, five, ten, fifty = (score(signals(publishers=n)) for n in (1, 5, 10, 50))
    assert one < five < ten < fifty
    # Diminishing: the 5 publishers after the 5th add more than the 40 after the 10th do, per head.
    assert (ten - five) / 5 > (fifty - ten) / 40
    assert five == pytest.approx(DEFAULTS.breadth_weight * math.log1p(5))


def test_velocity_raises_score_of_equally_broad_stories():
    quiet = score(signals(publishers=3, articles=0))
    busy = score(signals(publishers=3, articles=6))
    assert busy > quiet
    assert busy - quiet == pytest.approx(DEFAULTS.velocity_weight * math.log1p(6))


def test_reads_raise_score():
    assert score(signals(publishers=2, reads=100)) > score(signals(publishers=2, reads=0))


def test_recency_halves_score_per_half_life():
    fresh = score(signals(publishers=4, articles=2))
    one = score(signals(publishers=4, articles=2, age_h=DEFAULTS.half_life_hours))
    two = score(signals(publishers=4, articles=2, age_h=2 * DEFAULTS.half_life_hours))
    assert one == pytest.approx(fresh / 2)
    assert two == pytest.approx(fresh / 4)


def test_fresh_single_source_can_beat_stale_broad_story():
    stale_broad = score(signals(publishers=10, age_h=48))
    fresh_pair = score(signals(publishers=2, age_h=0))
    assert fresh_pair > stale_broad


def test_future_update_time_is_not_a_bonus():
    assert score(signals(publishers=3, age_h=-5)) == pytest.approx(score(signals(publishers=3)))
    assert decay_factor(-1, 8) == 1.0


def test_breakdown_sums_to_score_and_names_every_signal():
    result = score_story(signals(publishers=7, articles=3, reads=40, age_h=5), NOW, DEFAULTS)
    parts = {p.name: p for p in result.parts}
    assert set(parts) == {"breadth", "velocity", "reads", "recency"}
    assert sum(p.contribution for p in result.parts) == pytest.approx(result.score)
    assert parts["recency"].contribution < 0
    assert parts["recency"].raw == pytest.approx(5)
    assert parts["breadth"].raw == 7 and parts["velocity"].raw == 3 and parts["reads"].raw == 40
    details = result.details()
    assert sum(d["contribution"] for d in details.values()) == pytest.approx(result.score, abs=1e-5)


def test_zero_signals_score_zero():
    assert score(signals(publishers=0)) == 0.0


def test_weights_come_from_settings(settings):
    settings.NEWSSTAND_RANKING = {"breadth_weight": 0, "reads_weight": 2, "half_life_hours": 1}
    config = RankingSettings.from_settings()
    assert config.breadth_weight == 0 and config.reads_weight == 2
    assert config.velocity_weight == DEFAULTS.velocity_weight  # unset keys keep their default
    assert score(signals(publishers=50), config) == 0.0
    assert score(signals(reads=9, age_h=1), config) == pytest.approx(2 * math.log1p(9) / 2)


def test_missing_setting_means_defaults(settings):
    del settings.NEWSSTAND_RANKING
    assert RankingSettings.from_settings() == DEFAULTS


@pytest.mark.parametrize(
    ("value", "message"),
    [({"breadth_wieght": 1}, "unknown key"), ({"half_life_hours": 0}, "must be positive")],
)
def test_bad_settings_are_named(settings, value, message):
    settings.NEWSSTAND_RANKING = value
    with pytest.raises(ValueError, match=message):
        RankingSettings.from_settings()


# Persistence ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rank_stories_persists_scores_and_reasons():
    broad = make_story("Broad", publishers=5, updated=NOW - timedelta(hours=1))
    single = make_story("Single", publishers=1, updated=NOW - timedelta(hours=1))
    report = actions.rank_stories(NOW)
    assert report.ranked == 2
    broad.refresh_from_db()
    single.refresh_from_db()
    assert broad.score > single.score > 0
    assert broad.ranked_at == NOW
    assert set(broad.score_details) == {"breadth", "velocity", "reads", "recency"}
    assert broad.score_details["breadth"]["raw"] == 5
    # All five articles were published an hour ago: inside the velocity window.
    assert broad.score_details["velocity"]["raw"] == 5
    total = sum(p["contribution"] for p in broad.score_details.values())
    assert total == pytest.approx(broad.score, abs=1e-5)


@pytest.mark.django_db
def test_velocity_counts_only_recent_articles():
    story = make_story("Backlog", publishers=3, updated=NOW, published=NOW - timedelta(hours=30))
    actions.rank_stories(NOW)
    story.refresh_from_db()
    assert story.score_details["velocity"]["raw"] == 0


@pytest.mark.django_db
def test_reads_in_window_count_and_older_do_not():
    story = make_story("Read", publishers=2, updated=NOW)
    hour = actions.hour_bucket(NOW)
    ReadTally.objects.create(story=story, hour=hour, count=7)
    ReadTally.objects.create(story=story, hour=hour - timedelta(hours=2), count=3)
    ReadTally.objects.create(story=story, hour=hour - timedelta(hours=30), count=1000)
    actions.rank_stories(NOW)
    story.refresh_from_db()
    assert story.score_details["reads"]["raw"] == 10


@pytest.mark.django_db
def test_stale_stories_are_zeroed_once():
    old = make_story("Old", publishers=3, updated=NOW - timedelta(days=5))
    Story.objects.filter(pk=old.pk).update(score=3.2, score_details={"breadth": {}})
    report = actions.rank_stories(NOW)
    assert report.zeroed == 1
    old.refresh_from_db()
    assert old.score == 0 and old.score_details == {}
    assert actions.rank_stories(NOW).zeroed == 0


@pytest.mark.django_db
def test_rank_stories_query_count_does_not_grow_with_stories(django_assert_max_num_queries):
    for i in range(40):
        make_story(f"Story {i}", publishers=1 + i % 4, updated=NOW - timedelta(minutes=i))
    # Read signals, one batched UPDATE, zero stale, plus the transaction's savepoint pair.
    with django_assert_max_num_queries(5):
        report = actions.rank_stories(NOW)
    assert report.ranked == 40
    assert Story.objects.filter(score__gt=0).count() == 40


@pytest.mark.django_db
def test_stories_rank_subcommand(capsys):
    make_story("Now", publishers=2)
    call_command("stories", "rank")
    assert "Ranked 1 stories" in capsys.readouterr().out
    assert Story.objects.get().score > 0


def test_bad_ranking_setting_is_a_command_error(settings):
    settings.NEWSSTAND_RANKING = {"nope": 1}
    with pytest.raises(CommandError, match="unknown key"):
        call_command("stories", "rank")


def test_units_agree_with_their_numbers() -> None:
    from newsstand.stories.top import signal_unit

    assert signal_unit("breadth", 1) == "publisher"
    assert signal_unit("breadth", 3) == "publishers"
    assert signal_unit("reads", 1.0) == "read"
    assert signal_unit("recency", 0.5) == "hours since update"


@pytest.mark.django_db
def test_top_stories_put_stories_many_publishers_cover_first() -> None:
    from newsstand.stories.top import top_stories

    single = make_story("One outlet's scoop", publishers=1)
    broad = make_story("Everyone covers this", publishers=3)
    Story.objects.filter(pk=single.pk).update(score=9.0)
    Story.objects.filter(pk=broad.pk).update(score=1.0)
    assert [t.story.pk for t in top_stories()] == [broad.pk, single.pk]
