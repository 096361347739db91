"""A second trafilatura pass where its fast mode kept too little of the article.

trafilatura's fast mode (:func:`trafilatura_body`) takes the first container its selectors find
and, finding none, recovers the page's paragraphs only. :func:`recover_body` compares what it
kept with the page's densest block of prose (:mod:`newsstand.ingest.density`) and, where the
first pass kept a sliver, one section of a split article, or the paragraphs without the lists
and subheads between them, extracts the block or its region on its own instead.
Pure: the page tree is read and never changed.
"""

from __future__ import annotations

import copy
import functools
import re

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newsstand.ingest.density import main_block, main_region, prose_paragraphs

__all__ = ["recover_body", "trafilatura_body", "word_grams"]

_WORD_RE = re.compile(r"\w+")

_MAIN_BLOCK_RATIO = 3  # the densest block's prose over the kept text's: a sliver was kept
_MIN_RECOVERED_RATIO = 2  # the block's extraction over the first: it did recover the article
_LISTS_RATIO = 1.5  # the densest block's text over the kept text's: lists may have been lost
_MIN_ADDED_SHARE = 0.3  # of the kept text, added by reading the block whole
_MIN_ADDED_LIST_SHARE = 0.5  # of the added text, in lists
_MIN_ADDED_STRUCTURE_SHARE = 0.5  # of the added text, in headings and lists


def trafilatura_body(tree: HtmlElement) -> etree._Element | None:
    """trafilatura's body tree for *tree* (which it copies, leaving *tree* as it was)."""
    document = trafilatura.bare_extraction(
        tree,
        # No URL: trafilatura would absolutise every link through courlan (a tenth of the run
        # time); the sanitiser does that anyway, against the same base.
        url=None,
        # "xml" returns the body tree without also rendering it as text, which we do ourselves.
        output_format="xml",
        fast=True,
        with_metadata=False,
        include_comments=False,
        # Images are put back from the page afterwards (see figures.py): with images on,
        # trafilatura also keeps caption blocks and judges image links differently.
        include_images=False,
        include_links=True,
        include_tables=True,
        include_formatting=True,
    )
    body: etree._Element | None = getattr(document, "body", None)
    return body


_MIN_CONTAINED_SHARE = 0.8  # of the first body's word 4-grams found again in the region's


def _contains(alt: etree._Element | None, body: etree._Element | None) -> bool:
    """Whether *alt* holds (most of) *body*'s text: a superset, not a competing block."""
    if alt is None or body is None:
        return body is None
    grams = word_grams(" ".join(body.itertext()))
    if not grams:
        return True
    return len(grams & word_grams(" ".join(alt.itertext()))) >= _MIN_CONTAINED_SHARE * len(grams)


def _chars_in(body: etree._Element | None, tag: str) -> int:
    """Characters of *body* (a trafilatura body tree) inside its *tag* elements ("list",
    "head")."""
    return 0 if body is None else sum(_text_chars(b) for b in body.iter(tag))


_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")


def _has_headings(block: HtmlElement) -> bool:
    """Whether *block* has a heading with text among its children (subheads, not a card's)."""
    return any(child.tag in _HEADING_TAGS and child.text_content().strip() for child in block)


def _text_chars(body: etree._Element | None) -> int:
    return 0 if body is None else sum(len(t.strip()) for t in body.itertext())


def _standalone(block: HtmlElement, whole: bool = False, unnamed: bool = True) -> HtmlElement:
    """A page holding a copy of *block* alone.

    *whole*: the copy is marked as the article body, so that trafilatura reads all of it as one
    container; *unnamed* also takes the class and id off the containers of paragraphs inside,
    so that none is taken for the article, or for a widget to drop, by its name.
    """
    page = lxml.html.document_fromstring("<html><body></body></html>")
    element = copy.deepcopy(block)
    if whole:
        element.tag = "div"
        element.attrib.clear()
        element.set("itemprop", "articleBody")
        for container in element.iterdescendants() if unnamed else ():
            if isinstance(container.tag, str) and container.find(".//p") is not None:
                for name in ("class", "id"):
                    container.attrib.pop(name, None)
    page.body.append(element)
    return page


