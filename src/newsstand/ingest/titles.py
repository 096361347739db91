"""Choosing an article's title from the headline, og:title, <title> and <h1>.

<title> and og:title usually carry the site's name ("Headline - Site", "Site | Headline"); that
part is cut when it matches the site name or the host, or when the rest agrees with another source.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from lxml.html import HtmlElement

__all__ = [
    "choose_title",
    "clean_text",
    "find_headline",
    "normalize_for_compare",
    "strip_site_name",
    "texts_after",
]

_SEPARATOR_RE = re.compile(r"\s+(?:[|\-\u2013\u2014:\u00b7\u2022\u00bb/~]|::)\s+")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2032": "'",
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_MAX_SITE_WORDS = 6
_MAX_H1_CHARS = 300


def clean_text(text: str) -> str:
    """Unescape entities and collapse whitespace."""
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def normalize_for_compare(text: str) -> str:
    """Casefold, unify quotes and dashes, collapse whitespace (the bench's title comparison)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def _canon(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize_for_compare(text))


def _host_tokens(url: str | None) -> list[str]:
    if not url:
        return []
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp", "edition")]
    # "theguardian.com" -> "theguardian"; "bbc.co.uk" -> "bbc"
    return [label for label in labels[:-1] if len(label) > 1] or labels


def _is_site_part(part: str, site_names: Sequence[str], url: str | None) -> bool:
    canon = _canon(part)
    if not canon or len(part.split()) > _MAX_SITE_WORDS:
        return False
    for site in site_names:
        site_canon = _canon(site)
        if site_canon and (canon == site_canon or canon in site_canon or site_canon in canon):
            return True
    for token in _host_tokens(url):
        token_canon = _canon(token)
        if len(token_canon) > 2 and (token_canon in canon or canon in token_canon):
            return True
    return False


def strip_site_name(
    title: str, site_names: Sequence[str], url: str | None, others: Sequence[str] = ()
) -> str:
    """Cut a leading or trailing site-name part off *title*."""
    parts = _SEPARATOR_RE.split(title)
    if len(parts) < 2:
        return title
    other_canons = {_canon(o) for o in others if o}
    # "Headline - Section - Site": drop site parts from the end, then from the start.
    while len(parts) > 1 and _is_site_part(parts[-1], site_names, url):
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], site_names, url):
        parts.pop(0)
    stripped = _joined(title, parts)
    if stripped != title:
        return stripped
    # No recognisable site name: accept a cut only when another source agrees with it.
    for end in range(len(parts) - 1, 0, -1):
        candidate = _joined(title, parts[:end])
        if _canon(candidate) in other_canons:
            return candidate
    for start in range(1, len(parts)):
        candidate = _joined(title, parts[start:])
        if _canon(candidate) in other_canons:
            return candidate
    return title


def _joined(title: str, parts: list[str]) -> str:
    """Re-join *parts* using the separators they had in *title*."""
    if not parts:
        return title
    first = title.find(parts[0])
    last = title.rfind(parts[-1])
    if first < 0 or last < 0:
        return " ".join(parts)
    return title[first : last + len(parts[-1])].strip()


def choose_title(
    *,
    headline: str | None,
    og_title: str | None,
    title_tag: str | None,
    h1s: Sequence[str],
    site_names: Sequence[str],
    url: str | None,
    subheads: Iterable[str] = (),
) -> str | None:
    """Pick the article title from its sources, preferring agreement between them.

    *subheads* are the page's <h2> and <h3> texts, in document order (read at most once, and
    only when no <h1> matches a declared title).
    """
    return _without_pipe_tagline(
        _without_media_label(
            _choose_title(
                headline=headline,
                og_title=og_title,
                title_tag=title_tag,
                h1s=h1s,
                site_names=site_names,
                url=url,
                subheads=subheads,
            )
        )
    )


