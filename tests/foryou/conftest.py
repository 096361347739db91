"""Fixtures for the For You tests: small corpora of hand-written news checked in beside them
(tests/foryou/fixtures/news.py), and of real texts from the shared data where a test asks."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from newsstand.foryou.corpus import Corpus
from newsstand.foryou.inputs import ArticleMeta
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText
from tests.foryou.fixtures.news import SAME_EVENT, UNRELATED

NOW = 1_750_000_000.0
HOUR = 3600.0


@pytest.fixture(scope="session")
def similarity_model() -> SimilarityModel:
    """One vectoriser (WordLlama loads once) for every corpus of the session."""
    return SimilarityModel()


@dataclass(frozen=True)
class NewsTexts:
    """News as "headline + body" texts: each `same` pair is two reports of one event; each
    `unrelated` text reports an event of its own."""

    same: list[tuple[str, str]]
    unrelated: list[str]


@pytest.fixture(scope="session")
def news_texts() -> NewsTexts:
    """The hand-written news checked into tests/foryou/fixtures/."""
    return NewsTexts(same=list(SAME_EVENT), unrelated=list(UNRELATED))


@pytest.fixture(scope="session")
def semeval_texts(shared_data: Path) -> NewsTexts:
    """Real news from the SemEval-2022 English pairs (shared data): the pairs rated Overall <= 1.5
    (same story); of the first 21 pairs rated >= 3.5 (different stories), the first texts, and
    the last pair's second text: 22 unrelated texts, as in the checked-in news."""
    path = shared_data / "similarity" / "semeval2022-en" / "pairs.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        pairs = [(r["text1"], r["text2"], float(r["Overall"])) for r in csv.DictReader(fh)]
    apart = [(a, b) for a, b, overall in pairs if overall >= 3.5][:21]
    return NewsTexts(
        same=[(a, b) for a, b, overall in pairs if overall <= 1.5],
        unrelated=[a for a, _ in apart] + [apart[-1][1]],
    )


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


# --- the database adapter (foryou.live) --------------------------------------------------------


@dataclass
class News:
    """Article pairs in the database: pair i's two articles cover the same event, by two
    publishers, in section SECTIONS[i % 4] with topic TOPICS[i % 4]."""

    publishers: list[Any]
    pairs: list[tuple[Any, Any]]

    @property
    def articles(self) -> list[Any]:
        return [a for pair in self.pairs for a in pair]


SECTIONS = ("World", "Business", "Technology", "Culture")
TOPICS = ("Elections", "Markets", "Gadgets", "Film")
PUBLISHER_NAMES = (
    "The Guardian",
    "Reuters",
    "BBC News",
    "Le Monde",
    "Al Jazeera",
    "The Hindu",
    "ABC News",
    "Deutsche Welle",
    "NPR",
    "The Irish Times",
    "CBC News",
    "France 24",
)


@pytest.fixture(autouse=True)
def _corpus_checks_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus asks the database on every call here (tests/conftest.py empties it per test)."""
    from newsstand.foryou import window_cache

    monkeypatch.setattr(window_cache, "SYNC_EVERY_S", 0.0)


# In `storied_news`, the first pairs' stories are Top stories (scored).
TOP_STORY_PAIRS = 3


@pytest.fixture
def news(db: None, news_texts: NewsTexts) -> News:
    """Pairs without stories (clustering has not run): only publishers limit a page."""
    return make_news(news_texts, with_stories=False)


@pytest.fixture
def storied_news(db: None, news_texts: NewsTexts) -> News:
    """Each pair one story; the first TOP_STORY_PAIRS are Top stories."""
    return make_news(news_texts, with_stories=True)


@pytest.fixture
def apart_news(db: None, news_texts: NewsTexts) -> News:
    """Each article a story of its own: the database says the two of a pair are different
    news, so reading one may bring the other ("Because you read …")."""
    return make_news(news_texts, with_stories=True, apart=True)


def make_news(texts: NewsTexts, *, with_stories: bool, apart: bool = False) -> News:
    from django.utils import timezone

    from newsstand.articles.models import Article, ArticleTopic
    from newsstand.articles.topics import topic_slug
    from newsstand.stories.models import Story
    from tests.reader.factories import make_article, make_publisher

    publishers = [make_publisher(name) for name in PUBLISHER_NAMES]
    same = texts.same[:24]
    now = timezone.now()
    pairs = []
    for i, (text1, text2) in enumerate(same):
        made = []
        for j, text in enumerate((text1, text2)):
            parsed = ArticleText.from_combined(text)
            article = make_article(
                publishers[(i + j) % len(publishers)],
                title=parsed.title[:300] or f"Article {i}-{j}",
                section=SECTIONS[i % 4],
                topics=[TOPICS[i % 4]],
                summary="",
                content_text=parsed.body,
                content_html="".join(f"<p>{p}</p>" for p in parsed.body.split("\n") if p),
                published_at=now - timedelta(hours=1 + i, minutes=10 * j),
            )
            ArticleTopic.objects.create(
                article=article, slug=topic_slug(TOPICS[i % 4]), name=TOPICS[i % 4]
            )
            made.append(article)
        pairs.append((made[0], made[1]))
    if with_stories and apart:
        for article in (a for pair in pairs for a in pair):
            story = Story.objects.create(
                headline=article.title,
                representative=article,
                article_count=1,
                publisher_count=1,
                last_updated_at=article.published_at,
            )
            Article.objects.filter(pk=article.pk).update(story=story)
            article.story_id = story.pk
    elif with_stories:
        for i, (a, b) in enumerate(pairs):
            story = Story.objects.create(
                headline=a.title,
                representative=a,
                article_count=2,
                publisher_count=2,
                last_updated_at=a.published_at,
                score=float(len(pairs) - i) if i < TOP_STORY_PAIRS else 0.0,
            )
            Article.objects.filter(pk__in=[a.pk, b.pk]).update(story=story)
            a.story_id = b.story_id = story.pk
    return News(publishers=publishers, pairs=pairs)
