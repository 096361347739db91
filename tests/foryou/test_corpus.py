from __future__ import annotations

import numpy as np

from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ArticleMeta, Targets
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText
from newsstand.stories.window import WindowIndex

from .conftest import NOW, MakeCorpus

TEXTS = [
    "Harbour closes as storm nears\nThe port authority shut the harbour on Monday.",
    "Chip maker opens plant\nA new factory will employ 2,000 people from next year.",
    "Cup final goes to penalties\nThe final ended 2-2 after extra time in the capital.",
    "Bank holds rates\nThe central bank kept its main rate at 4 percent on Thursday.",
]


def _meta(i: int, story: int, section: str = "World", topic: str = "Weather") -> ArticleMeta:
    return ArticleMeta(
        id=i, publisher_id=i % 2, section=section, topics=frozenset({topic}), story_id=story
    )


def test_columns_follow_the_index_as_it_grows_and_compacts(
    similarity_model: SimilarityModel,
) -> None:
    model = SimilarityModel(similarity_model.backend)
    index = WindowIndex(model)
    corpus = Corpus(index)
    size = 1200  # the index compacts only past 1,024 slots
    corpus.set_meta(_meta(i, story=i) for i in range(size))
    four = model.vectorize([ArticleText.from_combined(t) for t in TEXTS])
    vectors = [four[i % 4] for i in range(size)]
    index.add_many(list(range(100)), vectors[:100], [NOW] * 100)
    assert corpus.sync() == 100
    assert corpus.story_mask([5, 150], 100).sum() == 1
    for i in range(100, size):  # the stories cache adds one article at a time
        index.add(i, vectors[i], NOW)
    n = corpus.sync()
    assert n == size
    assert np.flatnonzero(corpus.story_mask([5, 150], n)).tolist() == [5, 150]
    # Removing most articles makes the index renumber its slots: the columns are rebuilt.
    for i in range(0, 1000):
        index.remove(i)
    n = corpus.sync()
    assert n == len(index.ids) < size  # renumbered
    assert [corpus.index.ids[s] for s in np.flatnonzero(corpus.story_mask([1190], n))] == [1190]
    usable = np.flatnonzero(corpus.usable(n))
    assert sorted(corpus.index.ids[s] for s in usable) == list(range(1000, size))


def test_metadata_changes_are_seen(make_corpus: MakeCorpus) -> None:
    corpus = make_corpus([(_meta(i, story=1), TEXTS[i], NOW) for i in range(4)])
    n = corpus.sync()
    assert corpus.story_mask([1], n).all()
    corpus.set_meta([_meta(2, story=7)])  # repair moved article 2 to another story
    assert np.flatnonzero(corpus.story_mask([7], n)).tolist() == [corpus.index.slot(2)]


def test_articles_without_metadata_are_never_usable(similarity_model: SimilarityModel) -> None:
    model = SimilarityModel(similarity_model.backend)
    corpus = Corpus(WindowIndex(model), {0: _meta(0, story=0)})
    vectors = model.vectorize([ArticleText.from_combined(t) for t in TEXTS[:2]])
    corpus.index.add_many([0, 1], vectors, [NOW, NOW])
    assert corpus.usable(corpus.sync()).tolist() == [True, False]


def test_labels_match_whatever_their_case_and_spacing(make_corpus: MakeCorpus) -> None:
    corpus = make_corpus(
        [
            (_meta(0, 0, section="World  News", topic="Climate Change"), TEXTS[0], NOW),
            (_meta(1, 1, section="Sport", topic="Football"), TEXTS[2], NOW),
        ]
    )
    n = corpus.sync()
    assert corpus.section_mask(["world news"], n).tolist() == [True, False]
    assert corpus.topic_mask(["CLIMATE change"], n).tolist() == [True, False]
    follows = corpus.followed_at(
        Targets.of(sections=["sport"], topics=["football"]), np.array([1, 0])
    )
    assert follows["section"].tolist() == [True, False]
    assert follows["topic"].tolist() == [True, False]
    assert follows["publisher"].tolist() == [False, False]
