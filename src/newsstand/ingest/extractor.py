"""Article extraction: one HTML page in, one :class:`ExtractedArticle` out.

The body comes from trafilatura (fast mode, links and tables kept, a second pass where the first
kept too little: :mod:`newsstand.ingest.recovery`; photos put back by
:mod:`newsstand.ingest.figures`); the metadata from
:mod:`newsstand.ingest.metadata`. The body is then cleaned of what trafilatura keeps but a
reader should not see twice or at all: the lead image, repeated photos and captions, newsletter
prompts and "Reporting by …" credits. The result is sanitised by :mod:`newsstand.ingest.sanitizer`.
Pure: no database, no network, no Django.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import convert_to_html, prune_unwanted_nodes
from trafilatura.metadata import extract_metainfo
from trafilatura.utils import decode_file, load_html, repair_faulty_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

from newsstand.ingest.authors import is_credit_line, normalize_authors
from newsstand.ingest.boilerplate import (
    drop_invisible,
    is_boilerplate,
    mark_div_paragraphs,
    mark_loose_paragraphs,
    orphan_headings,
    prune_furniture,
)
from newsstand.ingest.boilerplate import edge_furniture as _edge_furniture
from newsstand.ingest.dates import (
    TZ_ABBREVIATIONS,
    page_published,
    visible_days,
    without_visible_dates,
)
from newsstand.ingest.figures import figure_captions, image_key, put_back_images
from newsstand.ingest.metadata import PageMetadata, read_metadata
from newsstand.ingest.recovery import recover_body, trafilatura_body, word_grams
from newsstand.ingest.sanitizer import sanitize_html

__all__ = [
    "ExtractedArticle",
    "ExtractionError",
    "LeadImage",
    "decode_html",
    "extract_article",
    "gunzip",
]

logger = logging.getLogger(__name__)

MAX_HTML_BYTES = 20_000_000
# A page that arrives gzip'd without Content-Encoding is inflated here rather than while it is
# downloaded; it gets the same room as the fetcher's decoder gives a page (PAGE_MAX_BYTES).
MAX_INFLATED_BYTES = 5 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_MIN_REPEAT_CHARS = 25  # shorter repeated lines ("Advertisement", "Photo") are judged elsewhere
# A paragraph printed twice is template furniture (pull quote, teaser) only when it is long;
# short lines ("Drink during your workout") legitimately repeat in recipes, lists and Q&As.
_MIN_REPEAT_PARAGRAPH_CHARS = 100
_MAX_AUTHOR_CHARS = 120  # a longer "byline" block is a bio or a teaser
_LINK_BLOCK_SHARE = 0.7  # of a block's characters inside links: a link list, not prose
_BLOCK_TAGS = ("p", "head", "item", "quote", "row", "code", "list", "table", "graphic")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?)\]])")
_TEXT_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "row"})
_WORD_RE = re.compile(r"\w+")


class ExtractionError(ValueError):
    """The input is not an HTML page we can read."""


@dataclass(frozen=True)
class LeadImage:
    url: str
    caption: str | None
    credit: str | None


@dataclass(frozen=True)
class ExtractedArticle:
    url: str | None
    canonical_url: str | None
    title: str | None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    section: str | None = None
    language: str | None = None
    lead_image: LeadImage | None = None
    description: str | None = None
    html: str = ""
    text: str = ""
    word_count: int = 0


# --- decoding --------------------------------------------------------------------------------


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip `data` (every member, like gzip.decompress) in bounded steps, refusing
    output over `max_bytes` as soon as it is produced: a small bomb never fills memory."""
    out = bytearray()
    rest = data
    while rest:
        if rest[:2] != _GZIP_MAGIC:
            raise ExtractionError("corrupt gzip data: not a gzip stream")
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        pending = rest
        try:
            while not inflater.eof:
                chunk = inflater.decompress(pending, max_bytes + 1 - len(out))
                out += chunk
                if len(out) > max_bytes:
                    raise ExtractionError(
                        f"page is larger than {max_bytes:,} bytes once decompressed"
                    )
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    raise ExtractionError("corrupt gzip data: the stream is cut short")
        except zlib.error as exc:
            raise ExtractionError(f"corrupt gzip data: {exc}") from exc
        # Padding zeros after a member are allowed, as gzip.decompress allows them.
        rest = inflater.unused_data.lstrip(b"\0")
    return bytes(out)


def decode_html(content: bytes | str) -> str:
    """Decode page bytes: BOM first, then the declared charset, then detection; then mend
    text the publisher itself stored double-encoded (see `_mend_double_encoding`)."""
    return _mend_double_encoding(_decode(content))


