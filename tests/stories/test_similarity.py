from __future__ import annotations

import numpy as np
import pytest

from newsstand.stories import embeddings
from newsstand.stories.embeddings import NullBackend, get_backend
from newsstand.stories.similarity import SimilarityModel, score_texts
from newsstand.stories.text import ArticleText, entity_terms

from .texts import CHIPS, FLOOD_A, FLOOD_B, RECIPE


@pytest.fixture(scope="module")
def model() -> SimilarityModel:
    return SimilarityModel()


def test_same_event_scores_above_unrelated() -> None:
    same, unrelated, other = score_texts([(FLOOD_A, FLOOD_B), (FLOOD_A, CHIPS), (CHIPS, RECIPE)])
    assert 0.0 <= unrelated < same <= 1.0
    assert same > 0.5
    assert other < same


@pytest.mark.parametrize("backend", [None, NullBackend()], ids=["configured", "no-embedding"])
def test_ordering_holds_with_and_without_embeddings(backend: NullBackend | None) -> None:
    scores = score_texts([(FLOOD_A, FLOOD_B), (FLOOD_A, RECIPE)], backend=backend)
    assert scores[0] > scores[1] + 0.2


def test_identical_texts_score_one(model: SimilarityModel) -> None:
    a, b, _ = model.vectorize([ArticleText.from_combined(FLOOD_A)] * 2 + [ArticleText("", "")])
    model.add("x", a)
    assert model.score(a, b) == pytest.approx(1.0, abs=1e-5)
    model.remove("x")


def test_incremental_idf_and_neighbours() -> None:
    model = SimilarityModel()
    vecs = model.vectorize([ArticleText.from_combined(t) for t in (FLOOD_A, CHIPS, RECIPE)])
    for doc_id, vec in zip(("flood", "chips", "recipe"), vecs, strict=True):
        model.add(doc_id, vec)
    assert model.n_docs == 3
    (query,) = model.vectorize([ArticleText.from_combined(FLOOD_B)])
    ranked = model.neighbours(query, k=2)
    assert next(doc_id for doc_id, _ in ranked) == "flood"
    assert len(ranked) == 2
    assert ranked[0][1] == pytest.approx(model.score(query, vecs[0]))
    model.remove("flood")
    model.remove("flood")  # unknown ids are ignored
    assert model.n_docs == 2
    assert "flood" not in [doc_id for doc_id, _ in model.neighbours(query, k=5)]
    # A term that left the window with its only document gets back the maximum IDF.
    assert int(model._df.sum()) == sum(len(v.indices) for v in vecs[1:])


def test_combined_text_splits_headline() -> None:
    art = ArticleText.from_combined("Short headline\nBody text here.")
    assert art.title == "Short headline"
    one_line = ArticleText.from_combined(" ".join(["word"] * 50))
    assert len(one_line.title.split()) == 30


def test_entities_skip_sentence_starts() -> None:
    found = entity_terms("The mayor met Maria Catala. Then 12 people left. But Valencia waited.")
    assert {"maria", "catala", "12", "valencia"} <= found
    assert not {"the", "then", "but"} & found


def test_unknown_backend_setting_falls_back_to_lexical(settings, caplog) -> None:
    settings.NEWSSTAND_EMBEDDING_BACKEND = "newsstand.stories.embeddings.NoSuchBackend"
    embeddings._cached.pop(settings.NEWSSTAND_EMBEDDING_BACKEND, None)
    backend = get_backend()
    assert isinstance(backend, NullBackend)
    assert "unavailable" in caplog.text
    assert SimilarityModel(backend).embedding_weight == 0.0
    assert backend.embed(["a", "b"]).shape == (2, 0)


def test_scores_are_finite_for_empty_texts() -> None:
    scores = score_texts([("", ""), (FLOOD_A, "")])
    assert all(np.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
