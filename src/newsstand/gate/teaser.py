"""The teaser shown in front of the gate: the body's opening, cut where a reader would stop.

Pure. The input is the sanitised body (`Article.content_html`, after the reader drops the
repeated lead image); the output is plain text paragraphs, which templates escape. So the teaser
can never carry markup, attributes or hidden elements from the body into a gated page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from newsstand.web.presentation import teaser_words

# About one paragraph of news prose: enough to judge the article, far from the whole of it.
TEASER_MAX_WORDS = 60
# Never more than this share of the article's words, so a short piece is never given away whole.
# Paragraphs inside these are captions, quotes pulled out of the text, or page furniture.
_SKIP_ANCESTORS = frozenset({"figure", "figcaption", "aside", "table", "blockquote", "nav"})
_WHITESPACE = re.compile(r"\s+")
# A sentence ends at . ! ? or … with any closing quotes/brackets, before whitespace or the end.
_CLOSERS = "\"'\u201d\u2019)]"  # straight and curly closing quotes, brackets
_SENTENCE_END = re.compile(rf"[.!?…][{re.escape(_CLOSERS)}]*(?=\s|$)")
# Words whose full stop does not end a sentence: initials (U.S., J.) and common abbreviations.
_NOT_AN_END = re.compile(
    r"(?:[A-Za-z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|No|Nos|vs|Gen|Gov|Sen|Rep|Prof|Mt|Lt|Col|Inc|Co)\."
)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Teaser:
    paragraphs: tuple[str, ...]
    word_count: int
    # Words in the whole body; the teaser is at most TEASER_MAX_SHARE of them.
    body_word_count: int

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _squash(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _words(text: str) -> int:
    return len(text.split())


def body_paragraphs(body_html: str) -> tuple[list[str], int]:
    """The body's running-text paragraphs in order, and the word count of the whole body."""
    if not body_html.strip():
        return [], 0
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [], 0
    whole = _squash(root.text_content())
    paragraphs = []
    for el in root.iter("p"):
        if any(a.tag in _SKIP_ANCESTORS for a in el.iterancestors()):
            continue
        text = _squash(el.text_content())
        if text:
            paragraphs.append(text)
    if not paragraphs and whole:
        # A body without <p> (plain text or bare <div>s): its text is one paragraph.
        paragraphs = [whole]
    return paragraphs, _words(whole)


def _sentence_cut(text: str, budget: int) -> str:
    """The longest run of whole sentences from the start of `text` within `budget` words."""
    best = ""
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        last_word = text[:end].rsplit(None, 1)[-1]
        if _NOT_AN_END.fullmatch(last_word.rstrip(_CLOSERS)):
            continue
        candidate = text[:end]
        if _words(candidate) > budget:
            break
        best = candidate
    return best


def _word_cut(text: str, budget: int) -> str:
    words = text.split()[: max(budget, 1)]
    return " ".join(words).rstrip(",;:.") + ELLIPSIS


def make_body_teaser(body_html: str, max_words: int = TEASER_MAX_WORDS) -> Teaser:
    """The first paragraph or so: whole paragraphs while they fit in the word budget, then the
    whole sentences of the next one that still fit; a single over-long first sentence is cut at
    a word with an ellipsis. The budget is `max_words`, or half the body if that is less."""
    paragraphs, total = body_paragraphs(body_html)
    budget = teaser_words(total, max_words)
    out: list[str] = []
    used = 0
    for paragraph in paragraphs:
        n = _words(paragraph)
        if used + n <= budget:
            out.append(paragraph)
            used += n
            continue
        part = _sentence_cut(paragraph, budget - used)
        if part:
            out.append(part)
            used += _words(part)
        elif not out and budget > 0:
            part = _word_cut(paragraph, budget)
            out.append(part)
            used += _words(part)
        break
    return Teaser(paragraphs=tuple(out), word_count=used, body_word_count=total)
