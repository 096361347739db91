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

# Blocks of the page that trafilatura turns into top-level body elements (p, head, list, quote,
# table); the photos between them are what we look for.
# Lists and tables are left out: reading every navigation menu's text costs more than the rare
# photo next to a list is worth.
_PAGE_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "blockquote")
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


def _key(text: str) -> str:
    # Blocks are told apart by their text without whitespace, which is all that differs
    # between a page's paragraph and trafilatura's copy of it.
    return "".join(text.split())


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
    if next(tree.iter("img"), None) is None:
        return
    # Positions count text blocks only: empty paragraphs between two blocks don't part them.
    keys = [(child, _key("".join(child.itertext()))) for child in body]
    blocks = [child for child, key in keys if key]
    index: dict[str, int] = {}
    for position, key in enumerate(key for _, key in keys if key):
        index.setdefault(key, position)
    if not index:
        return
    placements: list[tuple[int, HtmlElement]] = []
    last: int | None = None
    pending: list[HtmlElement] = []
    for element in tree.iter(*_PAGE_BLOCKS, "img"):
        if element.tag == "img":
            if last is not None:
                pending.append(element)
            continue
        found = index.get(_key(element.text_content()))
        if found is None:
            continue
        if pending and last is not None and found == last + 1:
            placements.extend((last, img) for img in pending)
        pending = []
        last = found
    for after, img in reversed(placements):
        src = image_src(img)
        if not src or _too_small(img):
            continue
        graphic = etree.Element("graphic", src=src)
        for attr in ("alt", "title"):
            if img.get(attr):
                graphic.set(attr, img.get(attr, ""))
        blocks[after].addnext(graphic)
