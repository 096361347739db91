"""Bylines printed in the page: the tiers the metadata layer reads when no structured data
names a writer (microdata, rel=author, the "By …" line under the headline, author-page links,
byline classes, a name labelled as the writer's anywhere)."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from newsstand.ingest.authors import names_a_job, normalize_authors
from newsstand.ingest.titles import clean_text, texts_after

__all__ = ["dom_bylines", "with_printed_byline"]

_MAX_DOM_BYLINES = 4
_BYLINE_CLASS_RE = re.compile(r"byline|author[-_]?name|authname|article[-_]?author", re.I)
# Not "/people/": many sites' pages for the people a story is about (a celebrity's tag page).
_AUTHOR_HREF_RE = re.compile(r"/(?:authors?|writers?|bios?|profiles?|staff)/[^/?#]+", re.I)


def dom_bylines(
    tree: HtmlElement, headline: HtmlElement | None, exclude: list[str]
) -> tuple[list[str], list[str]]:
    """Bylines in the page: microdata, rel=author, the "By …" line under the headline,
    author-page links, byline classes, labelled names ("Written by" | "Jane Doe"); and the
    publisher's name where a byline prints only it.

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
        _labelled_bylines,
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


def with_printed_byline(
    declared: list[str], headline: HtmlElement | None, exclude: list[str]
) -> list[str]:
    """The byline under the headline, when it names one of the *declared* writers.

    Structured data often carries only the first of the writers the page prints ("By Jane Doe
    and John Roe"), or lists beside the writer the photographer the page credits apart ("By Jane
    Doe" | "Photography by John Roe"); the printed line is the byline the reader is given.
    """
    printed = normalize_authors(_by_line_bylines(headline), exclude=exclude)
    if not printed or not {_canon(n) for n in declared} & {_canon(n) for n in printed}:
        return declared
    # "Jane Doe, Co-Founder & COO, Acme": the writer's job and employer, not co-authors.
    if any(names_a_job(name) for name in printed):
        return declared
    return printed


