from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from newsstand.foryou import candidates as cand
from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.corpus import Corpus
from newsstand.foryou.feed import Feed, build_feed, diversify
from newsstand.foryou.inputs import (
    ArticleMeta,
    FollowSet,
    ReaderSignals,
    Signal,
    SignalKind,
    Targets,
)
from newsstand.foryou.model import ExplanationKind, build_profile
from newsstand.stories.text import ArticleText

from .conftest import HOUR, NOW, MakeCorpus, NewsTexts

SECTIONS = ["World", "Sport", "Business"]
CFG = ForYouSettings()
NEAR_TIE = 0.05  # of exact score (0..~1.5): see test_candidates_hold_what_the_exact_ranker_…


@pytest.fixture(params=["checked-in", "semeval"])
def texts(request: pytest.FixtureRequest) -> NewsTexts:
    """Each test runs on the hand-written news, and again on real news where the shared data is."""
    name = "news_texts" if request.param == "checked-in" else "semeval_texts"
    texts: NewsTexts = request.getfixturevalue(name)
    return texts


@pytest.fixture
def corpus(texts: NewsTexts, make_corpus: MakeCorpus) -> Corpus:
    """Window: 12 articles "s0".."s11" that each continue a story a reader may have read
    ("r0".."r11", four days old, outside the candidate window), 20 unrelated ones "o0".."o19",
    "dup" in o0's story, and "stale" (published five days ago)."""
    items: list[tuple[ArticleMeta, str, float]] = []
    for i, (read, follow_up) in enumerate(texts.same[:12]):
        items.append(
            (_meta(f"r{i}", 9, "World", f"topic{i % 4}", f"read{i}"), read, NOW - 96 * HOUR)
        )
        items.append(
            (_meta(f"s{i}", i % 4, SECTIONS[i % 3], f"topic{i % 4}", i), follow_up, NOW - i * HOUR)
        )
    for j, text in enumerate(texts.unrelated[:20]):
        items.append(
            (
                _meta(f"o{j}", 4 + j % 4, SECTIONS[j % 3], f"topic{j % 5}", 100 + j),
                text,
                NOW - 2 * j * HOUR,
            )
        )
    items.append((_meta("dup", 8, "World", "topic0", 100), texts.unrelated[21], NOW - HOUR))
    items.append((_meta("stale", 0, "World", "topic0", 999), texts.unrelated[20], NOW - 120 * HOUR))
    return make_corpus(items)


def _meta(i: str, publisher: int, section: str, topic: str, story: object) -> ArticleMeta:
    return ArticleMeta(
        id=i,
        publisher_id=publisher,
        publisher_name=f"Publisher {publisher}",
        title=f"Headline {i}",
        section=section,
        topics=frozenset({topic}),
        story_id=story,
    )


def _reads(*ids: str, kind: SignalKind = SignalKind.READ) -> ReaderSignals:
    return ReaderSignals(tuple(Signal(i, kind, NOW - k * HOUR) for k, i in enumerate(ids)))


def _ids(feed: Feed) -> list[object]:
    return [i.article_id for i in feed.items]


def test_what_continues_the_readers_stories_comes_first_and_says_why(corpus: Corpus) -> None:
    feed = build_feed(_reads("r0", "r1", "r2"), FollowSet(), corpus, now_ts=NOW, cfg=CFG)
    top = _ids(feed)[:3]
    assert set(top) == {"s0", "s1", "s2"}
    for item in feed.items[:3]:
        reason = item.reason
        assert reason is not None and reason.kind is ExplanationKind.BECAUSE_YOU_READ
        assert reason.target == "r" + str(item.article_id)[1:]
        assert reason.text == f"Because you read “Headline {reason.target}”"
        assert reason.similarity >= CFG.explain_min_similarity
    assert feed.profile_articles == 3
    # Best first, then what a publisher's cap held back (the window has few publishers), in
    # its own order.
    scores = [i.score for i in feed.items]
    rises = [k for k in range(1, len(scores)) if scores[k] > scores[k - 1]]
    assert len(rises) <= 1
    cut = rises[0] if rises else len(scores)
    for run in (scores[:cut], scores[cut:]):
        assert run == sorted(run, reverse=True)


