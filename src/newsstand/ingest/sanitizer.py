"""The one HTML policy for article bodies shown to readers.

Everything that reaches a reader's page passes through :func:`sanitize_html`: an allow-list of
prose tags (nh3, i.e. ammonia), no scripts, styles, frames, event handlers or ``javascript:`` URLs,
links and images made absolute against the page URL, and outbound links marked
``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "LINK_REL", "sanitize_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # prose
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
        "em", "i", "strong", "b", "u", "s", "del", "ins", "sub", "sup", "small", "mark",
        "q", "cite", "abbr", "time", "span",
        # lists
        "ul", "ol", "li", "dl", "dt", "dd",
        # tables
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        # media and links
        "a", "img", "figure", "figcaption", "picture",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
    "abbr": {"title"},
}

# Removed together with their content (nh3 would otherwise keep their text as prose).
_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "math",
     "form", "button", "select", "textarea", "frame", "frameset"}
)  # fmt: skip

LINK_REL = "noopener noreferrer nofollow"
_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES: frozenset[str] = frozenset({"href", "src"})


def _absolutiser(base_url: str | None) -> Callable[[str, str, str], str | None]:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr not in _URL_ATTRIBUTES:
            return value
        value = value.strip()
        if value.startswith(("https://", "http://")):
            return value  # already absolute and of an allowed scheme: most URLs, skip the parsing
        if not value or value.startswith("#"):
            # Fragment links point into the publisher's page, not ours.
            return None if attr == "href" and value.startswith("#") else value or None
        absolute = urljoin(base_url, value) if base_url else value
        scheme = urlsplit(absolute).scheme.lower()
        if scheme not in _URL_SCHEMES:
            # Relative URL without a base, or javascript:/data:/vbscript:: not safe to keep.
            return None
        if attr == "src" and scheme == "mailto":
            return None
        return absolute

    return attribute_filter


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Return *html* reduced to safe article prose, URLs absolute against *base_url*."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_absolutiser(base_url),
        url_schemes=set(_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