def word_grams(text: str) -> set[tuple[str, ...]]:
    words = _WORD_RE.findall(text.casefold())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def recover_body(tree: HtmlElement, body: etree._Element | None) -> etree._Element | None:
    """*body*, trafilatura's first pass over *tree*, or a second pass's where that kept too
    little of the article."""
    kept = _text_chars(body)
    paragraphs = prose_paragraphs(tree)
    block, block_chars = main_block(tree, paragraphs)

    @functools.cache
    def block_is_region() -> bool:
        # Asked by the last two rules, at most once: it walks every paragraph's ancestors.
        return block is not None and main_region(block, paragraphs)[0] is block

    if block is not None and block_chars > _MAIN_BLOCK_RATIO * kept:
        # trafilatura kept a sliver of the page (a teaser box, a byline card) beside the
        # article: extract the densest block on its own, and keep that when it does recover
        # much more text (else the block was not prose trafilatura would keep either).
        alt = trafilatura_body(_standalone(block))
        if _text_chars(alt) >= _MIN_RECOVERED_RATIO * kept:
            body = alt
            # On its own the block may still hold a named container where trafilatura stops
            # again; read whole, it gives that and the rest. Kept only as a superset: read whole,
            # some blocks come out as one run of text with their links' words lost.
            whole = trafilatura_body(_standalone(block, whole=True, unnamed=False))
            if _text_chars(whole) > _text_chars(alt) and _contains(whole, alt):
                body = whole
    elif block is not None and sum(c for _, c in paragraphs) > _MAIN_BLOCK_RATIO * kept:
        # The article may be split over sibling sections (widgets, tabs, cards) of which
        # trafilatura read the first: extract the region gathering them, read whole. When that
        # region is the block itself, keep it only if it holds what trafilatura kept.
        region, region_chars = main_region(block, paragraphs)
        if region_chars > _MAIN_BLOCK_RATIO * kept:
            alt = trafilatura_body(_standalone(region, whole=True))
            if _text_chars(alt) >= _MIN_RECOVERED_RATIO * kept and (
                region is not block or _contains(alt, body)
            ):
                body = alt
    elif (
        block is not None
        and len(" ".join(block.text_content().split())) > _LISTS_RATIO * kept
        and block_is_region()
    ):
        # Where trafilatura found no container it recovers the page's paragraphs only, and the
        # lists among them are lost: when the densest block holds much more text than was kept,
        # read it whole, and keep that if what it adds is mostly lists. (The region is sought
        # last: it walks every paragraph's ancestors, and most pages stop at the length.)
        alt = trafilatura_body(_standalone(block, whole=True, unnamed=False))
        added = _text_chars(alt) - kept
        if (
            added >= _MIN_ADDED_SHARE * kept
            and _chars_in(alt, "list") - _chars_in(body, "list") >= _MIN_ADDED_LIST_SHARE * added
            and _contains(alt, body)
        ):
            body = alt
    elif (
        block is not None
        and body is not None
        and body.find("head") is None
        and _has_headings(block)
        and block_is_region()
    ):
        # The same recovery of paragraphs only, seen by what it always loses where the lists
        # are too short for the check above: the densest block has subheads between its
        # paragraphs and the body none. Read the block whole, and keep that if it holds the
        # kept text and what it adds is mostly the headings and lists.
        alt = trafilatura_body(_standalone(block, whole=True, unnamed=False))
        added = _text_chars(alt) - kept
        structure = _chars_in(alt, "list") + _chars_in(alt, "head") - _chars_in(body, "list")
        if added > 0 and structure >= _MIN_ADDED_STRUCTURE_SHARE * added and _contains(alt, body):
            body = alt
    return body
