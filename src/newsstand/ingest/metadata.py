"""The metadata layer: what a page says about itself, in priority order.

1. JSON-LD (NewsArticle, Article, ReportageNewsArticle, BlogPosting, …; inside ``@graph``, lists
   and nested objects);
2. Open Graph and meta tags (og:*, article:*, parsely-*, sailthru.*, DC.*, itemprop);
3. trafilatura's and htmldate's heuristics, only for what is still missing.

:func:`read_metadata` takes a parsed lxml tree and never modifies it.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newsstand.ingest.authors import looks_like_handle, normalize_authors
from newsstand.ingest.bylines import dom_bylines, with_printed_byline
from newsstand.ingest.dates import parse_datetime
from newsstand.ingest.titles import choose_title, clean_text, find_headline

__all__ = ["ARTICLE_TYPES", "PageMetadata", "read_json_ld", "read_meta_tags", "read_metadata"]

logger = logging.getLogger(__name__)

ARTICLE_TYPES: frozenset[str] = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "livebloglisting",
        "scholarlyarticle", "techarticle", "report", "socialmediaposting", "liveblogposting",
        "askpublicnewsarticle", "satiricalarticle", "review", "posting",
    }
)  # fmt: skip
_ORG_TYPES: frozenset[str] = frozenset({"organization", "newsmediaorganization", "corporation"})

_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "published_time",
    "og:published_time", "datepublished", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.created", "dc.date", "dcterms.date", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "article.published",
    "cxenseparse:recs:publishtime",
    "displaydate", "dc.date.created", "originalpublicationdate", "article_date_original",
    "published", "publication_date", "article:published", "datecreated",
    # Highwire Press tags, which scholarly publishers print for Google Scholar.
    "citation_publication_date", "citation_online_date", "citation_date",
)  # fmt: skip
_UPDATED_KEYS = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article.updated",
    "modified_time", "revision_date",
)  # fmt: skip
_AUTHOR_KEYS = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "byline", "og:article:author", "article.author", "cxenseparse:author",
)  # fmt: skip
_SECTION_KEYS = (
    "article:section", "og:article:section", "parsely-section", "section", "articlesection",
    "sailthru.section", "dc.subject", "category", "cxenseparse:recs:category",
)  # fmt: skip


@dataclass(frozen=True)
class PageMetadata:
    """Everything known about a page apart from its body."""

    title: str | None = None
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    section: str | None = None
    language: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    article_body: str | None = None  # JSON-LD articleBody: the publisher's own plain text
    # The publisher's own name printed as the page's byline ("By The Citizen") or, with no
    # JSON-LD author, given in the author meta tag: the author only when nothing else names one.
    publisher_byline: list[str] = field(default_factory=list)


# --- JSON-LD ---------------------------------------------------------------------------------


def _loads_lenient(text: str) -> Any:
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Raw newlines/tabs inside strings are the commonest publisher error.
        try:
            return json.loads(re.sub(r"[\n\r\t]+", " ", text), strict=False)
        except json.JSONDecodeError:
            return None


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement", "hasPart"):
            if key in node:
                yield from _walk(node[key], depth + 1)


def read_json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, flattened out of @graph and lists."""
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _loads_lenient(script.text or "")
        if data is not None:
            objects.extend(_walk(data))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", ())
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {str(v).rsplit("/", 1)[-1].casefold() for v in values}


def _article_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    if not articles:
        return None
    # The page's own article carries a headline and the body; related-article stubs rarely do.
    return max(articles, key=lambda o: (bool(o.get("headline")), bool(o.get("articleBody"))))


