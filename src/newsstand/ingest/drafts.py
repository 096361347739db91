"""Deciding what to store for a feed entry: pure functions over the pipeline's dataclasses."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import courlan
from lxml import html as lxml_html

from newsstand.ingest.extractor import ExtractedArticle
from newsstand.ingest.feeds import ParsedEntry
from newsstand.ingest.sanitizer import sanitize_html

# Below this many words two texts hashing alike are more likely stubs ("Video") than one article.
MIN_WORDS_FOR_HASH_DEDUP = 40
SUMMARY_MAX_CHARS = 400
MAX_TOPICS = 12
TOPIC_MAX_CHARS = 60
_WORD_RE = re.compile(r"\w+")
# The feed's own copy of the story is the body when it holds more than this many times the
# words extraction found: the extractor missed the story (or was served a consent wall), and
# a feed that carries the whole article (content:encoded) should not lose it to a sliver.
FEED_BODY_RATIO = 2


@dataclass(frozen=True)
class ArticleDraft:
    """Everything Newsstand will store for one article, decided before touching the database."""

    url: str
    guid: str
    title: str
    authors: list[str]
    section: str
    topics: list[str]
    published: datetime | None
    updated: datetime | None
    lead_image_url: str
    lead_image_caption: str
    lead_image_credit: str
    summary: str
    html: str
    text: str
    language: str
    word_count: int
    content_hash: str
    extraction_error: str


def normalize_url(url: str) -> str:
    """The form of a URL used for identity: tracking parameters and fragments removed."""
    try:
        cleaned = courlan.normalize_url(url, strict=True)
    except ValueError:
        return url
    return cleaned or url


def same_site(a: str, b: str) -> bool:
    da, db = courlan.extract_domain(a), courlan.extract_domain(b)
    if da and db:
        return bool(da == db)
    return urlsplit(a).hostname == urlsplit(b).hostname


def choose_canonical_url(page_url: str, declared_canonical: str | None) -> str:
    """The page's rel=canonical if it stays on the publisher's site, else the fetched URL.

    A canonical pointing to another site would let one publisher claim another's article.
    """
    if declared_canonical and same_site(page_url, declared_canonical):
        return normalize_url(declared_canonical)
    return normalize_url(page_url)


def content_fingerprint(text: str) -> str:
    """A hash of the words alone, so markup, spacing and punctuation changes do not matter."""
    if not text:
        return ""
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < MIN_WORDS_FOR_HASH_DEDUP:
        return ""
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def html_to_text(html: str) -> str:
    if not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    blocks = [t.strip() for t in root.itertext()]
    return re.sub(r"\s+", " ", " ".join(b for b in blocks if b)).strip()


def topics_from_categories(categories: list[str]) -> list[str]:
    """Feed categories as topics: trimmed, de-duplicated regardless of case, bounded."""
    topics: list[str] = []
    seen: set[str] = set()
    for raw in categories:
        topic = re.sub(r"\s+", " ", raw).strip()[:TOPIC_MAX_CHARS]
        if topic and topic.casefold() not in seen:
            seen.add(topic.casefold())
            topics.append(topic)
    return topics[:MAX_TOPICS]


def _teaser(text: str) -> str:
    if len(text) <= SUMMARY_MAX_CHARS:
        return text
    cut = text[:SUMMARY_MAX_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def build_draft(
    entry: ParsedEntry,
    extracted: ExtractedArticle | None,
    *,
    page_url: str,
    extraction_error: str = "",
) -> ArticleDraft:
    """Merge what the feed said with what the page said.

    The page's structured data wins for metadata, except the headline: the feed's title is written
    for listing and carries no " - Site" suffix, so it wins when present. Without an extraction
    we still keep the feed's own summary, so a failed page fetch loses nothing the feed gave us.
    """
    guid = (entry.guid or entry.url or page_url).strip()
    if extracted is None:
        body_html = sanitize_html(entry.summary_html or "", base_url=page_url)
        text = html_to_text(body_html)
        return ArticleDraft(
            url=normalize_url(page_url),
            guid=guid,
            title=entry.title or page_url,
            authors=list(entry.authors),
            section=entry.categories[0] if entry.categories else "",
            topics=topics_from_categories(entry.categories),
            published=entry.published,
            updated=entry.updated,
            lead_image_url=entry.image_url or "",
            lead_image_caption="",
            lead_image_credit="",
            summary=_teaser(text),
            html=body_html,
            text=text,
            language="",
            word_count=len(_WORD_RE.findall(text)),
            content_hash=content_fingerprint(text),
            extraction_error=extraction_error,
        )

    image = extracted.lead_image
    feed_html = sanitize_html(entry.summary_html or "", base_url=page_url)
    feed_text = html_to_text(feed_html)
    body_html, text = extracted.html, extracted.text
    word_count = len(_WORD_RE.findall(text))
    feed_words = len(_WORD_RE.findall(feed_text))
    if feed_words > FEED_BODY_RATIO * word_count:
        body_html, text, word_count = feed_html, feed_text, feed_words
    summary_source = extracted.description or feed_text
    return ArticleDraft(
        url=choose_canonical_url(extracted.url or page_url, extracted.canonical_url),
        guid=guid,
        title=entry.title or extracted.title or page_url,
        authors=list(extracted.authors or entry.authors),
        section=extracted.section or (entry.categories[0] if entry.categories else ""),
        topics=topics_from_categories(entry.categories),
        published=extracted.published or entry.published,
        updated=extracted.updated or entry.updated,
        lead_image_url=(image.url if image else "") or entry.image_url or "",
        lead_image_caption=image.caption if image and image.caption else "",
        lead_image_credit=image.credit if image and image.credit else "",
        summary=_teaser(summary_source or text),
        html=body_html,
        text=text,
        language=extracted.language or "",
        word_count=word_count,
        content_hash=content_fingerprint(text),
        extraction_error=extraction_error,
    )
