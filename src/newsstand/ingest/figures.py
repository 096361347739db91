"""The article's photos: captions from the page's <figure>s, and photos put back into the body.

The body text is extracted without images, because trafilatura's image mode also changes which
text it keeps (caption blocks, image-only links). The photos are then placed back from the
original page: each one between the two extracted blocks it sits between in the page, so a photo
outside the extracted text (sidebar, related stories, author head shot) never comes in.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import image_src

from newsstand.ingest.titles import clean_text

__all__ = ["figure_captions", "image_key", "put_back_images"]

_WORD_RE = re.compile(r"\w+")
# Blocks of the page that trafilatura turns into top-level body elements (p, head, list, quote,
# table); the photos between them are what we look for.
_PAGE_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table")
_MIN_IMAGE_SIDE_PX = 80  # smaller stated sizes are icons, avatars and tracking pixels


def image_key(url: str | None) -> str | None:
    """Identify a photo across resized variants: its file name, else its path."""
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    name = path.rsplit("/", 1)[-1].lower()
    name = re.sub(r"[-_]?\d{2,4}x\d{2,4}(?=\.\w+$)", "", name)  # WordPress size suffix
    return name if len(name) > 6 else path.lower() or None


def figure_captions(tree: HtmlElement, base_url: str | None) -> dict[str, tuple[str, str | None]]:
    """Map image key -> (caption, credit) from <figure>/<figcaption> in the original page."""
    captions: dict[str, tuple[str, str | None]] = {}
    for figure in tree.iter("figure"):
        figcaption = next(figure.iter("figcaption"), None)
        if figcaption is None:
            continue
        credit_parts = [
            clean_text(el.text_content())
            for el in figcaption.iter()
            if re.search(r"credit|copyright|byline|source", (el.get("class") or ""), re.I)
            and el is not figcaption
        ]
        credit = next((c for c in credit_parts if c), None)
        caption = clean_text(figcaption.text_content())
        if credit and caption.endswith(credit):
            caption = caption[: -len(credit)].strip()
        for img in figure.iter("img", "source"):
            src = img.get("src") or img.get("data-src") or (img.get("srcset") or "").split(" ")[0]
            key = image_key(urljoin(base_url, src) if base_url and src else src)
            if key and caption:
                captions.setdefault(key, (caption, credit))
    return captions


def _norm(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.casefold()))


def _too_small(img: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_IMAGE_SIDE_PX:
            return True
    return False


def put_back_images(body: etree._Element, tree: HtmlElement) -> None:
    """Insert <graphic> elements into *body* for the page's photos between extracted blocks.

    A photo is kept when the extracted block before it in the page and the next extracted block
    after it are neighbours in *body*: it sat inside the text we kept, not after or beside it.
    """
    # Positions count text blocks only: empty paragraphs between two blocks don't part them.
    blocks = [child for child in body if _norm("".join(child.itertext()))]
    index: dict[str, int] = {}
    for position, child in enumerate(blocks):
        index.setdefault(_norm("".join(child.itertext())), position)
    if not index:
        return
    placements: list[tuple[int, etree._Element]] = []
    last: int | None = None
    pending: list[etree._Element] = []
    for element in tree.iter(*_PAGE_BLOCKS, "img"):
        if element.tag == "img":
            if last is None or _too_small(element):
                continue
            src = image_src(element)
            if src:
                graphic = etree.Element("graphic", src=src)
                for attr in ("alt", "title"):
                    if element.get(attr):
                        graphic.set(attr, element.get(attr, ""))
                pending.append(graphic)
            continue
        found = index.get(_norm(element.text_content()))
        if found is None:
            continue
        if pending and last is not None and found == last + 1:
            placements.extend((last, graphic) for graphic in pending)
        pending = []
        last = found
    for after, graphic in reversed(placements):
        blocks[after].addnext(graphic)
