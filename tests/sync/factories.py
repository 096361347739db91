"""A reader who follows two publishers, their gated articles, and an app password to sync with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal.models import Follow
from newsstand.sources.models import Publisher
from newsstand.sync import tallies
from newsstand.sync.actions import create_app_password
from newsstand.sync.queries import EntryFilter
from tests.gate.factories import make_gated_article, make_user
from tests.reader.factories import make_publisher


@dataclass
class World:
    user: Any
    password: str
    followed: list[Publisher]
    other: Publisher
    articles: list[Article]  # of the followed publishers, newest last
    elsewhere: Article  # of a publisher the reader does not follow
    old: Article  # of a followed publisher, before the sync window


def follow_publisher(user: Any, publisher: Publisher) -> None:
    Follow.objects.create(user=user, kind=Follow.Kind.PUBLISHER, key=str(publisher.pk))


def make_world(kind: str = "active") -> World:
    """`kind` as in tests.gate.factories.FULL_ACCESS (not anonymous)."""
    user = make_user(kind)
    password = create_app_password(user, "Reeder").password
    harbour, river, other = (make_publisher(n) for n in ("Harbour Times", "River Post", "Else"))
    for publisher in (harbour, river):
        follow_publisher(user, publisher)
    now = timezone.now()
    articles = [
        make_gated_article(
            publisher,
            title=f"Story {i} from {publisher.name}",
            published_at=now - timedelta(hours=10 - i),
            topics=["Harbours"],
        )
        for i, publisher in enumerate([harbour, river, harbour, river, harbour])
    ]
    elsewhere = make_gated_article(other, title="Not followed", published_at=now)
    old = make_gated_article(harbour, title="Too old", published_at=now - timedelta(days=90))
    return World(user, password, [harbour, river], other, articles, elsewhere, old)


def greader_auth(client: Client, world: World) -> dict[str, str]:
    """The header a Google Reader app sends after ClientLogin with the world's app password."""
    login = client.post(
        "/api/greader/accounts/ClientLogin", {"Email": world.user.email, "Passwd": world.password}
    )
    token = dict(line.split("=", 1) for line in login.content.decode().split())["Auth"]
    return {"HTTP_AUTHORIZATION": f"GoogleLogin auth={token}"}


def spy_filters(monkeypatch: pytest.MonkeyPatch, name: str) -> list[EntryFilter | None]:
    """The filters `tallies.<name>` (`total`, `counted`: user, now, filter, …) is called with,
    in order; the real function still runs."""
    seen: list[EntryFilter | None] = []
    real = getattr(tallies, name)

    def spy(user: Any, now: Any, flt: EntryFilter | None = None, *rest: Any) -> Any:
        seen.append(flt)
        return real(user, now, flt, *rest)

    monkeypatch.setattr(tallies, name, spy)
    return seen
