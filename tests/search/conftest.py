"""Search tests: articles with known words, readers with and without full access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from newsstand.membership.models import Membership
from newsstand.sources.models import Publisher
from tests.reader.factories import make_publisher

# A phrase that is in the fifth paragraph of the gated article and nowhere else.
MARKER = "zephyrine quillback"


def gated_paragraphs(marker: str = MARKER) -> list[str]:
    """Six paragraphs of ~70 words each: the marker sits in the fifth, far past 60 words."""
    filler = (
        "The committee heard evidence from residents about the harbour works, the cost of the "
        "repairs, the timetable agreed with contractors and the effect on local businesses "
        "that depend on visitors during the summer months, and it asked officials to publish "
        "the full survey before the next meeting so that everyone could read the figures "
    )
    paragraphs = [f"Paragraph {i}. {filler}" for i in range(1, 7)]
    paragraphs[4] = f"Paragraph 5. Engineers found a {marker} nesting in the pier. {filler}"
    return paragraphs


def gated_body(marker: str = MARKER) -> str:
    """The article's text (content_text)."""
    return "\n\n".join(gated_paragraphs(marker))


def gated_html(marker: str = MARKER) -> str:
    """The same article as its sanitised HTML (content_html), from which the gate cuts the
    teaser."""
    return "".join(f"<p>{p}</p>" for p in gated_paragraphs(marker))


def gated_article_fields(marker: str = MARKER) -> dict[str, str]:
    """content_text and content_html of the gated article, for make_article."""
    return {"content_text": gated_body(marker), "content_html": gated_html(marker)}


@pytest.fixture
def publisher() -> Publisher:
    return make_publisher("Harbour Gazette")


@pytest.fixture
def member(django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("member", "member@example.org", "pw-Secret-1")
    Membership.objects.create(
        user=user,
        state=Membership.State.ACTIVE,
        paid_until=timezone.now() + timedelta(days=30),
    )
    return user


@pytest.fixture
def lapsed(django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("lapsed", "lapsed@example.org", "pw-Secret-1")
    Membership.objects.create(
        user=user,
        state=Membership.State.ACTIVE,
        paid_until=timezone.now() - timedelta(days=1),
    )
    return user