def test_a_saved_article_is_said_to_be_saved(corpus: Corpus) -> None:
    feed = build_feed(_reads("r4", kind=SignalKind.SAVED), FollowSet(), corpus, now_ts=NOW, cfg=CFG)
    first = feed.items[0]
    assert first.article_id == "s4"
    assert first.reason is not None and first.reason.kind is ExplanationKind.BECAUSE_YOU_SAVED


def test_read_stale_and_unindexed_articles_never_appear(corpus: Corpus) -> None:
    reader = _reads("s0", "o1", "r3")
    feed = build_feed(reader, FollowSet(), corpus, now_ts=NOW, cfg=ForYouSettings(page_size=100))
    ids = set(_ids(feed))
    assert not ids & {"s0", "o1", "r3", "stale"}
    assert not any(str(i).startswith("r") for i in ids)  # older than candidate_hours


@pytest.mark.parametrize(
    "muted",
    [
        Targets.of(publishers=[0, 1]),
        Targets.of(sections=["WORLD "]),
        Targets.of(topics=["Topic1", "topic2"]),
        Targets.of(stories=[0, 1, 2]),
    ],
    ids=["publishers", "section", "topics", "stories"],
)
def test_muted_things_never_appear(corpus: Corpus, muted: Targets) -> None:
    # Following what is muted too, and reading its stories: mute still wins.
    follows = FollowSet(followed=muted, muted=muted)
    feed = build_feed(
        _reads("r0", "r1", "r2", "r3"),
        follows,
        corpus,
        now_ts=NOW,
        top_stories={0: 5.0, 1: 4.0, 2: 3.0},
        cfg=ForYouSettings(page_size=100, max_per_publisher=100),
    )
    assert feed.items
    for item in feed.items:
        m = corpus.meta[item.article_id]
        assert m.publisher_id not in muted.publishers
        assert m.section.casefold() not in muted.sections
        assert not {t.casefold() for t in m.topics} & muted.topics
        assert m.story_id not in muted.stories


def test_mutes_hold_for_random_readers(corpus: Corpus) -> None:
    rng = random.Random(11)
    reads = [f"r{i}" for i in range(12)]
    for _ in range(25):
        muted = Targets.of(
            publishers=rng.sample(range(10), 3),
            sections=rng.sample(SECTIONS, 1),
            topics=[f"topic{rng.randrange(5)}"],
            stories=rng.sample([*range(12), *range(100, 120)], 4),
        )
        followed = Targets.of(publishers=rng.sample(range(10), 3), topics=["topic3"])
        feed = build_feed(
            _reads(*rng.sample(reads, 4)),
            FollowSet(followed, muted),
            corpus,
            now_ts=NOW,
            top_stories={s: rng.random() for s in rng.sample(range(100, 120), 5)},
            cfg=CFG,
        )
        for item in feed.items:
            m = corpus.meta[item.article_id]
            assert m.publisher_id not in muted.publishers
            assert m.section.casefold() not in muted.sections
            assert not {t.casefold() for t in m.topics} & muted.topics
            assert m.story_id not in muted.stories


def test_at_most_n_per_publisher_while_others_have_articles_and_one_per_story(
    corpus: Corpus,
) -> None:
    reader = _reads(*[f"r{i}" for i in range(12)])
    follows = FollowSet(followed=Targets.of(publishers=range(10)))
    # Nine publishers, two each: a page of 16 is full without going past the cap.
    short = build_feed(
        reader, follows, corpus, now_ts=NOW, cfg=ForYouSettings(max_per_publisher=2, page_size=16)
    )
    assert len(short.items) == 16
    assert max(Counter(corpus.meta[i].publisher_id for i in _ids(short)).values()) == 2
    # A longer page takes what the cap held back, after everything else, rather than stop.
    feed = build_feed(
        reader, follows, corpus, now_ts=NOW, cfg=ForYouSettings(max_per_publisher=2, page_size=100)
    )
    ids = _ids(feed)
    assert ids[:16] == _ids(short)
    assert len(ids) > 16
    stories = Counter(corpus.meta[i].story_id for i in ids)
    assert max(stories.values()) == 1
    assert not {"o0", "dup"} <= set(ids)  # the same story, once