# A run of characters that are the bytes of one UTF-8 sequence read as Latin-1: a lead byte
# (Â to ô) and continuation bytes (U+0080 to U+00BF).
_DOUBLE_ENCODED_RE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]+")
_C1_CONTROLS_RE = re.compile("[\u0080-\u009f]")
# The same characters as UTF-8 (C2 80 to C2 9F): searched for in the text's bytes, where the
# fixed first byte lets the search skip ahead, rather than testing every character against a
# class, a few times faster on a whole page.
_C1_UTF8_RE = re.compile(b"\xc2[\x80-\x9f]")


def _mend_double_encoding(text: str) -> str:
    """ "Investor\u00e2\x80\x99s" -> "Investor\u2019s": UTF-8 the page stores read as Latin-1.

    Only runs holding a C1 control character (U+0080-U+009F, never in real text) are mended,
    and only when their bytes are valid UTF-8; "Ã©" written on purpose stays.
    """
    if _C1_UTF8_RE.search(text.encode("utf-8", "surrogatepass")) is None:
        return text

    def mend(match: re.Match[str]) -> str:
        run = match[0]
        if _C1_CONTROLS_RE.search(run) is None:
            return run
        try:
            return run.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return run

    return _DOUBLE_ENCODED_RE.sub(mend, text)


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if content[:2] == _GZIP_MAGIC:
        # Sent gzip'd without Content-Encoding, so the fetcher's bounded decoder never saw it.
        content = gunzip(content, MAX_INFLATED_BYTES)
    bom_encoding, bom = read_bom(content)
    if bom_encoding and bom:
        return content[len(bom) :].decode(bom_encoding, errors="replace")
    declared = html_body_declared_encoding(content[:4096])
    if declared:
        encoding = resolve_encoding(declared)
        if encoding:
            try:
                return content.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                logger.debug("declared charset %s does not decode the page", declared)
    return decode_file(content)


# Characters libxml2 trees cannot hold (trafilatura's INVALID_XML_CHARS), as UTF-8 bytes.
_XML_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_REPAIR_HEAD_CHARS = 4096  # trafilatura's doctype and <html/> repairs only look this far


# trafilatura's parser settings, with lxml.html's element classes chosen in C: its own lookup is
# a Python method called for every element a pass touches for the first time (thousands a
# page; docs/benchmarks.md, Article extraction). Every element is an HtmlElement, as before,
# but for the form controls' subclasses, which nothing here uses.
_HTML_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def parse_html(text: str) -> HtmlElement | None:
    """Parse a decoded page like ``trafilatura.utils.load_html``, in about two thirds the time.

    load_html runs a regular expression over the whole page to strip characters XML cannot
    hold; they are rare, so this checks for them with a byte-table pass and only then falls
    back to load_html. None when the text is not an HTML document.
    """
    data = text.encode("utf-8", "surrogatepass")
    if (
        len(data.translate(None, _XML_INVALID_BYTES)) != len(data)
        or "\ufffe" in text
        or "\uffff" in text
    ):
        return load_html(text)
    beginning = text[:50].lower()
    head = text[:_REPAIR_HEAD_CHARS]
    repaired = repair_faulty_html(head, beginning)
    if repaired != head:
        data = (repaired + text[_REPAIR_HEAD_CHARS:]).encode("utf-8", "surrogatepass")
    try:
        tree = lxml.html.fromstring(data, parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return load_html(text)
    if "html" not in beginning and len(tree) < 2:
        return None  # a fragment or another kind of document, as load_html judges it
    return tree


# --- body cleaning ---------------------------------------------------------------------------


def _squash(text: str) -> str:
    """Collapse whitespace in text lxml has already unescaped (clean_text would unescape twice)."""
    return " ".join(text.split())


def _norm(text: str) -> str:
    # Word characters only: quotes, dashes and spacing differ between repeats of one paragraph.
    return " ".join(_WORD_RE.findall(text.casefold()))


def _clean_body(
    body: etree._Element,
    meta: PageMetadata,
    captions: dict[str, tuple[str, str | None]],
    lead_key: str | None,
) -> None:
    lead_caption = _norm(meta.image_caption) if meta.image_caption else None
    caption_texts = {_norm(c) for c, _ in captions.values()}
    seen_text: set[str] = set()
    seen_images: set[str] = set()
    title_norm = _norm(meta.title) if meta.title else None
    prose_seen = False
    for element in list(body.iter(*_BLOCK_TAGS)):
        if element.getparent() is None:
            continue
        if element.tag == "graphic":
            key = image_key(element.get("src"))
            if key is None or key == lead_key or key in seen_images:
                _drop(element)
                continue
            seen_images.add(key)
            if key in captions:
                element.set("caption", captions[key][0])
                if captions[key][1]:
                    element.set("credit", captions[key][1] or "")
            continue
        if element.tag not in _TEXT_BLOCKS:
            continue
        text = _squash("".join(element.itertext()))
        norm = _norm(text)
        if not norm:
            if element.tag != "row" and not len(element):
                _drop(element)
            continue
        if not prose_seen and ((title_norm and norm == title_norm) or _is_date_line_text(text)):
            # The headline or a "Posted 9/8/2015 12:15 PM PT" line repeated above the story.
            _drop(element)
            continue
        if len(text) >= _MIN_PROSE_CHARS:
            prose_seen = True
        if element.tag == "row":
            continue
        if is_credit_line(text) or is_boilerplate(text) or _is_link_block(element, text):
            _drop(element)
            continue
        nested = any(a.tag in _TEXT_BLOCKS for a in element.iterancestors())
        if (
            not nested
            and len(norm) >= _MIN_REPEAT_CHARS
            and (
                (norm in seen_text and len(norm) >= _MIN_REPEAT_PARAGRAPH_CHARS)
                or norm == lead_caption
                or norm in caption_texts
            )
        ):
            # A caption printed again as prose, or a paragraph repeated by the page template.
            _drop(element)
            continue
        seen_text.add(norm)


_DATE_WORDS_RE = re.compile(
    r"\b(?:updated|published|posted|on|at|a\.?m|p\.?m|pt|et|ct|mt|"
    + "|".join(name.lower() for name in TZ_ABBREVIATIONS)
    + r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)\b|[\d\W_]+",
    re.IGNORECASE,
)
_NUMERIC_DATE_RE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}\b")
_MIN_PROSE_CHARS = 200
_MAX_DATE_LINE_CHARS = 60
_MAX_DATE_LINE_WORDS = 3  # left over besides the date: a name ("Jane Doe - Jan 24, 2020")


