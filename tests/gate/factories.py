"""Readers of every kind, and articles whose later paragraphs must never leak past the gate."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.gate.teaser import body_paragraphs
from newsstand.membership.models import Membership
from newsstand.sources.models import Publisher
from tests.reader.factories import make_article, make_publisher

_seq = itertools.count(1)

# What a test transaction adds around writes (SAVEPOINT/RELEASE) and production's autocommit
# brackets: not statements the page asks for (the convention of tests/personal too).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


@contextmanager
def max_statements(limit: int) -> Iterator[CaptureQueriesContext]:
    """Fails if the block runs more than `limit` SQL statements, transaction control aside."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]
    assert len(statements) <= limit, f"{len(statements)} statements:\n" + "\n".join(statements)


# Who reads, and whether they may read full text. "expired" is a membership whose state says
# so; "trial_over" is still in state trial but its end date has passed; "paid_over" is active
# with paid_until in the past: the dates decide, not the stored state.
FULL_ACCESS = {
    "anonymous": False,
    "registered": False,
    "expired": False,
    "trial_over": False,
    "paid_over": False,
    "trial": True,
    "active": True,
}
READERS = tuple(FULL_ACCESS)
GATED_READERS = tuple(k for k, v in FULL_ACCESS.items() if not v)
MEMBERS = tuple(k for k, v in FULL_ACCESS.items() if v)

# Paragraph 5 of the factory article: the sentence whose presence means the full text leaked.
MARKER = "The ferry inspector counted ninety-seven violet lifebuoys stacked behind the chapel."
LATER_MARKERS = (
    MARKER,
    "Nobody on the harbour board had expected the tangerine signal lamps to fail in June.",
    "By dusk the quartermaster had filed eleven complaints about the brass turnstiles.",
)
OPENING = (
    "The harbour authority said on Tuesday that the northern pier would reopen next month "
    "after a year of repairs."
)


def make_user(kind: str = "registered") -> Any:
    """A user of `kind` (a key of FULL_ACCESS other than anonymous), membership included.

    No password: tests sign in with force_login, and hashing one (Argon2) would be slow.
    """
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=f"reader{n}", email=f"reader{n}@example.org", password=None
    )
    now = timezone.now()
    day = timedelta(days=1)
    fields: dict[str, Any] = {
        "registered": {"state": Membership.State.REGISTERED},
        "expired": {"state": Membership.State.EXPIRED, "paid_until": now - day},
        "trial_over": {
            "state": Membership.State.TRIAL,
            "trial_started_at": now - 15 * day,
            "trial_ends_at": now - day,
        },
        "paid_over": {"state": Membership.State.ACTIVE, "paid_until": now - day},
        "trial": {
            "state": Membership.State.TRIAL,
            "trial_started_at": now - day,
            "trial_ends_at": now + 13 * day,
        },
        "active": {"state": Membership.State.ACTIVE, "paid_until": now + 30 * day},
    }[kind]
    Membership.objects.create(user=user, **fields)
    return user


def client_for(kind: str) -> Client:
    """A test client browsing as a reader of `kind`."""
    client = Client()
    if kind != "anonymous":
        client.force_login(make_user(kind))
    return client


def article_body() -> str:
    """Seven paragraphs; paragraphs 5 to 7 hold the LATER_MARKERS."""
    filler = (
        "Officials said the work had cost more than planned, and that traders on the quay "
        "had lost business while the pier was closed to the public for the whole season."
    )
    paragraphs = [
        OPENING,
        "Engineers replaced the timber decking and strengthened the piles. " + filler,
        "The mayor thanked residents for their patience. " + filler,
        "Fishermen said the closure had pushed them to moor further along the coast. " + filler,
        LATER_MARKERS[0] + " " + filler,
        LATER_MARKERS[1] + " " + filler,
        LATER_MARKERS[2] + " " + filler,
    ]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def make_gated_article(publisher: Publisher | None = None, **kwargs: Any) -> Article:
    body = article_body()
    defaults: dict[str, Any] = {
        "title": "Northern pier to reopen after repairs",
        "section": "World",
        "summary": "The northern pier reopens next month.",
        "content_html": body,
        "content_text": "\n\n".join(body_paragraphs(body)[0]),
        "word_count": 320,
    }
    defaults.update(kwargs)
    return make_article(publisher or make_publisher("Harbour Times"), **defaults)


@dataclass(frozen=True)
class RealArticle:
    title: str
    url: str
    html: str
    text: str
    authors: list[str]
    later_paragraphs: tuple[str, ...]  # paragraph 5 onwards, as the gate splits the body


@cache
def real_article(shared_data: Path) -> RealArticle:
    """The first naeb-dev page (sorted by key) whose extracted body has seven paragraphs or more,
    run through Newsstand's own extractor: a real publisher's text as ingest would store it."""
    from newsstand.ingest.extractor import extract_article

    root = shared_data / "extraction" / "naeb-dev"
    truth = json.loads((root / "articles.json").read_text())
    for key in sorted(truth):
        page = root / "html" / f"{key}.html.gz"
        if not page.exists():
            continue
        extracted = extract_article(gzip.decompress(page.read_bytes()), truth[key]["url"])
        paragraphs, _ = body_paragraphs(extracted.html)
        if len(paragraphs) >= 7 and all(len(p.split()) >= 8 for p in paragraphs[4:7]):
            return RealArticle(
                title=extracted.title or truth[key]["title"],
                url=extracted.canonical_url or extracted.url or truth[key]["url"],
                html=extracted.html,
                text=extracted.text,
                authors=list(extracted.authors),
                later_paragraphs=tuple(paragraphs[4:]),
            )
    raise AssertionError("no naeb-dev page with seven paragraphs")


def store_real_article(real: RealArticle) -> Article:
    return make_article(
        make_publisher("The Hill"),
        title=real.title[:1000] or "Untitled",
        url=real.url,
        authors=real.authors,
        summary="",
        content_html=real.html,
        content_text=real.text,
        word_count=len(real.text.split()),
    )