def test_diversify_walks_the_ranking_in_order() -> None:
    publishers = np.array([0, 0, 0, 1, 1, -1, -1])
    stories = np.array([10, 11, 12, 10, 13, -1, -1])
    order = np.arange(7)
    # 2 waits for the others (publisher 0 has had two), 3 is story 10 again.
    assert diversify(order, publishers, stories, max_per_publisher=2, limit=10) == [
        0,
        1,
        4,
        5,
        6,
        2,
    ]
    assert diversify(order, publishers, stories, max_per_publisher=1, limit=2) == [0, 4]
    skip = lambda positions: np.array([p == 4 for p in positions])  # noqa: E731
    assert diversify(order, publishers, stories, max_per_publisher=1, limit=3, skip=skip) == [
        0,
        5,
        6,
    ]


def test_a_new_reader_gets_the_top_stories(corpus: Corpus) -> None:
    feed = build_feed(
        ReaderSignals(), FollowSet(), corpus, now_ts=NOW, top_stories={100: 3.0, 5: 2.0, 7: 1.0}
    )
    assert _ids(feed) == ["o0", "s5", "s7"]  # o0 is fresher than "dup", in the same story
    for item in feed.items:
        assert item.reason is not None and item.reason.kind is ExplanationKind.TOP_STORY
        assert item.reason.text == "Top story right now"
    assert feed.profile_articles == 0


def test_follows_bring_articles_and_say_so(corpus: Corpus) -> None:
    follows = FollowSet(
        followed=Targets.of(publishers=[5], sections=[], topics=["TOPIC4"], stories=[3])
    )
    feed = build_feed(
        ReaderSignals(), follows, corpus, now_ts=NOW, cfg=ForYouSettings(page_size=50)
    )
    kinds = {i.article_id: [r.kind for r in i.reasons] for i in feed.items}
    assert kinds["s3"][0] is ExplanationKind.FOLLOWED_STORY
    from_publisher_5 = [i for i in feed.items if corpus.meta[i.article_id].publisher_id == 5]
    assert from_publisher_5
    for item in from_publisher_5:
        texts = [r.text for r in item.reasons]
        assert "You follow Publisher 5" in texts
    with_topic = [i for i in feed.items if "topic4" in corpus.meta[i.article_id].topics]
    assert with_topic
    assert all("You follow topic4" in [r.text for r in i.reasons] for i in with_topic)
    # Nothing followed or read: nothing else is a candidate.
    for item in feed.items:
        m = corpus.meta[item.article_id]
        assert m.publisher_id == 5 or "topic4" in m.topics or m.story_id == 3


def test_fresher_wins_between_equals(corpus: Corpus, make_corpus: MakeCorpus) -> None:
    text = "Storm closes harbour\nThe harbour closed on Monday as the storm arrived in the bay."
    twins = make_corpus(
        [
            (_meta("older", 1, "World", "t", "a"), text, NOW - 10 * HOUR),
            (_meta("newer", 2, "World", "t", "b"), text, NOW - 1 * HOUR),
        ]
    )
    feed = build_feed(
        ReaderSignals(), FollowSet(Targets.of(sections=["world"])), twins, now_ts=NOW, cfg=CFG
    )
    assert _ids(feed) == ["newer", "older"]
    assert feed.items[0].freshness > feed.items[1].freshness


