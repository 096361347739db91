"""Bylines printed in the page: the tiers the metadata layer reads when no structured data
names a writer (microdata, rel=author, the "By …" line under the headline, author-page links,
byline classes)."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from newsstand.ingest.authors import normalize_authors
from newsstand.ingest.titles import clean_text

__all__ = ["dom_bylines"]

_MAX_DOM_BYLINES = 4
_BYLINE_CLASS_RE = re.compile(r"byline|author[-_]?name|authname|article[-_]?author", re.I)
_AUTHOR_HREF_RE = re.compile(r"/(?:authors?|writers?|bios?|profiles?|people|staff)/[^/?#]+", re.I)


def dom_bylines(
    tree: HtmlElement, headline: HtmlElement | None, exclude: list[str]
) -> tuple[list[str], list[str]]:
    """Bylines in the page: microdata, rel=author, the "By …" line under the headline,
    author-page links, byline classes; and the publisher's name where a byline prints only it.

    The first kind that yields a name wins, in that order of reliability. A byline naming only
    the publisher (a company blog's "By Acme") is returned apart: metadata credits the publisher
    by default, but a byline the reader sees is the page's own credit.
    """
    publisher: list[str] = []
    for tier in (
        _microdata_bylines,
        _rel_author_bylines,
        lambda _: _by_line_bylines(headline),
        _author_link_bylines,
        _class_bylines,
    ):
        # Each tier walks the whole page; later ones only run when the earlier found nothing.
        found = [clean_text(t) for t in tier(tree) if t and clean_text(t)]
        names = normalize_authors(found[:_MAX_DOM_BYLINES], exclude=exclude)
        if names:
            return names, []
        if not publisher and found:
            publisher = normalize_authors(
                found[:_MAX_DOM_BYLINES], exclude=exclude, keep_excluded=True
            )
    return [], publisher


_BY_PREFIX_RE = re.compile(
    r"^(?:by|written\s+by|words\s+by|posted\s+by|author)\s*[:\-\u2013]?\s*", re.IGNORECASE
)
# Text a reader sees after the headline, where the byline is printed.
_FOLLOWING_TEXT = etree.XPath(
    "following::text()[not(ancestor::script or ancestor::style or ancestor::figcaption)]"
    "[position() <= 40]"
)
_UNDER_HEADLINE_CHARS = 600
_MAX_BY_LINE_CHARS = 100  # a longer text opening with "By" is a sentence ("By 2030, …")


def _by_line_bylines(headline: HtmlElement | None) -> list[str]:
    """The "By Jane Doe" line under the headline: the byline as the reader sees it.

    Only the text that follows the headline is read, so "By signing up, you agree …" in a
    footer or "By state" in a menu never count; the name must start with a capital letter.
    A lone "By" or "Written by" takes its name from the text after it.
    """
    if headline is None:
        return []
    read = 0
    pieces = [" ".join(t.split()) for t in _FOLLOWING_TEXT(headline)]
    for index, piece in enumerate(pieces):
        read += len(piece)
        if read > _UNDER_HEADLINE_CHARS:
            break
        prefix = _BY_PREFIX_RE.match(piece)
        if not piece or prefix is None or len(piece) > _MAX_BY_LINE_CHARS:
            continue
        name = piece[prefix.end() :]
        if not name:
            name = next((p for p in pieces[index + 1 : index + 3] if p.strip(" |·•-")), "")
        if name[:1].isupper():
            return [name]
    return []


def _microdata_bylines(tree: HtmlElement) -> list[str]:
    microdata: list[str] = []
    for element in tree.xpath(
        '//*[contains(@itemprop, "author") or contains(@itemprop, "creator")]'
    ):
        names = element.xpath('.//*[@itemprop="name"]')
        if names:
            microdata.extend(n.get("content") or n.text_content() for n in names)
        elif element.get("content") and "://" not in element.get("content", ""):
            microdata.append(element.get("content", ""))
        elif len(element) < 3:
            microdata.append(element.text_content())
    return microdata


def _rel_author_bylines(tree: HtmlElement) -> list[str]:
    return [
        a.text_content() for a in tree.xpath('//a[contains(concat(" ", @rel, " "), " author ")]')
    ]


def _author_link_bylines(tree: HtmlElement) -> list[str]:
    return [a.text_content() for a in tree.iter("a") if _AUTHOR_HREF_RE.search(a.get("href") or "")]


def _class_bylines(tree: HtmlElement) -> list[str]:
    return [
        e.text_content()
        for e in tree.iter("span", "div", "p", "a", "address")
        if _BYLINE_CLASS_RE.search(e.get("class") or "") and len(e.text_content()) < 120
    ]
