"""What a reader typed, read into words, phrases and exclusions: never an error, whatever it is.

The backends never see the raw text. They build their own query language (FTS5 MATCH, tsquery)
from a `ParsedQuery`, whose words are runs of letters and digits only, so no operator, quote,
bracket, NUL byte or `NEAR(` typed by a reader can reach the database's query parser.

Syntax, the same on every backend:
- words: all of them must match (stemmed: "elections" finds "election");
- "a phrase": the words in this order; a word with inner punctuation ("covid-19", "don't")
  is a phrase of its parts;
- -word or -"a phrase": leave out articles that contain it;
- very common English words (PostgreSQL's Snowball list) are left out of a query that has
  other words, as PostgreSQL does in its index; a query of nothing else is refused with a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Input beyond this is ignored, and the page says so.
MAX_QUERY_CHARS = 300
# Words across terms and phrases; more make no better query and only cost.
MAX_WORDS = 12
MAX_WORD_CHARS = 64
# A search-as-you-type prefix shorter than this would match most of the vocabulary.
MIN_PREFIX_CHARS = 2

# PostgreSQL's english.stop (Snowball's English stop word list): what its `english`
# configuration leaves out of the index, so SQLite queries leave out the same words.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few more most other
    some such no nor not only own same so than too very s t can will just don should now
    """.split()  # noqa: SIM905 - the list as PostgreSQL's file has it, easy to compare
)

# A chunk of input: an optional "-", then a quoted phrase (closing quote optional: a reader may
# still be typing it) or a run of anything but spaces and quotes.
_CHUNK = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+))')
# A word is what FTS5's unicode61 tokenizer keeps: letters and digits (not "_", a separator).
_WORD = re.compile(r"[^\W_]+")
# NUL and other control or format characters: never part of a word, and PostgreSQL refuses NUL.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query as words. Every word is lower-case letters and digits only."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    # Search-as-you-type: the last word, still being typed, matches as a prefix.
    prefix: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (exclusions alone select nothing)."""
        return not (self.terms or self.phrases or self.prefix)

    @property
    def positive_words(self) -> tuple[str, ...]:
        """Every word a match contains: what snippets highlight."""
        words = list(self.terms)
        for phrase in self.phrases:
            words.extend(phrase)
        if self.prefix:
            words.append(self.prefix)
        return tuple(dict.fromkeys(words))

    def as_text(self) -> str:
        """The query as it was understood, in the syntax above."""
        parts = list(self.terms)
        parts += [f'"{" ".join(p)}"' for p in self.phrases]
        parts += [f'-"{" ".join(p)}"' if len(p) > 1 else f"-{p[0]}" for p in self.excluded]
        if self.prefix:
            parts.append(self.prefix)
        return " ".join(parts)


def clean_text(raw: str) -> str:
    """Normalise (NFKC) and drop control characters, NUL included."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(" " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text)


def parse_query(raw: str, *, prefix_last: bool = False) -> ParsedQuery:
    """Read `raw` as the syntax in the module docstring.

    `prefix_last`: the last bare word, when the text does not end in a space, is a prefix
    (search-as-you-type).
    """
    notes: list[str] = []
    if len(raw) > MAX_QUERY_CHARS:
        raw = raw[:MAX_QUERY_CHARS]
        notes.append(f"Only the first {MAX_QUERY_CHARS} characters were searched.")
    text = clean_text(raw)
    typing_last_word = prefix_last and bool(text) and not text[-1].isspace()

    positive: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    last_bare: tuple[str, ...] | None = None
    for match in _CHUNK.finditer(text):
        chunk = match.group("phrase") if match.group("phrase") is not None else match["bare"]
        words = tuple(w[:MAX_WORD_CHARS] for w in _WORD.findall(chunk.casefold()))
        if not words:
            continue
        if match.group("neg"):
            excluded.append(words)
            last_bare = None
        else:
            positive.append(words)
            last_bare = words if match.group("bare") is not None else None

    prefix = ""
    if typing_last_word and last_bare is not None and positive and positive[-1] is last_bare:
        positive.pop()
        *rest, prefix = last_bare
        if rest:
            positive.append(tuple(rest))
        if len(prefix) < MIN_PREFIX_CHARS:
            prefix = ""

    positive, excluded = _cap_words(positive, excluded, prefix, notes)
    terms = list(dict.fromkeys(w[0] for w in positive if len(w) == 1))
    phrases = list(dict.fromkeys(w for w in positive if len(w) > 1))

    # Common words alone or as a whole phrase are left out, as PostgreSQL's index leaves them.
    dropped = [t for t in terms if t in STOP_WORDS]
    dropped += [" ".join(p) for p in phrases if all(w in STOP_WORDS for w in p)]
    if dropped:
        terms = [t for t in terms if t not in STOP_WORDS]
        phrases = [p for p in phrases if not all(w in STOP_WORDS for w in p)]
        if terms or phrases or prefix:
            notes.append("Left out very common words: " + ", ".join(dropped) + ".")
        else:
            notes.append(
                "Only very common words (" + ", ".join(dropped) + "): add a more specific word."
            )
    if excluded and not (terms or phrases or prefix):
        notes.append("Add a word to look for: -word only leaves words out.")
    return ParsedQuery(
        terms=tuple(terms),
        phrases=tuple(phrases),
        excluded=tuple(dict.fromkeys(excluded)),
        prefix=prefix,
        notes=tuple(notes),
    )


def _cap_words(
    positive: list[tuple[str, ...]],
    excluded: list[tuple[str, ...]],
    prefix: str,
    notes: list[str],
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Keep the first MAX_WORDS words (the prefix counts as one), in the order typed."""
    budget = MAX_WORDS - (1 if prefix else 0)
    kept_pos: list[tuple[str, ...]] = []
    kept_neg: list[tuple[str, ...]] = []
    total = sum(len(w) for w in positive) + sum(len(w) for w in excluded)
    for group, kept in ((positive, kept_pos), (excluded, kept_neg)):
        for words in group:
            if budget <= 0:
                break
            kept.append(words[:budget])
            budget -= len(kept[-1])
    if total + (1 if prefix else 0) > MAX_WORDS:
        notes.append(f"Only the first {MAX_WORDS} words were searched.")
    return kept_pos, kept_neg