def _choose_title(
    *,
    headline: str | None,
    og_title: str | None,
    title_tag: str | None,
    h1s: Sequence[str],
    site_names: Sequence[str],
    url: str | None,
    subheads: Iterable[str],
) -> str | None:
    headline = clean_text(headline) if headline else None
    og_title = clean_text(og_title) if og_title else None
    title_tag = clean_text(title_tag) if title_tag else None
    others = [t for t in (headline, og_title, title_tag, *h1s) if t]
    stripped = [
        strip_site_name(t, site_names, url, others) if t else None
        for t in (headline, og_title, title_tag)
    ]
    h1s = [
        # Some templates print the <title> as the visible headline, site name and all.
        strip_site_name(h, site_names, url)
        for h in h1s
        if h and len(h) <= _MAX_H1_CHARS and not _is_site_part(h, site_names, url)
    ]
    declared = next((t for t in stripped if t), None)
    declared_canons = {_canon(t) for t in stripped if t}
    if h1s and not any(_canon(h) in declared_canons for h in h1s):
        # Templates that spend the <h1> on the blog's or section's name ("Our Blog", "Pulse!")
        # print the story's headline as an <h2>: the heading the declared title names.
        subhead = next((s for s in subheads if s and _canon(s) in declared_canons), None)
        if subhead is not None:
            return subhead
    if len(h1s) == 1:
        # The visible headline is what readers know the article by; SEO titles often differ.
        return _without_kicker(h1s[0], stripped)
    if h1s:
        reference = _words(" ".join(t for t in stripped if t))
        best = max(h1s, key=lambda h: len(_words(h) & reference) / (len(_words(h)) or 1))
        if _words(best) & reference:
            return _without_kicker(best, stripped)
    return declared or (h1s[0] if h1s else None)


# A media label after the headline ("… [Watch]", "… (video)") tells what the page embeds, not
# what the story is called.
_MEDIA_LABEL_RE = re.compile(
    r"\s*[\[(](?:watch|video|videos|photos?|pics|gallery|listen|audio|podcast)[\])]$", re.I
)


def _without_media_label(title: str | None) -> str | None:
    if not title:
        return title
    return _MEDIA_LABEL_RE.sub("", title) or title


# A pipe is a separator SEO titles use, not punctuation a headline uses: what is left of one
# after the site name is cut is a tagline or section ("12 Tools for 2026 | Python, SQL & AI").
_PIPE_RE = re.compile(r"\s+\|\s+")


def _without_pipe_tagline(title: str | None) -> str | None:
    """Keep the longest (in words) of the parts a pipe separates: the headline."""
    if not title:
        return title
    parts = _PIPE_RE.split(title)
    if len(parts) < 2:
        return title
    return max(parts, key=lambda part: len(part.split()))


def _without_kicker(h1: str, declared: Sequence[str | None]) -> str:
    """ "Opinion What I'll …" -> "What I'll …" when a declared title is the h1 minus a kicker."""
    h1_canon = _canon(h1)
    if declared and declared[0] and _canon(declared[0]) == h1_canon:
        # The article's own headline field states the h1 whole: its first words are the
        # headline's, whatever shorter form the SEO titles use.
        return h1
    for title in declared:
        canon = _canon(title) if title else ""
        if (
            canon
            and canon != h1_canon
            and h1_canon.endswith(canon)
            and len(canon) * 2 >= len(h1_canon)
            # "2025 Price Guide": a leading number (a year, a count) is the headline's own.
            and not h1_canon[: -len(canon)].isdigit()
        ):
            return title or h1
    return h1


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", normalize_for_compare(text)))


def find_headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The page's headline element: the <h1> that reads as *title*, else the first <h1>."""
    h1s = list(tree.iter("h1"))
    if not h1s:
        return None
    wanted = _canon(title or "")
    return next((h for h in h1s if _canon(h.text_content()) == wanted), h1s[0])


# Texts a reader does not see as the page's, or that date a photo rather than the story.
_UNREAD_TAGS: frozenset[str] = frozenset({"script", "style", "figcaption"})


def texts_after(element: HtmlElement, count: int) -> list[str]:
    """The first *count* texts after *element* in document order (its tail, its following
    siblings' texts, then its ancestors'), leaving out scripts, styles and photo captions.

    What bylines and datelines under a headline are read from. A walk that stops after *count*
    texts: the XPath `following::text()` with the same filter tested every text to the end of
    the page.
    """
    found: list[str] = []
    current: HtmlElement | None = element
    while current is not None and len(found) < count:
        if current.tail:
            found.append(current.tail)
        for sibling in current.itersiblings():
            if len(found) >= count:
                break
            _texts_within(sibling, found, count)
            if sibling.tail:
                found.append(sibling.tail)
        current = current.getparent()
    return found[:count]


def _texts_within(element: HtmlElement, found: list[str], count: int) -> None:
    if not isinstance(element.tag, str) or element.tag in _UNREAD_TAGS:
        return  # a comment, a processing instruction, or text no reader takes for the page's
    if element.text:
        found.append(element.text)
    for child in element:
        if len(found) >= count:
            return
        _texts_within(child, found, count)
        if child.tail:
            found.append(child.tail)
