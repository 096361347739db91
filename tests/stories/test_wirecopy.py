from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsstand.stories.clustering_engine import ClusterConfig
from newsstand.stories.wirecopy import WireCopyIndex, estimated_containment, shingles, sketch

from .texts import OTHER_STORY, WIRE_STORY

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
# The copy index's window is its owner's: the stories window.
WINDOW_S = ClusterConfig().window_s
ORIGINAL = "Northfield approves library on old bus depot site\n" + "\n".join(WIRE_STORY)

EDITS = {
    "boilerplate": "Sign up for our free newsletter to get the news first.\n"
    + ORIGINAL
    + "\nCopyright 2024 Example Press. All rights reserved. Do not redistribute.",
    "headline": "UPDATE: Library wins council vote after long fight\n" + "\n".join(WIRE_STORY),
    "truncation": "Northfield approves library\n" + "\n".join(WIRE_STORY[:2]),
    "ads": "\n".join(
        [
            WIRE_STORY[0],
            "ADVERTISEMENT",
            WIRE_STORY[1],
            "Related: Five things to know",
            "\n",
            *WIRE_STORY[2:],
        ]
    ),
    "first_paragraph": "Here is what we know so far.\n" + "\n".join(WIRE_STORY[1:]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_copy_with_each_edit_joins_the_original(edit: str) -> None:
    index = WireCopyIndex(window_s=WINDOW_S)
    assert index.add("orig", ORIGINAL, T0) is None
    assert index.add("copy", EDITS[edit], T0 + timedelta(hours=1)) == "orig"
    assert index.copy_set("orig") == index.copy_set("copy") == "orig"


def test_all_copies_form_one_set_and_distinct_articles_stay_apart() -> None:
    index = WireCopyIndex(window_s=WINDOW_S)
    index.add("orig", ORIGINAL, T0)
    index.add("other", "Airline suspends island flights\n" + "\n".join(OTHER_STORY), T0)
    for i, text in enumerate(EDITS.values()):
        assert index.add(f"copy{i}", text, T0 + timedelta(minutes=i)) == "orig"
    assert index.copy_set("other") is None
    assert index.add("other2", "\n".join(OTHER_STORY[1:3]), T0) == "other"


def test_distinct_articles_sharing_boilerplate_are_not_copies() -> None:
    boiler = "Sign up for our free newsletter to get the news first. Copyright 2024 Example Press."
    index = WireCopyIndex(window_s=WINDOW_S)
    index.add("a", boiler + "\n" + "\n".join(WIRE_STORY[:2]), T0)
    assert index.add("b", boiler + "\n" + "\n".join(OTHER_STORY[:2]), T0) is None


def test_entries_leave_the_window() -> None:
    index = WireCopyIndex(window_s=3600)
    index.add("orig", ORIGINAL, T0)
    index.add("later", "\n".join(OTHER_STORY), T0 + timedelta(hours=2))
    assert "orig" not in index
    assert len(index) == 1
    assert index.add("copy", EDITS["boilerplate"], T0 + timedelta(hours=2)) is None


def test_size_bound_evicts_oldest() -> None:
    index = WireCopyIndex(window_s=WINDOW_S, max_entries=2)
    index.add("orig", ORIGINAL, T0)
    index.add("o1", "\n".join(OTHER_STORY), T0 + timedelta(minutes=1))
    index.add("o2", "\n".join(OTHER_STORY[::-1]), T0 + timedelta(minutes=2))
    assert len(index) == 2
    assert "orig" not in index


def test_short_texts_are_not_matched() -> None:
    index = WireCopyIndex(window_s=WINDOW_S)
    assert index.add("a", "Breaking news: more soon.", T0) is None
    assert index.add("b", "Breaking news: more soon.", T0) is None
    assert "a" not in index


def test_readding_an_id_replaces_it() -> None:
    index = WireCopyIndex(window_s=WINDOW_S)
    index.add("a", ORIGINAL, T0)
    index.add("a", "\n".join(OTHER_STORY), T0)
    assert len(index) == 1
    assert index.add("b", ORIGINAL, T0) is None


def test_containment_is_robust_to_truncation() -> None:
    full, cut = shingles(ORIGINAL), shingles("\n".join(WIRE_STORY[:2]))
    score = estimated_containment(sketch(full), len(full), sketch(cut), len(cut))
    assert score > 0.8
