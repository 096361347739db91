"""Turning bylines as pages state them into a clean list of names.

"By JANE DOE and John Roe", "A, B & C", "Jane Doe | Reuters" and "Reporting by X; Editing by Y"
all become a normalised, de-duplicated list of person (or agency) names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from newsstand.ingest.dates import without_visible_dates

__all__ = [
    "is_credit_line",
    "looks_like_handle",
    "names_a_job",
    "normalize_authors",
    "split_byline",
]

# Credit lines that name the desk, not the writer ("Reporting by …", "Editing by …").
_CREDIT_RE = re.compile(
    r"\b(?:additional\s+)?(?:reporting|editing|writing|compiled|research|"
    r"produced|photographs?|photos?|graphics|video)\s+(?:by|from)\b",
    re.IGNORECASE,
)
_CREDIT_LINE_RE = re.compile(
    r"^\W*(?:\(?(?:additional\s+)?(?:reporting|editing|writing)\s+by\b|"
    r"(?:additional\s+)?reporting\s+(?:by|from)\b)",
    re.IGNORECASE,
)
_AS_TOLD_TO_RE = re.compile(r"\bas\s+told\s+to\s+", re.IGNORECASE)
_STAFF_RE = re.compile(r"\s+staff(?:\s+(?:reporter|writer)s?)?$", re.IGNORECASE)
_CONTRIBUTED_RE = re.compile(
    r"\bcontributed\s+(?:reporting|research|(?:reporting\s+)?to\s+this\s+(?:report|story|article))"
    r"[^.]*\.?\s*$",
    re.IGNORECASE,
)
_MAX_CREDIT_LINE_CHARS = 300
_BY_PREFIX_RE = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|words\s+by|story\s+by|text\s+by|by|von|par|por)"
    r"\s*[:\-\u2013]?\s+",
    re.IGNORECASE,
)
_SEPARATORS_RE = re.compile(
    r"\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b|\bwith\b|\s/\s|•|·)\s*", re.IGNORECASE
)
# Job titles and other words that follow a name after a comma ("Jane Doe, Staff Writer").
_ROLE_WORDS: frozenset[str] = frozenset(
    {
        "writer", "reporter", "correspondent", "editor", "staff", "contributor", "columnist",
        "journalist", "producer", "photographer", "author", "editors", "senior", "contributing",
        "associate", "chief", "bureau", "news", "desk", "team", "updated", "published",
        "analyst", "critic", "intern", "freelance", "guest", "special", "opinion",
    }
)  # fmt: skip
_TRAILING_NOISE_RE = re.compile(
    r"\s*(?:\(.*?\)|@\w+|\bis\s+an?\b.*|\b(?:published|updated|posted)\b.*|\bon\s+behalf\s+of\b.*"
    # "John O'Connor The Associated Press": the agency the writer files for.
    r"|(?<=\w)\s+(?:the\s+)?associated\s+press)$",
    re.IGNORECASE,
)
# Degrees and credentials after a name ("Jane Doe MS", "…, RDN, LD", "…, MD*" with a footnote).
_CREDENTIAL_RE = re.compile(r"^(?:[A-Z]{2,4}|Ph\.?D|M\.?D|R\.?N)\.?\*?$")
# Words that name a publication or agency, not a person ("Jane Doe, Financial Times").
_PUBLICATION_RE = re.compile(
    r"\b(?:times|press|post|news|journal|tribune|herald|gazette|report|reuters|afp|bloomberg"
    r"|magazine|daily|weekly|media|network|wire|telegraph|chronicle|insider)\b|\.(?:com|net|org)\b",
    re.IGNORECASE,
)
_MAX_NAME_WORDS = 6
_MAX_NAME_CHARS = 60
# Links and labels around a byline that name the writer inside a phrase: "View all posts by
# Jane Doe", "More from Jane Doe", "See all of Jane Doe's reviews", "Author: Jane Doe".
_WRAPPED_NAME_RE = re.compile(
    r"^(?:view\s+all\s+(?:posts|articles|stories)\s+by|(?:more\s+)?(?:articles|posts|stories)\s+by"
    r"|(?:read\s+)?more\s+(?:from|about|by)|see\s+all\s+of|author\s*:)\s+(.+?)"
    r"(?:['\u2019]s\s+(?:reviews|articles|posts|stories))?\s*[»>\u203a]?$",
    re.IGNORECASE,
)
# Words a byline template prints where no name is: labels, buttons, social networks.
_NOT_NAMES: frozenset[str] = frozenset(
    {
        "admin", "administrator", "author", "theauthor", "writtenby", "postedby", "profile",
        "viewprofile", "viewfullprofile", "seeall", "name", "thiscontributor", "thisauthor",
        "bluesky", "twitter", "facebook", "instagram", "linkedin", "threads", "mastodon",
        "youtube", "tiktok", "pinterest", "reddit", "email", "share", "print", "rss",
        # The weekday a dateline prints before its date ("Sat, 20 Dec, 2025 - 06:36").
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday",
        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
)  # fmt: skip
# Job titles printed after the name in the same element ("Jane Doe Senior Autos Reporter",
# "Jane Doe - Editorial Team"): the name ends where they start.
_TITLE_WORDS: frozenset[str] = frozenset(
    {
        "senior", "staff", "contributing", "associate", "chief", "writer", "reporter", "editor",
        "correspondent", "contributor", "columnist", "producer", "coordinator", "manager",
        "director", "founder", "co-founder", "ceo", "strategist", "specialist", "editorial",
        "content", "marketing", "-", "\u2013", "\u2014", "|", "\u00b7", "\u22c5",
    }
)  # fmt: skip
_MIN_NAME_WORDS_BEFORE_TITLE = 2


# Words of a job title or an employer's desk, beyond those above ("Deputy CTO", "Vice President").
_JOB_WORDS: frozenset[str] = _ROLE_WORDS | _TITLE_WORDS | frozenset(
    {
        "deputy", "officer", "president", "vice", "head", "lead", "partner", "professor",
        "cto", "cfo", "coo", "cmo", "cio", "vp", "evp", "svp", "desk", "team", "staff",
    }
)  # fmt: skip


def names_a_job(text: str) -> bool:
    """True when *text* holds a job-title word ("Co-Founder & COO", "Chief Marketing Officer",
    "Global Desk"): a byline's description of its writer, not another writer."""
    return any(word.casefold().strip(".,:&") in _JOB_WORDS for word in text.split())


