"""Where a page's prose is: the block that holds most of its paragraph text.

trafilatura's fast mode takes the first container its list of selectors finds ("article",
"…-content", "post", …) and stops there once it yields two blocks. On many templates that first
match is a teaser box, a byline card or a "checking our work" note, and the article beside it is
lost. Its standard mode guards against that by running readability as well, at about twice the
cost. This module is the cheap guard: it scores the page's paragraphs the way readability does
(a paragraph's characters count for its parent, half for its grandparent), so the extractor can
see when the text it kept is a small fraction of the page's densest block, and extract that block
instead. Pure: it reads the tree and never changes it.
"""

from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["main_block"]

_PARAGRAPH_TAGS = ("p", "pre")
_MIN_PARAGRAPH_CHARS = 25  # shorter paragraphs are labels, captions and buttons
_MAX_LINK_SHARE = 0.5  # of a paragraph's characters inside links: a link list, not prose
_GRANDPARENT_WEIGHT = 0.5


def main_block(tree: HtmlElement) -> tuple[HtmlElement | None, float]:
    """The element whose paragraphs carry the most prose, and that score in characters.

    Paragraphs that are mostly links, and short ones, do not count; a paragraph's characters
    (its link text taken out) count fully for its parent and half for its grandparent, so a
    block of many paragraphs outscores the wrapper around it and the page's other blocks.
    """
    scores: dict[HtmlElement, float] = {}
    for paragraph in tree.iter(_PARAGRAPH_TAGS):
        text = paragraph.text_content()
        chars = len(text.strip())
        if chars < _MIN_PARAGRAPH_CHARS:
            continue
        linked = sum(len(a.text_content()) for a in paragraph.iter("a"))
        if linked > _MAX_LINK_SHARE * chars:
            continue
        parent = paragraph.getparent()
        if parent is None:
            continue
        prose = chars - linked
        scores[parent] = scores.get(parent, 0.0) + prose
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + prose * _GRANDPARENT_WEIGHT
    if not scores:
        return None, 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]
