"""What a publisher is called: cleaning the names feeds and sites give themselves, and which
origin of a name may replace which. Pure functions; `sources.actions` persists the outcome.

Feeds and pages name themselves for browsers' tabs, not for a list of publishers: "Latest News
and News Headlines | Daily Telegraph", "- Amar Ujala", "Autocar RSS Feed", "Home | Mail Online".
`clean_name` keeps the part that names the publisher, or None when nothing does ("News",
"Home"), so the caller falls back to the site's own address.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "NameChoice",
    "NameSource",
    "choose_name",
    "clean_name",
    "host_name",
    "name_from_titles",
    "replaces",
]


class NameSource(StrEnum):
    """Where a publisher's current name came from, weakest first (see `replaces`)."""

    HOST = "host"  # its web address: a placeholder until something better is known
    FEED = "feed"  # a feed's own title, cleaned
    CATALOGUE = "catalogue"  # the shipped catalogue or an OPML import
    SITE = "site"  # the site's homepage: og:site_name, application-name, JSON-LD, <title>
    STAFF = "staff"  # typed by a person: never replaced automatically


_RANK = {
    NameSource.HOST: 0,
    NameSource.FEED: 1,
    NameSource.CATALOGUE: 2,
    NameSource.SITE: 3,
    NameSource.STAFF: 4,
}


def replaces(new: NameSource, current: NameSource) -> bool:
    """Whether a name from `new` may replace one from `current`.

    Only a stronger origin replaces a weaker one, so a publisher with several feeds titled
    differently does not flip between them on every refresh. The site is the exception: it has
    one homepage, read again every week, so a renamed site is followed. Staff names stay.
    """
    if current is NameSource.STAFF:
        return False
    return _RANK[new] > _RANK[current] or new is current is NameSource.SITE


# Separators between a title's parts: "A | B", "A - B", "A: B", "A // B", "A» B".
_SEPARATORS_RE = re.compile(
    r"\s*[|»›>·]\s*|\s+[-–—:]+\s+|(?<=\w)[-–—:]\s+|\s+//?\s+|\s+::\s+"  # noqa: RUF001 - dashes are data
)
_FEED_WORDS_RE = re.compile(
    r"^(?:(?:rss|atom)(?:\s+(?:feeds?|channel))?(?:\s+(?:di|de|du|of|for|from|des|del)\b)?)\s*"
    r"|\s*\b(?:-\s*)?(?:public\s+)?(?:(?:rss|atom|xml)\s+)?(?:feeds?|channel)$"
    r"|\s*\b(?:rss|atom)$"
    # "Firstpost India Latest News", "News24 Top Stories", "… latest rss headlines"
    r"|\s+(?:latest|top|daily)\s+(?:rss\s+)?(?:news|stories|headlines)$"
    # "Articles on Smashing Magazine", "Posts on …"
    r"|^(?:articles|posts|stories|the\s+latest)\s+(?:on|from)\s+"
    # "www.espn.com", "https://www.sunstar.com.ph/": the address stands for the name.
    r"|^(?:https?://)?www\.|/$|^https?://",
    re.IGNORECASE,
)
_EDGE_PUNCTUATION = " \t-–—|:;,.·»«/\\"  # noqa: RUF001 - dashes are data
# Parts that name a page or a list rather than a publisher.
GENERIC_NAMES = frozenset(
    {
        "all",
        "all content",
        "all posts",
        "all shows",
        "articles",
        "blog",
        "breaking news",
        "english",
        "english (us)",
        "feed",
        "front page",
        "headlines",
        "home",
        "home page",
        "homepage",
        "journal",
        "latest",
        "latest articles",
        "latest headlines",
        "latest news",
        "local news",
        "main",
        "news",
        "news feed",
        "newsroom",
        "podcast",
        "posts",
        "rss",
        "section page news",
        "site",
        "stories",
        "the latest",
        "top",
        "top news",
        "top stories",
        "updates",
        "world",
        "world news",
        "video",
        # Section names: a feed titled after its section says nothing of its publisher.
        "beauty",
        "business",
        "cricket",
        "culture",
        "entertainment",
        "fashion",
        "film",
        "football",
        "health",
        "lifestyle",
        "movies",
        "opinion",
        "politics",
        "science",
        "sport",
        "sports",
        "tech",
        "technology",
        "tennis",
        "travel",
        "tv",
        # The same in languages the catalogue carries.
        "accueil",
        "actualités",
        "aktuell",
        "inicio",
        "najnowsze",
        "nachrichten",
        "notizie",
        "noticias",
        "portada",
        "startseite",
        "ultime notizie",
        "últimas noticias",
        "все материалы",
        "главные новости",
        "новости",
    }
)
# A part starting so is a description of a list ("Latest News and Headlines", "Breaking news
# from Nigeria"), not a name.
_LIST_PREFIX_RE = re.compile(r"^(?:latest|breaking|the\s+latest|all\s+the\s+latest)\b", re.I)
# More words than this is a tagline ("Saving the world, one room at a time").
TAGLINE_WORDS = 6
# How alike a part and the site's address must be for the part to be taken as the name.
DOMAIN_LIKENESS = 0.6


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _tidy(text: str) -> str:
    text = " ".join(html.unescape(text).split())
    for _ in range(3):  # "Autocar - RSS Feed": the feed words, then the dash they left
        before = text
        text = _FEED_WORDS_RE.sub("", text).strip(_EDGE_PUNCTUATION)
        if text == before:
            break
    return text


