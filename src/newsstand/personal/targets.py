"""What can be followed or muted: a publisher, a section, a topic or a story, and its key.

Read side only. `resolve_target` checks a posted kind and key against the database, so a
follow row always names something that existed when it was made, with the name shown then.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsstand.articles.models import Article, ArticleTopic
from newsstand.articles.topics import topic_slug
from newsstand.personal.models import Follow
from newsstand.sources.models import Publisher
from newsstand.stories.models import Story

# Follow.key is CharField(max_length=200), Follow.label 300.
KEY_MAX_CHARS = 200
LABEL_MAX_CHARS = 300
MAX_ID_DIGITS = 18


class BadTarget(ValueError):
    """A posted kind or key that names nothing Newsstand has; the message is for the reader."""


@dataclass(frozen=True)
class FollowTarget:
    kind: str
    key: str
    label: str


def normalise_key(kind: str, raw: str) -> str:
    """The stored form of a key: what makes "World" and "world" one section."""
    raw = raw.strip()
    if kind == Follow.Kind.SECTION:
        return raw.casefold()[:KEY_MAX_CHARS]
    if kind == Follow.Kind.TOPIC:
        return topic_slug(raw)
    return raw[:KEY_MAX_CHARS]


def resolve_target(kind: str, raw_key: str) -> FollowTarget:
    """The target a form names, checked against the database (one query); BadTarget if none."""
    if kind not in Follow.Kind.values:
        raise BadTarget(f"Unknown kind {kind!r}: use publisher, section, topic or story.")
    key = normalise_key(kind, raw_key)
    if not key:
        raise BadTarget(f"Say which {kind} to follow.")
    labels: list[str]
    if kind in (Follow.Kind.PUBLISHER, Follow.Kind.STORY):
        # ASCII digits only ("²".isdigit() is true), and short enough for a 64-bit id.
        if not (key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS):
            raise BadTarget(f"A {kind} is named by its number, not {raw_key!r}.")
        if kind == Follow.Kind.PUBLISHER:
            labels = list(Publisher.objects.filter(pk=int(key)).values_list("name", flat=True))
        else:
            labels = list(Story.objects.filter(pk=int(key)).values_list("headline", flat=True))
    elif kind == Follow.Kind.SECTION:
        # order_by() drops Article's default ordering: any one spelling will do, found early.
        labels = list(
            Article.objects.filter(section__iexact=raw_key.strip())
            .order_by()
            .values_list("section", flat=True)[:1]
        )
    else:
        labels = list(
            ArticleTopic.objects.filter(slug=key)
            .order_by("article_id")
            .values_list("name", flat=True)[:1]
        )
    if not labels:
        raise BadTarget(f"There is no {kind} {raw_key!r} on Newsstand.")
    return FollowTarget(kind=kind, key=key, label=labels[0][:LABEL_MAX_CHARS])
