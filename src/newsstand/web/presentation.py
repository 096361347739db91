"""Pure presentation decisions for the reader: teasers, the "updated" rule, the lead-image dedupe.

Nothing here touches the database, so views stay thin and these rules are tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape, unescape

import lxml.html
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator

from newsstand.articles.models import Article

TEASER_CHARS = 200
# No teaser, anywhere, shows more than this share of the article's words: on a 47-word article a
# 200-character teaser would be most of it (gate.teaser keeps the gated page to the same share).
TEASER_MAX_SHARE = 0.5
# Publishers re-stamp "modified" on publication; only a later change is worth telling readers about.
UPDATE_THRESHOLD = timedelta(minutes=5)

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ArticleCard:
    """One entry on a list page: the article (body deferred) and its teaser text."""

    article: Article
    teaser: str


def _squash(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def teaser_words(body_words: int, max_words: int | None = None) -> int:
    """The most words any teaser may show of an article of `body_words` words:
    TEASER_MAX_SHARE of them, and no more than `max_words` if given."""
    share = int(body_words * TEASER_MAX_SHARE)
    return share if max_words is None else min(max_words, share)


def make_teaser(
    summary: str, text_head: str, limit: int = TEASER_CHARS, *, body_words: int = 0
) -> str:
    """Plain-text teaser of at most `limit` characters: the description, else the body's start.

    Never more than `TEASER_MAX_SHARE` of the article's `body_words` words (0: no body stored,
    nothing to protect), cut at a word. Feed descriptions often carry markup, so tags are
    dropped; the template escapes the result.
    """
    source = _squash(strip_tags(summary or "")) or _squash(text_head or "")
    teaser = Truncator(source).chars(limit)
    if body_words > 0:
        max_words = teaser_words(body_words)
        if len(teaser.split()) > max_words:
            teaser = Truncator(source).words(max_words) if max_words else ""
    return teaser


def was_updated(published: datetime | None, updated: datetime | None) -> bool:
    """Whether an "Updated …" line adds information beyond the publication time."""
    if updated is None:
        return False
    if published is None:
        return True
    return updated - published > UPDATE_THRESHOLD


def _norm_url(url: str) -> str:
    return url.strip().split("#", 1)[0].rstrip("/")


def strip_duplicate_lead(body_html: str, image_url: str, caption: str, credit: str = "") -> str:
    """Remove from the body the lead image and a paragraph repeating its caption.

    The reader shows the lead image with caption and credit above the body; many publishers repeat
    that picture (and its caption as a loose paragraph) inside the article, so readers would see it
    twice. `body_html` is already sanitised: removing elements keeps it safe.
    """
    if not body_html.strip() or not (image_url or caption):
        return body_html
    wanted_src = _norm_url(image_url) if image_url else ""
    captions = {c for c in (_squash(caption), _squash(f"{caption} {credit}")) if c}
    if not _may_repeat(body_html, wanted_src, captions):
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    changed = False
    if wanted_src:
        for img in root.iter("img"):
            if _norm_url(img.get("src", "")) != wanted_src:
                continue
            figure = next((a for a in img.iterancestors("figure")), None)
            _drop(figure if figure is not None else img)
            changed = True
            break
    if captions:
        for el in root.iter("p", "figcaption", "div"):
            if _squash(el.text_content()) in captions:
                _drop(el)
                changed = True
                break
    if not changed:
        return body_html
    # root.text is decoded text: it must be escaped again, or "&lt;script" would become markup.
    return escape(root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")


def _may_repeat(body_html: str, wanted_src: str, captions: set[str]) -> bool:
    """Whether the body can hold the lead image or its caption, told from its text without
    parsing it. Parsing a real body takes ~0.5 ms (`python -m bench.lead_photo`), and a page
    of 100 synced entries asks this of every one (sync.entries); most bodies hold neither, and
    a word of the caption (or the image's address) missing from the HTML rules them out in
    microseconds."""
    if wanted_src:
        written = {wanted_src, wanted_src.replace("&", "&amp;"), escape(wanted_src, quote=True)}
        if any(form in body_html for form in written):
            return True
    # The caption's words: a paragraph repeating the caption has each in its text, and so in
    # the HTML, which writes letters and digits as they are (punctuation may be an entity, or
    # follow a closing tag), unless a tag splits that very word. The shortest form's words are
    # in the others (the caption, then the caption and credit).
    words = sorted(set(_WORD.findall(min(captions, key=len, default=""))), key=len, reverse=True)
    if not captions or not all(word in body_html for word in words):
        return False
    # The word may be there in other sentences: the body's text, with tags taken out as an
    # element's text_content takes them out, holds the caption whole if an element's text is it.
    text = _squash(unescape(_TAG.sub("", body_html)))
    return any(caption in text for caption in captions)


def _drop(el: lxml.html.HtmlElement) -> None:
    # drop_tree keeps the element's tail text, unlike getparent().remove().
    el.drop_tree()


def image_src(url: str) -> str:
    """A publisher's image address as pages may show it, else "".

    A site served over https (NEWSSTAND_HTTPS) allows images over https only (its
    Content-Security-Policy) and asks for a plain-http one over https, as browsers upgrade it on
    an https page anyway; a site served over plain http (one machine, a test) shows both. An
    address of any other kind (relative, data:, javascript:) is not shown.
    """
    url = (url or "").strip()
    if url.startswith("//"):
        url = "https:" + url
    if url.startswith("https://"):
        return url
    if url.startswith("http://"):
        return "https://" + url[len("http://") :] if settings.NEWSSTAND_HTTPS else url
    return ""


_HTTP_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")http://', re.IGNORECASE)


def body_images(html: str) -> str:
    """Sanitised body HTML with its images' plain-http addresses asked for over https on a site
    served over https (see `image_src`); unchanged otherwise. nh3 writes every attribute in
    double quotes, so one pattern finds them."""
    if not settings.NEWSSTAND_HTTPS or "http://" not in html:
        return html
    return _HTTP_IMG_SRC.sub(r"\1https://", html)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def shown_caption(caption: str, title: str) -> str:
    """A lead image's caption as the article page shows it: "" when it only repeats the
    headline (publishers often put the title in the image's alt text or og:image:alt, and the
    page would print it twice, a line apart)."""
    caption = (caption or "").strip()
    if caption and _words(caption) == _words(title):
        return ""
    return caption
