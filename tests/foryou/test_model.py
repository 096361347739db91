from __future__ import annotations

import numpy as np
import pytest

from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.inputs import ArticleMeta, ReaderSignals, Signal, SignalKind, Targets
from newsstand.foryou.model import (
    Explanation,
    ExplanationKind,
    build_profile,
    freshness,
    item_similarity,
    relevance,
    score_slots,
    signal_weight,
)
from newsstand.stories.text import ArticleText

from .conftest import HOUR, NOW, MakeCorpus, NewsTexts

DAY = 24 * HOUR
CFG = ForYouSettings()


def _meta(
    i: str,
    publisher: int = 0,
    *,
    section: str = "",
    topics: frozenset[str] = frozenset(),
    story_id: int | None = None,
) -> ArticleMeta:
    return ArticleMeta(
        id=i,
        publisher_id=publisher,
        publisher_name=f"P{publisher}",
        section=section,
        topics=topics,
        story_id=story_id,
    )


def test_saved_outweighs_long_dwell_outweighs_read() -> None:
    def w(kind: SignalKind, dwell: float = 0.0) -> float:
        return signal_weight(Signal("a", kind, NOW, dwell), NOW, CFG)

    assert w(SignalKind.SAVED) > w(SignalKind.DWELL, 600) > w(SignalKind.READ) > 0
    assert w(SignalKind.DWELL, 600) == CFG.long_dwell_weight
    # Half the long-dwell time: halfway between a read and a long dwell.
    half = (CFG.read_weight + CFG.long_dwell_weight) / 2
    assert w(SignalKind.DWELL, CFG.long_dwell_seconds / 2) == pytest.approx(half)
    # A bounce is still a read, never less.
    assert w(SignalKind.DWELL, 1) >= w(SignalKind.READ)


def test_signals_halve_every_profile_half_life() -> None:
    fresh = signal_weight(Signal("a", SignalKind.READ, NOW), NOW, CFG)
    old = signal_weight(
        Signal("a", SignalKind.READ, NOW - CFG.profile_half_life_days * DAY), NOW, CFG
    )
    assert old == pytest.approx(fresh / 2)


@pytest.fixture
def texts(news_texts: NewsTexts) -> dict[str, str]:
    same, unrelated = news_texts.same, news_texts.unrelated
    return {
        "read": same[0][0],
        "same_story": same[0][1],
        "other_read": same[1][0],
        "unrelated": unrelated[0],
        "unrelated2": unrelated[1],
    }


