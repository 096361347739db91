"""Sections: one section per article from a small list, whatever the publisher called it.

Pages and feeds name sections every way: "News" and "news", "TECHNOLOGY", "Sports",
"World news", "Arts &amp; Entertainment", keyword lists ("Apollo 8, Frank Borman, Humans in
Space, NASA History"), "Article", a sentence of a description, a URL. `normalise_section`
maps such a raw value onto a `SectionCatalogue` (the `Section` rows: a name and the other
names publishers use for it) or to nothing. Pure; the catalogue comes from
`section_catalogue()`, a per-process copy of the table.

The fold: HTML entities decoded, accents and case dropped, "&" and "+" read as "and", the rest
of the punctuation as spaces, a leading "the" and a trailing "news" ("World news") left off, and
a plural "s" tried off too ("Sports" is Sport). Then, first match wins:

1. the whole value;
2. its parts split at list separators (",", ";", "|", "/", ">", " - " …), in order;
3. within each part, left to right, the longest run of up to three words that is a known name
   ("Smart News Science" is Science, "Humans in Space" is Science, "Cell Biology" is Science).

A part longer than `MAX_PART_CHARS` is a description, not a name, and a value that reads as a
sentence or an address is no section at all. Anything unknown is dropped (the raw value stays
in `Article.section_source`, so a name staff add later applies to it: `newsstand sections
normalise`).
"""

from __future__ import annotations

import html
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from newsstand.articles.models import Section

# A part of a raw section longer than this (characters) is a description or tag soup.
MAX_PART_CHARS = 40
# Word runs tried as a name within a part (longest first): "life and style" is three.
MAX_NAME_WORDS = 3
# How long a process keeps its copy of the Section table (seconds); saving a Section in this
# process drops it at once (articles.apps), other processes see the change within this time.
CATALOGUE_TTL_S = 60.0

# List separators: , ; | / > and the guillemet, single guillemet, middle dot and bullet; and a
# hyphen, en or em dash or colon between spaces.
_SEPARATORS = re.compile("\\s*(?:[,;|/>\u00bb\u203a\u00b7\u2022]|\\s[-\u2013\u2014:]\\s)\\s*")
_SENTENCE = re.compile(r"[.!?]\s+\w")
_URL = re.compile(r"^\s*(?:https?:|www\.)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")

# The starting list, as tuned (bench/sections.py). Migration articles 0007 seeds a frozen copy of
# it, so editing it here changes no database, new or old: staff change the table in the admin,
# or a new migration does. Staff add and rename in the admin.
# Each: the name readers see, then other names publishers use (folded as above, so case,
# accents, "&"/"and", a trailing "news" and a plural "s" need no entries of their own).
DEFAULT_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "World",
        (
            "international", "global", "foreign", "worldnews", "europe", "asia", "africa",
            "americas", "middle east", "latin america", "mundo", "monde", "welt", "ausland",
            "internacional", "internazionale", "esteri",
        ),
    ),
    (
        "National",
        (
            "us", "u s", "usa", "uk", "nation", "domestic", "nacional", "inland", "us news",
            "uk news",
        ),
    ),
    ("Local", ("city", "metro", "regional", "region", "community", "cities")),
    (
        "Politics",
        (
            "political", "government", "government and policy", "election", "elections",
            "policy", "public policy", "parliament", "congress", "white house", "politica",
            "politique", "politik",
        ),
    ),
    (
        "Business",
        (
            "economy", "economics", "economy and business", "markets", "market", "finance",
            "money", "personal finance", "investing", "investment", "companies", "company",
            "industry", "industries", "real estate", "property", "startups", "careers", "jobs",
            "work", "marketing", "management", "ipo", "m and a", "fundraising", "economia",
            "economie", "wirtschaft", "negocios", "mercados", "dinheiro",
        ),
    ),
    (
        "Technology",
        (
            "tech", "sci tech", "science and technology", "ai", "artificial intelligence",
            "internet", "gadgets", "gadget", "software", "apps", "computing", "computers",
            "cybersecurity", "mobile", "gaming", "games", "video games", "innovation",
            "smart home", "blockchain", "crypto", "cryptocurrency", "cryptocurrencies",
            "tecnologia", "technik", "netzwelt",
        ),
    ),
    (
        "Science",
        (
            "space", "physics", "chemistry", "biology", "astronomy", "nasa", "geology",
            "geophysics", "geochemistry", "neuroscience", "genetics", "biochemistry",
            "immunology", "evolution", "botany", "microbiology", "materials science",
            "atmospheric science", "planetary science", "engineering", "moon", "mars", "planets",
            "solar system", "ciencia", "wissenschaft", "wissen",
        ),
    ),
    (
        "Health",
        (
            "medicine", "medical", "wellness", "wellbeing", "well being", "fitness",
            "mental health", "healthcare", "coronavirus", "covid", "covid 19", "nutrition",
            "diet", "diseases", "disease", "weight loss", "workout", "workouts", "mind and body",
            "saude", "salud", "sante", "gesundheit",
        ),
    ),
    (
        "Sport",
        (
            "football", "soccer", "cricket", "rugby", "rugby union", "rugby league", "tennis",
            "golf", "nfl", "nba", "mlb", "nhl", "f1", "formula 1", "formula one", "motorsport",
            "racing", "cycling", "athletics", "olympics", "boxing", "basketball", "baseball",
            "hockey", "gymnastics", "world cup", "stock car", "nascar", "motor racing",
            "auto racing", "desporto", "deportes", "esportes", "esporte", "calcio",
        ),
    ),
    (
        "Culture",
        (
            "arts", "art", "arts and entertainment", "entertainment", "film", "movies", "movie",
            "tv", "television", "tv and radio", "movies and tv", "music", "books", "theatre",
            "theater", "stage", "celebrity", "celebrities", "showbiz", "pop culture",
            "popculture", "comedy", "media", "photography", "documentary", "documentaries",
            "cinematography", "cultura", "kultur", "feuilleton", "musik", "unterhaltung",
        ),
    ),
    (
        "Opinion",
        (
            "comment", "commentary", "comment is free", "editorial", "editorials", "column",
            "columns", "columnists", "op ed", "oped", "ideas", "letters", "views", "opiniao",
            "opinion columns", "meinung",
        ),
    ),
    (
        "Lifestyle",
        (
            "life", "life and style", "style", "fashion", "beauty", "food", "food and drink",
            "recipes", "recipe", "cooking", "home and garden", "homes", "garden", "gardening",
            "family", "parenting", "relationships", "women", "femail", "living", "shopping",
            "drink", "wine", "diy", "wedding", "weddings",
        ),
    ),
    (
        "Environment",
        (
            "climate", "climate change", "climate crisis", "nature", "wildlife", "green", "eco",
            "sustainability", "meio ambiente", "medio ambiente", "umwelt",
        ),
    ),
    ("Travel", ("tourism", "holidays", "destinations", "viagem", "viajes", "reisen", "voyage")),
    (
        "Education",
        (
            "schools", "school", "universities", "university", "higher education", "students",
            "learning", "educacao", "educacion", "bildung",
        ),
    ),
    (
        "Crime",
        ("crime and justice", "courts", "law", "justice", "police", "justica", "crime safety"),
    ),
)  # fmt: skip