def test_candidates_come_from_every_source(corpus: Corpus) -> None:
    reader = _reads("r0", "r1")
    follows = FollowSet(followed=Targets.of(publishers=[7]))
    profile = build_profile(reader, corpus, NOW, CFG)
    eligible = cand.eligible_mask(corpus, follows, now_ts=NOW, exclude=reader.article_ids, cfg=CFG)
    found = cand.gather(
        profile, corpus, follows, eligible, now_ts=NOW, top_stories={11: 1.0}, cfg=CFG
    )

    def ids(slots: np.ndarray) -> set[object]:
        return {corpus.index.ids[int(s)] for s in slots}

    assert ids(found.from_source(cand.Source.FOLLOWED)) == {
        i for i, m in corpus.meta.items() if m.publisher_id == 7 and i != "stale"
    }
    assert ids(found.from_source(cand.Source.TOP)) == {"s11"}
    assert {"s0", "s1"} <= ids(found.from_source(cand.Source.SIMILAR))
    assert {"s0", "s1"} <= ids(found.from_source(cand.Source.SEED))
    assert eligible[found.slots].all()


def test_only_the_newest_articles_of_each_top_story_are_candidates() -> None:
    slots = np.array([0, 1, 2, 3, 4, 5, 6])
    stories = np.array([7, 7, 7, 8, 8, 7, 9])
    ts = np.array([1.0, 5.0, 3.0, 2.0, 1.0, 4.0, 0.0])
    got = cand._newest_per_story(slots, stories, ts, 2)
    assert sorted(got.tolist()) == [1, 3, 4, 5, 6]


def test_signals_outside_the_window_bring_their_vectors(texts: NewsTexts, corpus: Corpus) -> None:
    (vector,) = corpus.vectorize([ArticleText.from_combined(texts.same[6][0])])
    reader = ReaderSignals(
        (
            Signal(
                "read-long-ago",
                SignalKind.READ,
                NOW - 40 * 24 * HOUR,
                title="Old one",
                vector=vector,
            ),
        )
    )
    feed = build_feed(reader, FollowSet(), corpus, now_ts=NOW, cfg=CFG)
    assert feed.items[0].article_id == "s6"
    assert feed.items[0].reasons[0].text == "Because you read “Old one”"


def test_candidates_hold_what_the_exact_ranker_would_put_on_top(corpus: Corpus) -> None:
    """Scoring every eligible article and scoring only the candidates agree on the top, even
    with candidate pools far smaller than the window.

    They agree up to near ties in the last places: the shortlist leaves out the lexical share
    of the score, so an article that shares a word or two with the reader's reads ("mill",
    "maker") can edge out another by a few hundredths; in 300 random readers that changed the
    fifth place for 3% of them on the SemEval texts and 9% on the hand-written ones, by at most
    0.035. A missed article the reader has a reason to see would cost far more.
    """
    from newsstand.foryou.model import score_slots

    cfg = ForYouSettings(
        similar_candidates=6, followed_candidates=4, seed_signals=1, seed_neighbours=2
    )
    rng = random.Random(5)
    for _ in range(10):
        reader = _reads(*rng.sample([f"r{i}" for i in range(12)], 3))
        follows = FollowSet(Targets.of(publishers=rng.sample(range(10), 2), topics=["topic1"]))
        top = {s: rng.random() for s in rng.sample(range(100, 120), 3)}
        profile = build_profile(reader, corpus, NOW, cfg)
        eligible = cand.eligible_mask(
            corpus, follows, now_ts=NOW, exclude=reader.article_ids, cfg=cfg
        )
        everything = np.flatnonzero(eligible)
        exact = score_slots(
            profile, corpus, everything, now_ts=NOW, followed=follows.followed,
            top_stories=top, cfg=cfg,
        )  # fmt: skip
        found = cand.gather(
            profile, corpus, follows, eligible, now_ts=NOW, top_stories=top, cfg=cfg
        )
        assert len(found) < len(everything)
        best = np.sort(exact.score)[::-1][:5]
        best_found = np.sort(exact.score[np.isin(everything, found.slots)])[::-1][:5]
        assert best_found == pytest.approx(best, abs=NEAR_TIE)