def test_profile_merges_signals_per_article_newest_first(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    corpus = make_corpus([(_meta(k), t, NOW - DAY) for k, t in texts.items()])
    reader = ReaderSignals(
        (
            Signal("read", SignalKind.READ, NOW - 5 * HOUR),
            Signal("read", SignalKind.SAVED, NOW - 4 * HOUR),
            Signal("other_read", SignalKind.DWELL, NOW - 1 * HOUR, dwell_s=30),
            Signal("not-in-corpus", SignalKind.READ, NOW),
        )
    )
    profile = build_profile(reader, corpus, NOW, CFG)
    assert [i.article_id for i in profile.items] == ["other_read", "read"]
    read = profile.items[1]
    assert read.kind is SignalKind.SAVED
    assert read.weight == pytest.approx(signal_weight(reader.signals[1], NOW, CFG))
    assert read.at_ts == NOW - 4 * HOUR
    assert read.title == corpus.meta["read"].title
    assert profile.rows.shape[0] == 2
    assert np.linalg.norm(profile.embedding) == pytest.approx(1.0, abs=1e-5)
    assert np.linalg.norm(profile.term_weights) == pytest.approx(1.0)
    assert profile.seeds(1) == [0]


def test_max_signals_keeps_the_newest(texts: dict[str, str], make_corpus: MakeCorpus) -> None:
    corpus = make_corpus([(_meta(k), t, NOW - DAY) for k, t in texts.items()])
    reader = ReaderSignals(
        (
            Signal("read", SignalKind.SAVED, NOW - 9 * DAY),
            Signal("other_read", SignalKind.READ, NOW - 1 * DAY),
        )
    )
    profile = build_profile(reader, corpus, NOW, ForYouSettings(max_signals=1))
    assert [i.article_id for i in profile.items] == ["other_read"]


def test_no_usable_signal_gives_an_empty_profile(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    corpus = make_corpus([(_meta("x"), texts["unrelated"], NOW)])
    profile = build_profile(
        ReaderSignals((Signal("missing", SignalKind.READ, NOW),)), corpus, NOW, CFG
    )
    assert profile.empty
    assert relevance(profile, corpus, np.array([0])).tolist() == [0.0]


def test_the_same_story_is_more_relevant_than_unrelated_news(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    candidates = ["same_story", "unrelated", "unrelated2"]
    corpus = make_corpus([(_meta(k), texts[k], NOW) for k in candidates])
    # The read article is outside the window: its vector travels with the signal.
    (vector,) = corpus.vectorize([ArticleText.from_combined(texts["read"])])
    reader = ReaderSignals((Signal("r", SignalKind.READ, NOW - DAY, vector=vector),))
    profile = build_profile(reader, corpus, NOW, CFG)
    rel = relevance(profile, corpus, corpus.slots_of(candidates))
    assert rel[0] > max(rel[1:]) + 0.1
    assert ((rel >= 0) & (rel <= 1)).all()


def test_an_article_sharing_no_word_with_the_profile_scores_by_meaning_alone(
    make_corpus: MakeCorpus,
) -> None:
    corpus = make_corpus(
        [
            (_meta("read"), "Storm floods harbour\nWaves flooded the harbour overnight.", NOW),
            (_meta("other"), "Cup final\nRovers beat United at Wembley.", NOW),
        ]
    )
    profile = build_profile(
        ReaderSignals((Signal("read", SignalKind.READ, NOW),)), corpus, NOW, CFG
    )
    (rel,) = relevance(profile, corpus, corpus.slots_of(["other"]))
    index = corpus.index
    slot = index.slot("other")
    assert slot is not None
    emb = index.slot_vector(slot)[2]
    semantic = max(0.0, float(emb @ profile.embedding))
    assert rel == pytest.approx(float(index.model.fuse(0.0, semantic)), abs=1e-6)


def test_item_similarity_is_the_fused_story_score(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    corpus = make_corpus([(_meta(k), t, NOW) for k, t in texts.items()])
    reader = ReaderSignals(
        (
            Signal("read", SignalKind.READ, NOW),
            Signal("unrelated", SignalKind.READ, NOW - HOUR),
        )
    )
    profile = build_profile(reader, corpus, NOW, CFG)
    slots = corpus.slots_of(["same_story", "unrelated2"])
    sims = item_similarity(profile, corpus, slots)
    index = corpus.index
    for j, item in enumerate(profile.items):
        slot = index.slot(item.article_id)
        assert slot is not None
        idx, raw, emb = index.slot_vector(slot)
        expected = index.exact(idx, index.weighted(idx, raw.astype(float)), emb, slots)
        assert sims[:, j] == pytest.approx(expected, abs=1e-6)
    assert sims[0, 0] > 0.5  # the same story, as read


def test_score_is_relevance_plus_boosts_times_freshness(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    corpus = make_corpus(
        [
            (
                _meta("same_story", 1, section="World", topics=frozenset({"Floods"}), story_id=7),
                texts["same_story"],
                NOW - 24 * HOUR,
            ),
            (_meta("unrelated", 2, section="Sport", story_id=8), texts["unrelated"], NOW),
            (_meta("read", 3), texts["read"], NOW - 5 * DAY),
        ]
    )
    profile = build_profile(
        ReaderSignals((Signal("read", SignalKind.READ, NOW),)), corpus, NOW, CFG
    )
    followed = Targets.of(publishers=[1], sections=["world"], topics=["floods"], stories=[7])
    slots = corpus.slots_of(["same_story", "unrelated"])
    s = score_slots(
        profile, corpus, slots, now_ts=NOW, followed=followed, top_stories={8: 2.0, 7: 1.0},
        cfg=CFG,
    )  # fmt: skip
    assert s.followed_publisher.tolist() == [True, False]
    assert s.followed_section.tolist() == [True, False]
    assert s.followed_topic.tolist() == [True, False]
    assert s.followed_story.tolist() == [True, False]
    assert s.top_story.tolist() == [0.5, 1.0]
    boost0 = (
        CFG.publisher_boost + CFG.section_boost + CFG.topic_boost + CFG.story_boost
        + CFG.top_story_boost * 0.5
    )  # fmt: skip
    assert s.boost[0] == pytest.approx(boost0)
    assert s.boost[1] == pytest.approx(CFG.top_story_boost)
    assert s.freshness.tolist() == pytest.approx([0.5, 1.0])  # 24 h = one half-life
    assert s.score == pytest.approx((s.relevance + s.boost) * s.freshness)


def test_freshness_never_exceeds_one() -> None:
    got = freshness(np.array([NOW + HOUR, NOW, NOW - 48 * HOUR]), NOW, CFG)
    assert got.tolist() == pytest.approx([1.0, 1.0, 0.25])


def test_profile_keeps_only_its_heaviest_terms(
    texts: dict[str, str], make_corpus: MakeCorpus
) -> None:
    corpus = make_corpus([(_meta(k), t, NOW) for k, t in texts.items()])
    reader = ReaderSignals(tuple(Signal(k, SignalKind.READ, NOW) for k in texts))
    full = build_profile(reader, corpus, NOW, CFG)
    cut = build_profile(reader, corpus, NOW, ForYouSettings(profile_terms=20))
    assert len(full.term_indices) > 20 == len(cut.term_indices)
    assert set(cut.term_indices.tolist()) <= set(full.term_indices.tolist())
    top = full.term_indices[np.argsort(-full.term_weights)[:20]]
    assert set(cut.term_indices.tolist()) == set(top.tolist())
    assert (np.diff(cut.term_indices) > 0).all()  # sorted, as the window index expects


@pytest.mark.parametrize(
    ("explanation", "text"),
    [
        (Explanation(ExplanationKind.BECAUSE_YOU_READ, 1, "Floods"), "Because you read “Floods”"),
        (Explanation(ExplanationKind.BECAUSE_YOU_SAVED, 1, "Floods"), "Because you saved “Floods”"),
        (Explanation(ExplanationKind.FOLLOWED_PUBLISHER, 3, "The Times"), "You follow The Times"),
        (Explanation(ExplanationKind.FOLLOWED_TOPIC, "climate", "climate"), "You follow climate"),
        (Explanation(ExplanationKind.FOLLOWED_STORY, 9), "You follow this story"),
        (Explanation(ExplanationKind.TOP_STORY, 9), "Top story right now"),
        (Explanation(ExplanationKind.YOUR_READING), "Based on your reading"),
    ],
)
def test_explanations_read_as_plain_english(explanation: Explanation, text: str) -> None:
    assert explanation.text == text
