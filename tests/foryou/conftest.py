"""Fixtures for the For You tests: small corpora of real texts from the shared data."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ArticleMeta
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText

NOW = 1_750_000_000.0
HOUR = 3600.0


@pytest.fixture(scope="session")
def similarity_model() -> SimilarityModel:
    """One vectoriser (WordLlama loads once) for every corpus of the session."""
    return SimilarityModel()


@pytest.fixture(scope="session")
def semeval_pairs(shared_data: Path) -> list[tuple[str, str, float]]:
    """(text1, text2, Overall) of the SemEval-2022 English pairs; Overall 1 = same story."""
    path = shared_data / "similarity" / "semeval2022-en" / "pairs.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["text1"], r["text2"], float(r["Overall"])) for r in csv.DictReader(fh)]


MakeCorpus = Callable[[Sequence[tuple[ArticleMeta, str, float]]], Corpus]


@pytest.fixture
def make_corpus(similarity_model: SimilarityModel) -> MakeCorpus:
    """Build a corpus from (meta, "headline + body" text, published_ts) triples.

    Each corpus gets its own window index (and so its own IDF); the model is shared only for its
    embedding backend, which has no state.
    """

    def build(items: Sequence[tuple[ArticleMeta, str, float]]) -> Corpus:
        model = SimilarityModel(similarity_model.backend)
        return Corpus.from_texts(
            [(m, ArticleText.from_combined(t), ts) for m, t, ts in items], model=model
        )

    return build