def _is_date_line_text(text: str) -> bool:
    """A short line that states when (and perhaps by whom), nothing else."""
    if len(text) > _MAX_DATE_LINE_CHARS or not any(ch.isdigit() for ch in text):
        return False
    if visible_days([text]):
        rest = without_visible_dates(text)
        return len(_DATE_WORDS_RE.sub(" ", rest).split()) <= _MAX_DATE_LINE_WORDS
    return bool(_NUMERIC_DATE_RE.search(text)) and not _DATE_WORDS_RE.sub("", text).strip()


def _is_link_block(element: etree._Element, text: str) -> bool:
    """A paragraph or list item that is (almost) all link text: related-story lists, share bars."""
    if element.tag not in ("item", "p"):
        return False
    refs = list(element.iter("ref"))
    if not refs:
        return False
    linked = sum(len(_squash("".join(r.itertext()))) for r in refs)
    return linked >= _LINK_BLOCK_SHARE * len(text)


def _drop(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _top_blocks(body: etree._Element) -> list[etree._Element]:
    # Nested blocks (a list inside a quote) are read through their parent only once.
    return [
        element
        for element in body.iter(*_TEXT_BLOCKS)
        if not any(a.tag in _TEXT_BLOCKS for a in element.iterancestors())
    ]


def _drop_edge_furniture(body: etree._Element, authors: list[str]) -> None:
    """Drop the furniture at the story's edges, then the headings left with nothing under them
    (trafilatura already drops a page's own last heading, so these headed what we dropped)."""
    blocks = [b for b in _top_blocks(body) if b.tag != "row"]
    for index in _edge_furniture([_squash("".join(b.itertext())) for b in blocks], authors):
        _drop(blocks[index])
    blocks = _top_blocks(body)
    headings = [(b.tag == "head", _squash("".join(b.itertext()))) for b in blocks]
    for index in orphan_headings(headings):
        _drop(blocks[index])


def _body_text(body: etree._Element) -> str:
    blocks: list[str] = []
    for element in _top_blocks(body):
        if element.tag == "row":
            # Tables stay in the plain text: a results or schedule table is what the page
            # reports, and search should find its names (dropping data tables cost aeb pages
            # whose table is the story more than it gained on spec-sheet reviews).
            text = " | ".join(_squash("".join(c.itertext())) for c in element)
        else:
            # Joined with spaces so <br> and inline tags never glue words; the space that puts
            # before punctuation is then taken out again.
            text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", _squash(" ".join(element.itertext())))
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


_MIN_DECLARED_BODY_CHARS = 500  # shorter articleBody values are teasers, not the article
_MIN_DECLARED_BODY_OVERLAP = 0.3  # of the declared body's word 4-grams found in ours


def _missed_declared_body(text: str, declared: str) -> bool:
    """True when our body misses most of a long JSON-LD articleBody: we took the wrong block."""
    if len(declared) < _MIN_DECLARED_BODY_CHARS:
        return False
    declared_grams = word_grams(declared)
    if not declared_grams:
        return False
    found = len(declared_grams & word_grams(text)) / len(declared_grams)
    return found < _MIN_DECLARED_BODY_OVERLAP


def _paragraphs_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return "".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)


