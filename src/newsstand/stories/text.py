"""Pure text helpers shared by story similarity and wire-copy detection.

Nothing here touches the database or a model: an article is its title and body text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# When only one combined string is given (the `similarity` command), a first line this short is
# taken as the headline; longer first lines are body text that happens to have no line break.
MAX_TITLE_CHARS = 300
# With no line break, the headline and the start of the lede run together; this many leading
# words stand in for "the headline" (news headlines are ~10 words, ledes ~25).
LEAD_WORDS = 30

_WORD = re.compile(r"\w+")
# A capitalised word or a number: a cheap stand-in for named entities (people, places,
# organisations, scores, amounts), which are what distinguishes one event from another.
_ENTITY = re.compile(r"[A-Z]|\d")
_SENTENCE_SPLIT = re.compile(r"[.!?;:|\n]+|\s[-\u2013\u2014]+\s")

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What similarity needs from an article: headline and body text (the body may repeat it)."""

    title: str
    body: str

    @classmethod
    def from_combined(cls, text: str) -> ArticleText:
        """Split one "headline + body" string as feeds, CSV exports and SemEval pairs give it.

        A short first line is the headline. Without a line break the first `LEAD_WORDS` words
        (headline and lede, by the inverted pyramid) play the headline's part.
        """
        text = (text or "").strip()
        first, sep, _rest = text.partition("\n")
        if sep and 0 < len(first.strip()) <= MAX_TITLE_CHARS:
            return cls(title=first.strip(), body=text)
        return cls(title=" ".join(text.split()[:LEAD_WORDS]), body=text)

    @property
    def full(self) -> str:
        """Title and body as one string, without repeating a title the body already starts with."""
        body = self.body.strip()
        title = self.title.strip()
        if not title or body.startswith(title):
            return body
        return f"{title}\n{body}" if body else title

    @property
    def title_weighted(self) -> str:
        """The headline twice, then the body: how much more the headline says about the event."""
        return f"{self.title}\n{self.full}" if self.title.strip() else self.full


def fold(text: str) -> str:
    """NFKC, typographic quotes and dashes to ASCII; case kept (entities need it)."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def entity_terms(text: str) -> set[str]:
    """Lower-cased tokens of `text` that look like names or numbers.

    A capitalised word counts only when it does not open a sentence, line or dash-separated
    clause, so "The" or "But" after a full stop stay ordinary words; a word seen capitalised
    anywhere mid-sentence counts everywhere.
    """
    found: set[str] = set()
    for sentence in _SENTENCE_SPLIT.split(unicodedata.normalize("NFKC", text)):
        toks = _WORD.findall(sentence)
        if toks and toks[0][0].isdigit():
            found.add(toks[0])
        found.update(t.lower() for t in toks[1:] if _ENTITY.match(t))
    return found - ENGLISH_STOP_WORDS


def term_weights(article: ArticleText, *, entity_boost: float) -> dict[str, float]:
    """Sublinear term frequencies of the title-weighted text, stop words out, entities boosted.

    1 + ln(count) keeps a word repeated ten times from drowning the rest (sklearn's
    `sublinear_tf`); the IDF is applied later, by whoever knows the corpus.
    """
    text = article.title_weighted
    counts = Counter(_WORD.findall(unicodedata.normalize("NFKC", text).lower()))
    entities = entity_terms(text)
    out: dict[str, float] = {}
    for term, count in counts.items():
        if term in ENGLISH_STOP_WORDS or (len(term) < 2 and not term.isdigit()):
            continue
        weight = 1.0 + math.log(count)
        out[term] = weight * entity_boost if term in entities else weight
    return out


def shingle_tokens(text: str) -> list[str]:
    """Case- and punctuation-free word tokens for copy detection."""
    return [t.casefold() for t in _WORD.findall(fold(text))]