def fold(text: str) -> str:
    """A name as compared: "Arts &amp; Entertainment" and "arts and entertainment" are one."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    words = _NOT_WORD.sub(" ", text).replace("_", " ").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and words[-1] == "news":
        words = words[:-1]
    return " ".join(words)


def split_aliases(text: str) -> list[str]:
    """The admin's alias box: names one per line or separated by commas."""
    return [a.strip() for a in re.split(r"[\n,]", text) if a.strip()]


@dataclass(frozen=True)
class SectionCatalogue:
    """The known sections and the folded names that lead to each."""

    names: tuple[str, ...] = ()
    lookup: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sections: Iterable[tuple[str, Iterable[str]]]) -> SectionCatalogue:
        """From (name, other names) pairs; a name claimed twice goes to the first section."""
        names: list[str] = []
        lookup: dict[str, str] = {}
        for name, aliases in sections:
            name = " ".join(name.split())
            if not name:
                continue
            names.append(name)
            for alias in (name, *aliases):
                key = fold(alias)
                if key:
                    lookup.setdefault(key, name)
        return cls(names=tuple(names), lookup=lookup)

    def find(self, key: str) -> str | None:
        """The section a folded name means, its plural too ("sports", "art films")."""
        found = self.lookup.get(key)
        if found is None and len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
            found = self.lookup.get(key[:-1])
        return found


def normalise_section(raw: str | None, canonical: SectionCatalogue) -> str | None:
    """The catalogue's section for a raw section value, or None when it names none."""
    if not raw or not raw.strip():
        return None
    text = html.unescape(raw).strip()
    if _URL.match(text) or (len(text) > MAX_PART_CHARS and _SENTENCE.search(text)):
        return None
    whole = fold(text)
    if len(text) <= MAX_PART_CHARS and (found := canonical.find(whole)):
        return found
    parts = [p for p in _SEPARATORS.split(text) if p.strip()]
    keys = [fold(p) for p in parts if len(p.strip()) <= MAX_PART_CHARS]
    for key in keys:
        if found := canonical.find(key):
            return found
    for key in keys:
        words = key.split()
        for start in range(len(words)):
            for n in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
                if found := canonical.find(" ".join(words[start : start + n])):
                    return found
    return None


# --- the table, per process ------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[float, SectionCatalogue] | None = None


def forget_catalogue() -> None:
    """Drop this process's copy (a Section was saved; tests)."""
    global _cached
    with _lock:
        _cached = None


def section_catalogue() -> SectionCatalogue:
    """The Section table as a catalogue, read at most every `CATALOGUE_TTL_S` per process."""
    global _cached
    now = time.monotonic()
    with _lock:
        cached = _cached
    if cached is not None and now - cached[0] < CATALOGUE_TTL_S:
        return cached[1]
    rows = Section.objects.order_by("pk").values_list("name", "aliases")
    catalogue = SectionCatalogue.of((name, split_aliases(aliases)) for name, aliases in rows)
    with _lock:
        _cached = (now, catalogue)
    return catalogue
