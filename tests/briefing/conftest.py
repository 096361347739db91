"""Briefing test helpers: a reader, a little news (stories, picks, articles), mail backends."""

from __future__ import annotations

import threading
import time as _time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories.models import Pick, Story
from tests.reader.factories import make_article, make_publisher

SITE = "https://news.example.org"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A sentence of the full text, past any teaser: it must never be in an email.
BODY_ONLY = "The quartermaster counted ninety-seven violet lifebuoys behind the chapel."


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.NEWSSTAND_SITE_URL = SITE
    settings.MAILERS = LOCMEM


@pytest.fixture(autouse=True)
def _corpus_checks_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """For You's corpus asks the database on every call (tests/conftest.py empties it per test),
    so articles a test adds are in it at once."""
    from newsstand.foryou import window_cache

    monkeypatch.setattr(window_cache, "SYNC_EVERY_S", 0.0)


def make_reader(email: str = "reader@example.org") -> Any:
    user = get_user_model().objects.create_user(username=email, email=email)
    return user


@dataclass
class News:
    reuters: Publisher
    muted_pub: Publisher
    top: Story
    second: Story
    lead: Article
    picked: Article
    read: Article
    from_muted: Article


def _body(first: str) -> dict[str, str]:
    paragraphs = [first, "Second paragraph of the report.", "Third paragraph.", BODY_ONLY]
    return {
        "content_html": "".join(f"<p>{p}</p>" for p in paragraphs),
        "content_text": "\n\n".join(paragraphs),
    }


def make_news() -> News:
    now = timezone.now()
    reuters = make_publisher("Reuters")
    guardian = make_publisher("The Guardian")
    muted_pub = make_publisher("Muted Daily")
    top = Story.objects.create(
        headline="Harbour bridge reopens after storm repairs",
        lead="Engineers finished the repairs a week early.",
        article_count=2,
        publisher_count=2,
        score=5.0,
        last_updated_at=now - timedelta(minutes=10),
    )
    lead = make_article(
        reuters,
        title="Harbour bridge reopens after storm repairs",
        story=top,
        summary="",
        lead_image_url="https://images.example/bridge.jpg",
        lead_image_caption="The bridge at dawn",
        **_body("Engineers finished the repairs a week early."),
    )
    make_article(guardian, title="Bridge reopening brings relief", story=top, **_body("Relief."))
    top.representative = lead
    top.save()
    second = Story.objects.create(
        headline="Orchard harvest best in a decade",
        lead="Growers report a record apple crop.",
        article_count=1,
        publisher_count=1,
        score=2.0,
        last_updated_at=now - timedelta(minutes=30),
    )
    rep = make_article(guardian, title="Orchard harvest best in a decade", story=second)
    second.representative = rep
    second.save()
    picked = make_article(
        guardian, title="The last night train to the coast", summary="A slow ride north."
    )
    Pick.objects.create(article=picked, blurb="Our editor's favourite long read", position=1)
    read = make_article(reuters, title="An article the reader already read")
    Pick.objects.create(article=read, blurb="Read already", position=2)
    from_muted = make_article(muted_pub, title="From a muted publisher")
    Pick.objects.create(article=from_muted, blurb="Muted", position=3)
    return News(reuters, muted_pub, top, second, lead, picked, read, from_muted)


@pytest.fixture
def news(db: None) -> News:
    return make_news()


@pytest.fixture
def reader(db: None) -> Any:
    return make_reader()


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("the mail server refused the connection")


class SlowBackend(BaseEmailBackend):
    """Takes its time, so two senders overlap; records what it sent, across threads."""

    sent: list[Any] = []
    lock = threading.Lock()

    def send_messages(self, email_messages: Any) -> int:
        _time.sleep(0.3)
        with self.lock:
            self.sent.extend(email_messages)
        return len(email_messages)
