from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from newsstand.foryou.config import ForYouSettings


def test_settings_override_defaults_key_by_key(settings: Settings) -> None:
    settings.NEWSSTAND_FORYOU = {"half_life_hours": 12, "max_per_publisher": 2}
    cfg = ForYouSettings.from_settings()
    assert cfg.half_life_hours == 12.0
    assert cfg.max_per_publisher == 2
    assert isinstance(cfg.max_per_publisher, int)
    assert cfg.saved_weight == ForYouSettings().saved_weight


def test_signal_weights_are_ordered_by_default() -> None:
    cfg = ForYouSettings()
    assert cfg.saved_weight > cfg.long_dwell_weight > cfg.read_weight > 0


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"half_life": 3}, "unknown key.*half_life"),
        ({"half_life_hours": 0}, "half_life_hours must be positive"),
        ({"topic_boost": -0.1}, "topic_boost must not be negative"),
        ({"page_size": 2.5}, "page_size.*whole number"),
        ({"saved_weight": "a lot"}, "saved_weight.*expected a number"),
    ],
)
def test_bad_settings_say_what_is_wrong(configured: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ForYouSettings.from_mapping(configured)