def is_credit_line(text: str) -> bool:
    """True for "Reporting by …; Editing by …" and "X contributed to this report" lines."""
    return bool(_CREDIT_LINE_RE.match(text)) or (
        len(text) < _MAX_CREDIT_LINE_CHARS
        and (len(_CREDIT_RE.findall(text)) >= 2 or bool(_CONTRIBUTED_RE.search(text)))
    )


def split_byline(byline: str) -> list[str]:
    """Split one byline string into candidate names (not yet filtered)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", byline))
    # A date printed in the same element ("Jane Doe 4 August 2010", "Dec 17, 2025 Jane Doe").
    text = re.sub(r"\s+", " ", without_visible_dates(text)).strip()
    told = _AS_TOLD_TO_RE.search(text)
    if told:
        # "Amie Mock as told to Heather Eastman": the one it was told to wrote it.
        text = text[told.end() :]
    credit = _CREDIT_RE.search(text)
    if credit:
        # Everything from the first desk credit on names helpers, not the writer.
        text = text[: credit.start()].strip(" ;,.-\u2013(")
    text = _BY_PREFIX_RE.sub("", text)
    parts = _SEPARATORS_RE.split(text)
    return [
        _BY_PREFIX_RE.sub("", p).strip(" .,:;-\u2013\u2014\"'") for p in parts if p and p.strip()
    ]


def _looks_like_name(name: str) -> bool:
    if not name or len(name) > _MAX_NAME_CHARS:
        return False
    if "@" in name or "://" in name or name.startswith(("www.", "/")):
        return False
    words = name.split()
    if len(words) > _MAX_NAME_WORDS:
        return False
    if _SENTENCE_BREAK_RE.search(name) or (
        len(words) >= _MIN_PROSE_WORDS and 2 * sum(map(_is_prose_word, words)) > len(words)
    ):
        # "more. Based in Chicago", "she spends her spare time traveling": a bio split out of
        # the byline's element; names capitalise all but their particles.
        return False
    if sum(ch.isdigit() for ch in name) > 0:
        return False
    if all(w.casefold().strip(".") in _ROLE_WORDS for w in words) and not _is_desk(words):
        return False
    return any(ch.isalpha() for ch in name)


# Lower-case words that do belong in a name ("Ludwig van Beethoven", "Ana de la Cruz").
_NAME_PARTICLES: frozenset[str] = frozenset(
    {
        "van", "von", "de", "del", "della", "der", "den", "di", "da", "du", "la", "le", "dos",
        "das", "do", "bin", "ibn", "al", "el", "ten", "ter", "zu", "af", "av", "y", "e", "of",
    }
)  # fmt: skip


_SENTENCE_BREAK_RE = re.compile(r"\b[a-z]{2,}\.\s+[A-Z]")
_MIN_PROSE_WORDS = 4  # "edited by Walter", "kirstin boatto" are still read as names


def looks_like_handle(name: str) -> bool:
    """ "kffnirmitap", "andrew.keaveney": one word with no capital, the CMS account that posted
    the page rather than the name the writer signs with."""
    return " " not in name and not any(ch.isupper() for ch in name)


def _is_prose_word(word: str) -> bool:
    """A lower-case word that is neither a name particle nor a desk's role ("staff")."""
    bare = word.strip(".,:;()'\"")
    return (
        len(bare) > 1
        and bare.isalpha()
        and bare.islower()
        and bare not in _NAME_PARTICLES
        and bare not in _ROLE_WORDS
    )