def _is_generic(part: str) -> bool:
    folded = part.casefold()
    return (
        not any(c.isalnum() for c in part)
        or folded in GENERIC_NAMES
        or bool(_LIST_PREFIX_RE.match(part))
        or folded.startswith(("http://", "https://", "www."))
    )


def _parts(title: str) -> list[str]:
    """The parts of a title that could be a publisher's name, in order."""
    raw = [_tidy(p) for p in _SEPARATORS_RE.split(html.unescape(title))]
    parts = [p for p in raw if not _is_generic(p)]
    if len(parts) > 1:
        # A tagline beside a short name is not the name.
        short = [p for p in parts if len(p.split()) <= TAGLINE_WORDS]
        parts = short or parts
    elif parts and len(parts[0].split()) > TAGLINE_WORDS and len(raw) > 1:
        return []
    return parts


def _site_label(site: str) -> str:
    """The distinctive word of a site: "dailytelegraph" for dailytelegraph.com.au."""
    return _norm(site.split("/")[-1].split(".")[0] if "/" in site else site.split(".")[0])


def _likeness(part: str, label: str) -> float:
    normed = _norm(part)
    if not label or not normed:
        return 0.0
    score = difflib.SequenceMatcher(None, normed, label).ratio()
    if label in normed or normed in label:
        score = max(score, 0.9)
    return score


def name_from_titles(titles: Sequence[str], site: str) -> str | None:
    """A publisher's name from titles it gives (its feeds', its homepage's): the part most like
    the site's address, else the part the titles share, else the first part of the shortest
    title; None when every part is generic."""
    per_title = [p for p in (_parts(t) for t in titles if t and t.strip()) if p]
    if not per_title:
        return None
    label = _site_label(site)
    candidates = [part for parts in per_title for part in parts]
    best = max(candidates, key=lambda part: _likeness(part, label))
    if _likeness(best, label) >= DOMAIN_LIKENESS:
        return best
    counts = {part: candidates.count(part) for part in candidates}
    top = max(counts.values())
    if top > 1 and len(per_title) > 1:
        return next(part for part in candidates if counts[part] == top)
    return min(per_title, key=lambda parts: sum(len(p) for p in parts))[0]


def clean_name(name: str, site: str) -> str | None:
    """One name as a publisher would write it, or None if it names no publisher."""
    return name_from_titles([name], site)


def host_name(site: str) -> str:
    """The name of last resort: the site's address ("bdnews24.com")."""
    return site.removeprefix("www.")


@dataclass(frozen=True)
class NameChoice:
    """A name and where it came from."""

    name: str
    source: NameSource


def choose_name(
    *, site: str, site_names: Sequence[str] = (), feed_titles: Sequence[str] = ()
) -> NameChoice:
    """The best name for a publisher from what its site and feeds say about themselves.

    `site_names` are the homepage's own names in order of trust (og:site_name first, its
    <title> last); the first that cleans to a name wins. Then the feeds' titles, then the host.
    """
    for raw in site_names:
        name = clean_name(raw, site)
        if name:
            return NameChoice(name, NameSource.SITE)
    name = name_from_titles(list(feed_titles), site)
    if name:
        return NameChoice(name, NameSource.FEED)
    return NameChoice(host_name(site), NameSource.HOST)
