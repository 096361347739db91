"""A search result's snippet: the text the gate lets the reader see, the reader's words marked.

The gate: full text is for members (`has_full_access`). What a snippet may quote is decided in
searching.py: the body for members, and for everyone else the public text they were matched
against (search/public.py: the summary's first words and the gate's teaser), so a snippet never
quotes what the reader could not have found.

Snippets are made here, from that text, and not by the database's own highlighter (FTS5
snippet(), ts_headline): those can only quote indexed columns, so a non-member snippet could
not be proven to come from the teaser alone. Highlighting is stem-aware (Snowball, as the
indexes stem) and escapes everything it does not mark.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsstand.search.query import ParsedQuery

SNIPPET_CHARS = 260
# Context kept before the first marked word of a snippet cut from the middle of a body.
LEAD_IN_CHARS = 60
# Bodies can be long; past this many matches a better window is not worth looking for.
MAX_MATCHES_SCANNED = 200
ELLIPSIS = "…"

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


class _FoldTable(dict[int, str]):
    """str.translate table: a character to its lower-case base letter ("É" to "e"), filled as
    characters are met. Only one-for-one replacements, so offsets in the folded text are
    offsets in the original."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        folded = base if len(base) == 1 else char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents, as FTS5's `remove_diacritics` (and unaccent) see words."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Highlighter:
    """Marks the words of a query in text: same stem as a query word, or the prefix typed."""

    stems: frozenset[str]
    prefix: str
    # Finds candidate words in folded text fast (a body can be hundreds of kilobytes);
    # `_is_match` decides.
    candidates: re.Pattern[str] | None

    def _is_match(self, folded_word: str) -> bool:
        if self.prefix and folded_word.startswith(self.prefix):
            return True
        return _stemmer().stemWord(folded_word) in self.stems

    def _matches(self, text: str, limit: int | None = None) -> list[tuple[int, int]]:
        if self.candidates is None:
            return []
        spans: list[tuple[int, int]] = []
        for m in self.candidates.finditer(fold(text)):
            if self._is_match(m.group()):
                spans.append(m.span())
                if limit is not None and len(spans) >= limit:
                    break
        return spans

    def mark(self, text: str) -> SafeString:
        """All of `text`, escaped, with every matching word in <mark>."""
        return _render(text, self._matches(text), 0, len(text))

    def snippet(self, text: str, max_chars: int = SNIPPET_CHARS) -> SafeString:
        """At most `max_chars` of `text` (and ellipses), around the densest run of matches."""
        text = " ".join(text.split())
        if len(text) <= max_chars:
            return self.mark(text)
        spans = self._matches(text, limit=MAX_MATCHES_SCANNED)
        start = _best_start(text, spans, max_chars)
        end = _word_end(text, start + max_chars)
        inside = [s for s in spans if s[0] >= start and s[1] <= end]
        return _render(text, inside, start, end)


def make_highlighter(query: ParsedQuery) -> Highlighter:
    stems = frozenset(_stemmer().stemWord(fold(w)) for w in query.positive_words if w)
    prefix = fold(query.prefix)
    # A candidate shares its first letters with a stem or the prefix; stems can be shorter
    # than the word they come from ("happi" for "happy"), so only the common lead is required.
    leads = {s[: max(1, min(len(s), 4))] for s in stems if s} | ({prefix} if prefix else set())
    if not leads:
        return Highlighter(stems, prefix, None)
    alternatives = "|".join(re.escape(lead) for lead in sorted(leads, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")
    return Highlighter(stems, prefix, pattern)


def _best_start(text: str, spans: list[tuple[int, int]], max_chars: int) -> int:
    """Where a `max_chars` window holding the most matches begins (0 without matches)."""
    if not spans:
        return 0
    best_index, best_count = 0, 0
    right = 0
    for left, (start, _) in enumerate(spans):
        while right < len(spans) and spans[right][1] - start <= max_chars - LEAD_IN_CHARS:
            right += 1
        if right - left > best_count:
            best_index, best_count = left, right - left
    start = max(0, spans[best_index][0] - LEAD_IN_CHARS)
    if start + max_chars > len(text):
        start = max(0, len(text) - max_chars)
    return _word_start(text, start)


def _word_start(text: str, pos: int) -> int:
    """`pos` moved forward to the start of a word (0 stays 0)."""
    if pos <= 0:
        return 0
    space = text.find(" ", pos)
    return pos if space == -1 else space + 1


def _word_end(text: str, pos: int) -> int:
    """`pos` moved back to the end of a word."""
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", 0, pos)
    return pos if space <= 0 else space


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> SafeString:
    parts: list[str] = [ELLIPSIS if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:end]))
    parts.append(ELLIPSIS if end < len(text) else "")
    # Every piece of the article's text went through escape(); the only markup is <mark>.
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped parts, see above