_DESK_WORDS = frozenset({"desk", "staff", "team"})
_PERSON_ROLE_WORDS = frozenset({"writer", "reporter", "editor", "correspondent", "author"})


def _is_desk(words: list[str]) -> bool:
    """ "News Desk", "News Staff": a desk credited as the byline (not "Staff Writer", a job)."""
    folded = [w.casefold().strip(".") for w in words]
    return len(folded) > 1 and folded[-1] in _DESK_WORDS and not _PERSON_ROLE_WORDS & set(folded)


def _without_job_title(name: str) -> str:
    words = name.split()
    for index in range(_MIN_NAME_WORDS_BEFORE_TITLE, len(words)):
        if words[index].casefold().strip(".,:") in _TITLE_WORDS:
            return " ".join(words[:index])
    return name


def _tidy_case(name: str) -> str:
    letters = [ch for ch in name if ch.isalpha()]
    # Shouting bylines ("JANE DOE") read as names; "AP", "AFP" stay agency initials.
    if letters and all(ch.isupper() for ch in letters) and len(letters) > 4 and " " in name:
        return " ".join(w.capitalize() if len(w) > 1 else w for w in name.split())
    return name


def _canon(text: str) -> str:
    return re.sub(r"[^\w]+", "", text.casefold())


def normalize_authors(
    bylines: Iterable[str], *, exclude: Iterable[str] = (), keep_excluded: bool = False
) -> list[str]:
    """Split, clean and de-duplicate *bylines*; drop names equal to any of *exclude*.

    *exclude* holds the publisher's own names (site name, publisher organisation), so an
    organisation credited as author of its own page does not pass as a writer. With
    *keep_excluded* they stay (the publisher's desk, "TMZ Staff" on TMZ's page, still goes).
    """
    excluded = {_canon(e) for e in exclude if e}
    excluded.discard("")
    seen: set[str] = set()
    result: list[str] = []
    for byline in bylines:
        if not byline:
            continue
        parts = split_byline(byline)
        if len(parts) > 1:
            # The outlet a writer files for, credited beside the writer: the reader's byline
            # is the person. An outlet credited alone stays (a wire story).
            people = [p for p in parts if not _PUBLICATION_RE.search(p)]
            if people:
                parts = people
        after_title = False
        for raw in parts:
            wrapped = _WRAPPED_NAME_RE.match(raw.strip())
            if wrapped:
                raw = wrapped[1]
            if after_title and len(raw.split()) == 1:
                continue  # "Jane Doe, Writer, Hardware": the beat of the job title before it
            untitled = _without_job_title(raw)
            after_title = untitled != raw or all(
                w.casefold().strip(".") in _ROLE_WORDS for w in raw.split()
            )
            raw = untitled
            name = _TRAILING_NOISE_RE.sub("", raw).strip(" ,:;-\u2013\u2014")
            if name.casefold() == "the":
                name = raw  # "The Associated Press" is the agency itself, not a writer for it
            name = re.sub(r"\s+", " ", name)
            words = name.split()
            while len(words) > 2 and _CREDENTIAL_RE.match(words[-1]):
                words.pop()
            name = " ".join(words)
            if result and _CREDENTIAL_RE.match(name):
                continue
            if not re.search(r"\b[A-Z]\.$", name):
                name = name.rstrip(".")
            if not _looks_like_name(name):
                continue
            name = _tidy_case(name)
            desk = _STAFF_RE.sub("", name)
            if desk != name and _canon(desk) in excluded:
                continue  # "TMZ Staff" on TMZ's own page: the desk, not a writer
            key = _canon(name)
            if not key or key in seen or (key in excluded and not keep_excluded):
                continue
            if key in _NOT_NAMES:
                continue
            seen.add(key)
            result.append(name)
    return _without_part_names(result)


def _without_part_names(names: list[str]) -> list[str]:
    """Drop a one-word name that is the first or last word of another found name: "Shannon"
    from a bio's "Shannon is …" beside the byline's "Shannon Grilli"."""
    fuller = {_canon(w) for n in names if len(n.split()) > 1 for w in (n.split()[0], n.split()[-1])}
    return [n for n in names if len(n.split()) > 1 or _canon(n) not in fuller]
