"""The starting list of sections, and every stored article's section mapped onto it.

The raw value moves to `section_source`, so a name staff add later can still be applied
(`newsstand sections normalise`).

Frozen: the list and the mapping rules are copies of `articles.sections` as they were when
this migration was written (DEFAULT_SECTIONS, fold, normalise_section), so a later change to
the live list or rules does not change what a fresh migrate produces, and renaming them does
not break it. The live list seeds nothing; change the table in the admin or a new migration.
"""

import html
import re
import unicodedata
from collections import defaultdict

from django.db import migrations
from django.db.models import F
from django.utils.text import slugify

BATCH = 1000
MAX_PART_CHARS = 40
MAX_NAME_WORDS = 3

_SEPARATORS = re.compile("\\s*(?:[,;|/>\u00bb\u203a\u00b7\u2022]|\\s[-\u2013\u2014:]\\s)\\s*")
_SENTENCE = re.compile(r"[.!?]\s+\w")
_URL = re.compile(r"^\s*(?:https?:|www\.)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")

SECTIONS = (
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


def fold(text):
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


def split_aliases(text):
    return [a.strip() for a in re.split(r"[\n,]", text) if a.strip()]


def catalogue_of(sections):
    """Folded name -> section name; a name claimed twice goes to the first section."""
    lookup = {}
    for name, aliases in sections:
        name = " ".join(name.split())
        if not name:
            continue
        for alias in (name, *aliases):
            key = fold(alias)
            if key:
                lookup.setdefault(key, name)
    return lookup


def find(lookup, key):
    found = lookup.get(key)
    if found is None and len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        found = lookup.get(key[:-1])
    return found


def normalise_section(raw, lookup):
    if not raw or not raw.strip():
        return None
    text = html.unescape(raw).strip()
    if _URL.match(text) or (len(text) > MAX_PART_CHARS and _SENTENCE.search(text)):
        return None
    whole = fold(text)
    if len(text) <= MAX_PART_CHARS and (found := find(lookup, whole)):
        return found
    parts = [p for p in _SEPARATORS.split(text) if p.strip()]
    keys = [fold(p) for p in parts if len(p.strip()) <= MAX_PART_CHARS]
    for key in keys:
        if found := find(lookup, key):
            return found
    for key in keys:
        words = key.split()
        for start in range(len(words)):
            for n in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
                if found := find(lookup, " ".join(words[start : start + n])):
                    return found
    return None


def seed_and_normalise(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    Article = apps.get_model("articles", "Article")
    for name, aliases in SECTIONS:
        Section.objects.get_or_create(
            name=name,
            defaults={"slug": slugify(name, allow_unicode=True), "aliases": "\n".join(aliases)},
        )
    lookup = catalogue_of(
        (s.name, split_aliases(s.aliases)) for s in Section.objects.order_by("pk")
    )
    Article.objects.filter(section_source="").update(section_source=F("section"))
    last_id = 0
    while True:
        chunk = list(
            Article.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "section", "section_source")[:BATCH]
        )
        if not chunk:
            return
        changed = defaultdict(list)
        for pk, section, source in chunk:
            value = normalise_section(source, lookup) or ""
            if value != section:
                changed[value].append(pk)
        for value, ids in changed.items():
            Article.objects.filter(pk__in=ids).update(section=value)
        last_id = chunk[-1][0]


def restore_raw(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(section=F("section_source"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_sections"),
    ]

    operations = [
        migrations.RunPython(seed_and_normalise, restore_raw),
    ]
