"""OPML import and export. Import is lenient: real-world OPML files are often not well-formed
XML (bare `&` in URLs and titles is the classic), and a subscription list should still load."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

__all__ = ["OpmlError", "OpmlOutline", "export_opml", "parse_opml"]

# An `&` that does not start a character or entity reference.
_BARE_AMP_RE = re.compile(rb"&(?!(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9._-]*);)")


_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)


class OpmlError(ValueError):
    """The file cannot be read as OPML; the message says why."""


@dataclass(frozen=True)
class OpmlOutline:
    title: str
    xml_url: str
    html_url: str = ""
    category: tuple[str, ...] = ()
    # What the list says the feed is ("The weekly cricket podcast…").
    description: str = ""


def _attr(element: etree._Element, *names: str) -> str:
    # OPML in the wild spells attributes xmlUrl, xmlurl, XMLURL...
    lowered = {str(k).lower(): str(v) for k, v in element.attrib.items()}
    for name in names:
        value = lowered.get(name.lower(), "").strip()
        if value:
            return value
    return ""


# The document's end: </opml>, then only whitespace or comments.
_CLOSED_RE = re.compile(rb"</opml\s*>\s*(?:<!--.*?-->\s*)*\Z", re.IGNORECASE | re.DOTALL)


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """Every feed outline (one with an xmlUrl), with the titles of its enclosing folders.

    Raises OpmlError, saying why, when the file gives no feed at all."""
    if not data.strip():
        raise OpmlError("The OPML file is empty")
    if _ENTITY_DECLARATION_RE.search(data):
        # libxml2 expands internal entities in attribute values even with resolve_entities
        # off, so a few nested declarations would grow into a huge document.
        raise OpmlError(
            "The OPML file declares XML entities (<!ENTITY ...>), which are refused: "
            "they can expand into a huge document"
        )
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        root = etree.fromstring(_BARE_AMP_RE.sub(b"&amp;", data), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"The OPML file is not readable XML: {exc}") from None
    if root is None:
        raise OpmlError("The OPML file is not readable XML")
    if etree.QName(root).localname.lower() != "opml":
        raise OpmlError(f"Not an OPML file: the root element is <{etree.QName(root).localname}>")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("The OPML file has no <body>")
    outlines: list[OpmlOutline] = []

    def walk(element: etree._Element, path: tuple[str, ...]) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag.lower() != "outline":
                continue
            title = _attr(child, "title", "text")
            xml_url = _attr(child, "xmlUrl", "url") if _attr(child, "xmlUrl") else ""
            if xml_url:
                outlines.append(
                    OpmlOutline(
                        title,
                        xml_url,
                        _attr(child, "htmlUrl"),
                        path,
                        description=_attr(child, "description"),
                    )
                )
            walk(child, (*path, title) if not xml_url and title else path)

    walk(body, ())
    if not outlines:
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if errors:
            first = errors[0]
            raise OpmlError(
                "No feeds could be read: the OPML file is not well-formed XML (cut short?); "
                f"line {first.line}: {first.message.strip()}"
            )
        raise OpmlError("The OPML file lists no feeds (no <outline> with an xmlUrl)")
    if not _CLOSED_RE.search(data):
        # A file cut short (a failed download, a half-written export) would import only its
        # first part, silently: refuse it whole, so the reader fixes it and loses nothing.
        # (libxml2's recovery does not always report the missing end; the bytes tell.)
        raise OpmlError(
            "The OPML file is cut short (it does not end with </opml>); nothing was imported. "
            "Download or export it again."
        )
    return outlines


def export_opml(feeds: Iterable[OpmlOutline], *, title: str = "Newsstand subscriptions") -> bytes:
    """OPML 2.0, with nested folders for each outline's category path."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], etree._Element] = {(): body}

    def folder(path: tuple[str, ...]) -> etree._Element:
        if path not in folders:
            parent = folder(path[:-1])
            folders[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
        return folders[path]

    for feed in feeds:
        attrs = {
            "type": "rss",
            "text": feed.title or feed.xml_url,
            "title": feed.title or feed.xml_url,
            "xmlUrl": feed.xml_url,
        }
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        if feed.description:
            attrs["description"] = feed.description
        etree.SubElement(folder(feed.category), "outline", attrs)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