def _body_html(body: etree._Element) -> str:
    html_root = convert_to_html(body)
    for element in list(html_root.iter("h1")):
        element.tag = "h2"
    for img in list(html_root.iter("img")):
        caption = img.attrib.pop("caption", None)
        credit = img.attrib.pop("credit", None)
        figure = etree.Element("figure")
        img.addprevious(figure)
        figure.tail, img.tail = img.tail, None
        figure.append(img)
        if caption or credit:
            figcaption = etree.SubElement(figure, "figcaption")
            figcaption.text = " ".join(p for p in (caption, credit) if p)
    body_el = html_root.find("body")
    inner = "".join(
        etree.tostring(child, encoding="unicode")
        for child in (body_el if body_el is not None else [])
    )
    return (body_el.text or "") + inner if body_el is not None else ""


# --- the stage -------------------------------------------------------------------------------


def extract_article(html: str | bytes, url: str | None = None) -> ExtractedArticle:
    """Extract an article's metadata and sanitised body from one HTML page.

    Raises :class:`ExtractionError` when the input is empty, too large or not HTML.
    """
    if isinstance(html, bytes) and len(html) > MAX_HTML_BYTES:
        raise ExtractionError(f"page is larger than {MAX_HTML_BYTES} bytes")
    try:
        text = decode_html(html)
    except (UnicodeError, LookupError) as exc:  # pragma: no cover - defensive
        raise ExtractionError(f"cannot decode page: {exc}") from exc
    if not text.strip():
        raise ExtractionError("empty document")
    tree = parse_html(text)
    if tree is None:
        raise ExtractionError("not an HTML document")

    meta = read_metadata(tree, url)
    base_url = url or meta.canonical_url
    captions = figure_captions(tree, base_url)
    lead_key = image_key(meta.image_url)

    # Read before trafilatura's pass: the author fallback below consumes the tree.
    published = page_published(tree, url, base_url, meta)
    drop_invisible(tree)
    prune_furniture(tree)
    mark_div_paragraphs(tree)
    mark_loose_paragraphs(tree)
    body = recover_body(tree, trafilatura_body(tree))
    body_html = body_text = ""
    if body is not None:
        put_back_images(body, tree)
        _clean_body(body, meta, captions, lead_key)
        _drop_edge_furniture(body, meta.authors)
        body_text = _body_text(body)
        body_html = sanitize_html(_body_html(body), base_url)
    if meta.article_body and _missed_declared_body(body_text, meta.article_body):
        body_text = meta.article_body
        body_html = sanitize_html(_paragraphs_html(meta.article_body), base_url)

    # Last user of the page tree: it prunes the tree in place instead of copying it.
    authors = meta.authors or _markup_authors(
        tree, exclude=[meta.site_name or ""], publisher_byline=meta.publisher_byline
    )

    lead_image = None
    if meta.image_url:
        caption, credit = meta.image_caption, meta.image_credit
        if lead_key in captions:
            fig_caption, fig_credit = captions[lead_key]
            caption = caption or fig_caption
            credit = credit or fig_credit
        lead_image = LeadImage(url=meta.image_url, caption=caption, credit=credit)

    return ExtractedArticle(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        authors=authors,
        published=published,
        updated=meta.updated,
        section=meta.section,
        language=meta.language,
        lead_image=lead_image,
        description=meta.description,
        html=body_html,
        text=body_text,
        word_count=len(re.findall(r"\w+", body_text)),
    )


def _markup_authors(
    tree: HtmlElement, exclude: list[str], publisher_byline: list[str]
) -> list[str]:
    """trafilatura's byline heuristics, for pages that declare no author; failing a writer,
    the publisher's name where the page prints it as the byline.

    Same as ``trafilatura.metadata.extract_author`` but without its copy of the whole page:
    *tree* is pruned in place, so it must not be used afterwards.
    """
    pruned = prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS)
    found = extract_metainfo(pruned, AUTHOR_XPATHS, len_limit=_MAX_AUTHOR_CHARS)
    if not found:
        return publisher_byline
    return (
        normalize_authors([found], exclude=exclude)
        or publisher_byline
        or normalize_authors([found], exclude=exclude, keep_excluded=True)
    )
