"""Where a page's prose is: the block that holds most of its paragraph text.

trafilatura's fast mode takes the first container its list of selectors finds ("article",
"…-content", "post", …) and stops there once it yields two blocks. On many templates that first
match is a teaser box, a byline card or a "checking our work" note, and the article beside it is
lost. Its standard mode guards against that by running readability as well, at about twice the
cost. This module is the cheap guard: it scores the page's paragraphs the way readability does
(a paragraph's characters count for its parent, half for its grandparent), so the extractor can
see when the text it kept is a small fraction of the page's densest block, and extract that block
instead; and, for articles split over sibling sections (each its own widget, tab or card), the
region that gathers those sections. Pure: it reads the tree and never changes it.
"""

from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["main_block", "main_region", "prose_paragraphs"]

_PARAGRAPH_TAGS = ("p", "pre")
_MIN_PARAGRAPH_CHARS = 25  # shorter paragraphs are labels, captions and buttons
_MAX_LINK_SHARE = 0.5  # of a paragraph's characters inside links: a link list, not prose
_TRUNCATED = ("…", "...")  # a teaser's cut-off excerpt, not the article's prose
_GRANDPARENT_WEIGHT = 0.5
_MIN_REGION_PROSE_SHARE = 0.8  # of a region's text in counted paragraphs: prose, not a page
_MAX_FOREIGN_PROSE_SHARE = 1 / 3  # of a region's prose outside the sections it gathers
_HIDDEN_CLASSES = frozenset({"hidden", "d-none", "visually-hidden", "sr-only"})


def prose_paragraphs(tree: HtmlElement) -> list[tuple[HtmlElement, int]]:
    """The page's prose paragraphs with their characters outside links.

    Short paragraphs, paragraphs that are mostly links and teasers' excerpts cut off with an
    ellipsis do not count.
    """
    found: list[tuple[HtmlElement, int]] = []
    for paragraph in tree.iter(_PARAGRAPH_TAGS):
        text = paragraph.text_content().strip()
        chars = len(text)
        if chars < _MIN_PARAGRAPH_CHARS or text.endswith(_TRUNCATED):
            continue
        linked = sum(len(a.text_content()) for a in paragraph.iter("a"))
        if linked > _MAX_LINK_SHARE * chars:
            continue
        found.append((paragraph, chars - linked))
    return found


def main_block(
    tree: HtmlElement, paragraphs: list[tuple[HtmlElement, int]] | None = None
) -> tuple[HtmlElement | None, float]:
    """The element whose paragraphs carry the most prose, and that score in characters.

    Only :func:`prose_paragraphs` count (*paragraphs*, when the caller has them already); a
    paragraph's characters count fully for its parent and half for its grandparent, so a block
    of many paragraphs outscores the wrapper around it and the page's other blocks.
    """
    scores: dict[HtmlElement, float] = {}
    for paragraph, prose in prose_paragraphs(tree) if paragraphs is None else paragraphs:
        parent = paragraph.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + prose
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + prose * _GRANDPARENT_WEIGHT
    if not scores:
        return None, 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]


def _hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if "display:none" in (element.get("style") or "").replace(" ", ""):
        return True
    return not _HIDDEN_CLASSES.isdisjoint((element.get("class") or "").split())


def _signature(element: HtmlElement) -> tuple[str, str]:
    return element.tag, " ".join((element.get("class") or "").split())


def main_region(
    block: HtmlElement, paragraphs: list[tuple[HtmlElement, int]]
) -> tuple[HtmlElement, int]:
    """The densest *block* together with the sibling sections of the article it belongs to,
    and the prose characters in it.

    From the block, climb to the parent while the parent's prose comes from sections like the
    one climbed from (same tag and class) and from paragraphs, at most a third from anything
    else, and its text stays mostly prose: that gathers an article's sections and stops before
    a carousel, a sidebar or the page's menus. Paragraphs in hidden elements do not count.
    """
    prose: dict[HtmlElement, int] = {}
    for paragraph, chars in paragraphs:
        ancestors = [paragraph, *paragraph.iterancestors()]
        if any(_hidden(a) for a in ancestors):
            continue
        for ancestor in ancestors:
            prose[ancestor] = prose.get(ancestor, 0) + chars
    region = child = block
    for ancestor in block.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        total = prose.get(ancestor, 0)
        if total > prose.get(region, 0):
            signature = _signature(child)
            foreign = sum(
                prose.get(section, 0)
                for section in ancestor
                if section is not child
                and section.tag not in _PARAGRAPH_TAGS
                and _signature(section) != signature
            )
            if foreign > _MAX_FOREIGN_PROSE_SHARE * total:
                break
            text = len(" ".join(ancestor.text_content().split()))
            if total < _MIN_REGION_PROSE_SHARE * text:
                break
            region = ancestor
        child = ancestor
    return region, prose.get(region, 0)