def _first(value: Any) -> Any:
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return value


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, (str, int, float)) and str(value).strip():
        return clean_text(html_lib.unescape(str(value)))
    return None


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD author value: string, object, or list of them."""
    if value is None:
        return []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [str(n) for n in name if isinstance(n, str)]
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
        if isinstance(name, str) and name.lstrip().startswith(","):
            # ", The Worcester Telegram & Gazette": a template's "name, affiliation" with the
            # name left empty. The affiliation is not a writer.
            return []
        return [str(name)] if isinstance(name, str) and name.strip() else []
    if isinstance(value, str):
        return [value]
    return []


def _author_names(value: Any) -> list[str]:
    """Names from a JSON-LD author value, without the organisations when a person is named.

    Pages credit the writer and, beside them, the desk or agency ("Associated Press",
    "Financial Times") as an Organization. A reader wants the byline: the person who wrote
    it. An organisation alone stays the author (a wire story credited only to its agency).
    """
    items = value if isinstance(value, list) else [value]
    typed = [_types(item) for item in items if isinstance(item, dict)]
    if any("person" in types for types in typed):
        items = [
            item for item in items if not (isinstance(item, dict) and _types(item) & _ORG_TYPES)
        ]
    return _names(items)


def _declared_authors(
    value: Any, exclude: list[str], objects: list[dict[str, Any]] | None = None
) -> list[str]:
    """JSON-LD authors, without the publisher's own names unless typed as a Person.

    A site named after its writer (a personal blog, a newsletter: og:site_name "Jane Doe") still
    credits Jane Doe; an organisation credited as the author of its own page is not a byline.
    An author given by reference ({"@id": …, "name": …}, as Yoast's graph does) has the type of
    the object of *objects* with that @id.
    """
    names = _author_names(value)
    items = value if isinstance(value, list) else [value]
    typed_ids = {str(o["@id"]): _types(o) for o in objects or () if o.get("@id") and o.get("@type")}
    people = {
        name
        for item in items
        if isinstance(item, dict)
        and "person" in (_types(item) or typed_ids.get(str(item.get("@id")), set()))
        for name in _names(item)
    }
    return normalize_authors(
        names, exclude=[e for e in exclude if e not in people and clean_text(e) not in people]
    )


def _org_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for item in value for n in _org_names(item)]
    if isinstance(value, dict) and _types(value) & _ORG_TYPES:
        return _names(value)
    return []


# --- meta tags -------------------------------------------------------------------------------


def read_meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """Meta values keyed by lower-cased property/name/itemprop, in document order."""
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None:
            content = element.get("datetime") or element.get("value")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content.strip())
    return meta


def _meta_first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            if value:
                return value
    return None


def _date_from(candidates: Iterator[Any]) -> datetime | None:
    """The first plausible date; if stated in UTC, the same instant with the page's own offset.

    Pages often give JSON-LD in UTC and article:published_time with their local offset; the
    local one keeps the day the publisher printed.
    """
    parsed = [p for p in (parse_datetime(c) for c in candidates) if p is not None]
    if not parsed:
        return None
    first = parsed[0]
    if not first.utcoffset():
        for other in parsed[1:]:
            if other.utcoffset() and abs((other - first).total_seconds()) < _SAME_INSTANT_S:
                return other
    return first


def _time_elements(tree: HtmlElement, kind: str) -> Iterator[str]:
    for element in tree.iter("time"):
        itemprop = (element.get("itemprop") or "").lower()
        published = itemprop == "datepublished" or element.get("pubdate") is not None
        if (kind == "published" and published) or (
            kind == "updated" and itemprop == "datemodified"
        ):
            yield element.get("datetime") or element.text_content()


_SAME_INSTANT_S = 120


def _first_name_first(name: str) -> str:
    """ "Kaufman, Jeff T." -> "Jeff T. Kaufman": Highwire Press's citation_author tag holds one
    author a tag, often family name first."""
    family, comma, given = name.partition(",")
    if not comma or "," in given or not family.strip() or not given.strip():
        return name
    return f"{given.strip()} {family.strip()}"


def _language(tree: HtmlElement, meta: dict[str, list[str]], article: dict[str, Any]) -> str | None:
    raw = (
        _text(article.get("inLanguage"))
        or tree.get("lang")
        or tree.get("xml:lang")
        or _meta_first(meta, ("content-language", "og:locale", "dc.language", "language"))
    )
    if not raw:
        return None
    parts = re.split(r"[-_]", raw.strip())
    primary = parts[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", primary):
        return None
    if len(parts) > 1 and re.fullmatch(r"[A-Za-z]{2}", parts[1]):
        return f"{primary}-{parts[1].upper()}"
    return primary


def _image(
    article: dict[str, Any], meta: dict[str, list[str]], base_url: str | None
) -> tuple[str | None, str | None, str | None]:
    caption = credit = None
    url: str | None = None
    image = _first(article.get("image")) if article else None
    if isinstance(image, dict):
        url = _text(image.get("url") or image.get("contentUrl"))
        caption = _text(image.get("caption") or image.get("description"))
        credit = _text(
            image.get("creditText") or image.get("copyrightHolder") or image.get("author")
        )
    elif isinstance(image, str):
        url = image.strip() or None
    og_image = _meta_first(meta, ("og:image:secure_url", "og:image", "og:image:url"))
    twitter = _meta_first(meta, ("twitter:image", "twitter:image:src"))
    # og:image is the picture the publisher chose to represent the article; prefer it.
    url = og_image or url or twitter or _text(meta.get("thumbnailurl"))
    if url is None:
        return None, None, None
    if caption is None:
        caption = _meta_first(meta, ("og:image:alt", "twitter:image:alt"))
    absolute = urljoin(base_url, url) if base_url else url
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None, None, None
    return absolute, caption, credit


def read_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Collect the page's metadata from JSON-LD, meta tags and markup heuristics."""
    objects = read_json_ld(tree)
    article = _article_object(objects) or {}
    meta = read_meta_tags(tree)

    publisher_names = _org_names(article.get("publisher")) + [
        n for o in objects if _types(o) & _ORG_TYPES for n in _names(o)
    ]
    site_name = _meta_first(meta, ("og:site_name", "application-name", "twitter:site")) or (
        publisher_names[0] if publisher_names else None
    )
    if site_name:
        site_name = clean_text(site_name.lstrip("@"))

    title_tag = tree.find(".//title")
    h1s = [clean_text(h.text_content()) for h in tree.iter("h1")]
    title = choose_title(
        headline=_text(article.get("headline")) or _text(article.get("name")),
        og_title=_meta_first(meta, ("og:title", "twitter:title", "parsely-title", "dc.title")),
        title_tag=clean_text(title_tag.text_content()) if title_tag is not None else None,
        h1s=[h for h in h1s if h],
        site_names=[n for n in (site_name, *publisher_names) if n],
        url=url,
        # Read only on the pages whose h1 no declared title names, not on every page.
        subheads=(clean_text(h.text_content()) for h in tree.iter("h2", "h3")),
    )

    exclude = [n for n in (site_name, *publisher_names) if n]
    authors = _declared_authors(article.get("author"), exclude, objects)
    tagged = normalize_authors(
        [v for key in _AUTHOR_KEYS for v in meta.get(key, ()) if "://" not in v]
        + [_first_name_first(v) for v in meta.get("citation_author", ())],
        exclude=exclude,
    )
    if len(authors) > 1 and len(tagged) == 1 and tagged[0] in authors:
        # JSON-LD lists the editors and fact-checkers beside the writer; the author meta tag
        # names the one whose byline it is.
        authors = tagged
    if not authors:
        authors = tagged
    if not authors:
        authors = normalize_authors(_names(article.get("creator")), exclude=exclude)
    publisher_byline: list[str] = []
    headline = find_headline(tree, title)
    if authors:
        authors = with_printed_byline(authors, headline, exclude)
    if authors and all(map(looks_like_handle, authors)):
        # Declared as the CMS account's login: the byline printed on the page, where there is
        # one, names the writer as readers know them.
        printed, _ = dom_bylines(tree, headline, exclude)
        if printed and not any(map(looks_like_handle, printed)):
            authors = printed
    if not authors:
        authors, publisher_byline = dom_bylines(tree, headline, exclude)
        if not publisher_byline and not article.get("author"):
            # An author meta tag naming the site, where no JSON-LD credits the organisation by
            # default: the owner of a one-person or small site signing their page.
            publisher_byline = normalize_authors(
                [v for key in _AUTHOR_KEYS for v in meta.get(key, ()) if "://" not in v],
                exclude=exclude,
                keep_excluded=True,
            )

    published = _date_from(
        iter(
            [
                _first(article.get("datePublished")),
                _first(article.get("dateCreated")),
                *(v for key in _PUBLISHED_KEYS for v in meta.get(key, ())),
                *_time_elements(tree, "published"),
            ]
        )
    )
    updated = _date_from(
        iter(
            [
                _first(article.get("dateModified")),
                *(v for key in _UPDATED_KEYS for v in meta.get(key, ())),
                *_time_elements(tree, "updated"),
            ]
        )
    )

    section = _text(article.get("articleSection")) or _meta_first(meta, _SECTION_KEYS)
    canonical = None
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            canonical = link.get("href", "").strip()
            break
    canonical = canonical or _meta_first(meta, ("og:url",))
    if canonical and url:
        canonical = urljoin(url, canonical)
    if canonical and urlsplit(canonical).scheme not in ("http", "https"):
        canonical = None

    image_url, caption, credit = _image(article, meta, canonical or url)
    return PageMetadata(
        title=title,
        site_name=site_name,
        authors=authors,
        published=published,
        updated=updated,
        section=clean_text(section) if section else None,
        language=_language(tree, meta, article),
        image_url=image_url,
        image_caption=caption,
        image_credit=credit,
        description=_text(article.get("description"))
        or _meta_first(meta, ("og:description", "description", "twitter:description")),
        canonical_url=canonical,
        article_body=_article_body(article.get("articleBody")),
        publisher_byline=publisher_byline,
    )


def _article_body(value: Any) -> str | None:
    if isinstance(value, list):
        value = "\n\n".join(str(v) for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    return html_lib.unescape(value).strip()