def _canon(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


_BY_PREFIX_RE = re.compile(
    r"^(?:by|written\s+by|words\s+by|posted\s+by|author)\s*[:\-\u2013]?\s*", re.IGNORECASE
)
_FOLLOWING_TEXTS = 40  # after the headline, where the byline is printed
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
    pieces = [" ".join(t.split()) for t in texts_after(headline, _FOLLOWING_TEXTS)]
    for index, piece in enumerate(pieces):
        read += len(piece)
        if read > _UNDER_HEADLINE_CHARS:
            break
        prefix = _BY_PREFIX_RE.match(piece)
        if not piece or prefix is None or len(piece) > _MAX_BY_LINE_CHARS:
            continue
        name, after = piece[prefix.end() :], index + 1
        if not name:
            following = [
                i for i in range(index + 1, min(index + 3, len(pieces))) if pieces[i].strip(" |·•-")
            ]
            name, after = (pieces[following[0]], following[0] + 1) if following else ("", after)
        if name[:1].isupper():
            return [_with_co_authors(name, pieces[after : after + _MAX_CO_AUTHOR_PIECES])]
    return []


_JOINER_RE = re.compile(r"^,?\s*(?:&|and|und|et|y)?$", re.IGNORECASE)  # ",", "and", ", and"
_JOINED_NAME_RE = re.compile(r"^,?\s*(?:&|and)?\s+\S", re.IGNORECASE)  # "and John Roe, CNN"
_MAX_CO_AUTHOR_PIECES = 12


def _with_co_authors(name: str, pieces: list[str]) -> str:
    """*name* and the co-authors the byline names after it, each in its own link or span:
    "Jane Doe" | "and" | "John Roe", "Jane Doe" | "and John Roe, CNN", "A" | "," | "B" | "," |
    "C". The line stops at anything else (a date, "Published", a job title, "+55 more")."""
    line, joined = name, False
    for piece in pieces:
        if not piece:
            continue
        if _JOINER_RE.match(piece):
            line, joined = f"{line} {piece}", True
        elif _JOINED_NAME_RE.match(piece) or (joined and piece[:1].isupper()):
            line, joined = f"{line} {piece}", False
        else:
            break
    return line.rstrip(" ,&")


# Microdata authors, not those of the teaser cards linking to other articles (a byline inside a
# link or an aside).
_MICRODATA_AUTHORS = etree.XPath(
    '//*[contains(@itemprop, "author") or contains(@itemprop, "creator")]'
    "[not(ancestor::a or ancestor::aside)]"
)


def _microdata_bylines(tree: HtmlElement) -> list[str]:
    microdata: list[str] = []
    for element in _MICRODATA_AUTHORS(tree):
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


_FURNITURE_TAGS = ("aside", "nav", "footer")


def _author_link_bylines(tree: HtmlElement) -> list[str]:
    """Links to writers' pages: those in the story's own part of the page when it has any,
    not the teaser cards of a sidebar, menu or footer crediting other articles' writers (an
    author box there is read when nothing else links a writer)."""
    links = [a for a in tree.iter("a") if _AUTHOR_HREF_RE.search(a.get("href") or "")]
    own = [a for a in links if next(a.iterancestors(*_FURNITURE_TAGS), None) is None]
    return [a.text_content() for a in own or links]


def _class_bylines(tree: HtmlElement) -> list[str]:
    return [
        e.text_content()
        for e in tree.iter("span", "div", "p", "a", "address")
        if _BYLINE_CLASS_RE.search(e.get("class") or "") and len(e.text_content()) < 120
    ]


# A label that names the writer in the text after it ("Written by" | "Jane Doe", "Author:"),
# or in the same text ("Written by Jane Doe"): author boxes after the story, credit rows.
_BYLINE_LABEL_RE = re.compile(
    r"^(?:(?:this\s+(?:post|article|story)\s+(?:was\s+)?)?(?:written|authored)\s+by"
    r"|(?:article|words|story)\s+by|authors?|author\(s\)|contributors?)\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_MAX_LABELLED_CHARS = 80
# The candidates for _BYLINE_LABEL_RE, found by libxml2 with literal tests only: a walk of
# every text node in Python, or a normalize-space() of each, costs milliseconds a page.
_LABEL_CANDIDATES = etree.XPath(
    "//body//text()[contains(., 'by') or contains(., 'By') or contains(., 'uthor')"
    " or contains(., 'ontributor')]"
)
# From the element holding a label, the label and the text after it: its own text first, or
# (for a label in an element's tail) the tail first.
_FROM_TEXT = etree.XPath(
    "(descendant::text() | following::text())[not(ancestor::script or ancestor::style)]"
    "[normalize-space()][position() <= 2]"
)
_FROM_TAIL = etree.XPath(
    "following::text()[not(ancestor::script or ancestor::style)][normalize-space()]"
    "[position() <= 2]"
)


def _labelled_bylines(tree: HtmlElement) -> list[str]:
    """Names the page labels as its writer's anywhere: "Written by" | "Jane Doe", "Author:" |
    "Jane Doe", "Article by Jane Doe" (an author box after the story, a credit row)."""
    found: list[str] = []
    for node in _LABEL_CANDIDATES(tree):
        text = " ".join(node.split())
        label = _BYLINE_LABEL_RE.match(text) if len(text) <= _MAX_LABELLED_CHARS else None
        holder = node.getparent()
        if label is None or holder is None or holder.tag in ("script", "style"):
            continue
        if not _is_label_place(holder.getparent() if node.is_tail else holder):
            continue
        name = label[1]
        if not name:
            texts = (_FROM_TAIL if node.is_tail else _FROM_TEXT)(holder)
            name = " ".join(texts[1].split()) if len(texts) > 1 else ""
        if name[:1].isupper() and len(name) <= _MAX_LABELLED_CHARS:
            found.append(name)
    return found


_COMMENTS_RE = re.compile(r"comment|respond|reply", re.IGNORECASE)
_LINK_TAGS = frozenset({"a", "nav", "button", "option", "label"})
_MAX_LABEL_DEPTH = 12


def _is_label_place(element: HtmlElement | None) -> bool:
    """False for a label that is a link or menu item ("Contributors" in the site's menu), or a
    badge in the comments (the post author's "Author" tag beside a reply)."""
    for _ in range(_MAX_LABEL_DEPTH):
        if element is None:
            break
        if element.tag in _LINK_TAGS:
            return False
        if _COMMENTS_RE.search(element.get("class") or "") or _COMMENTS_RE.search(
            element.get("id") or ""
        ):
            return False
        element = element.getparent()
    return True
