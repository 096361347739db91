"""Topic slugs: the one rule that turns a feed's category into the key of a topic page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import slugify

# ArticleTopic.slug and .name are CharField(max_length=200).
TOPIC_FIELD_CHARS = 200


@dataclass(frozen=True)
class TopicLink:
    name: str
    slug: str


def topic_slug(name: str) -> str:
    """ "World News" and "world news" share "world-news"; non-Latin names keep their letters."""
    return slugify(name, allow_unicode=True)[:TOPIC_FIELD_CHARS]


def topic_links(topics: Iterable[object]) -> list[TopicLink]:
    """An article's topics with their slugs, once per slug; names that slug to nothing dropped."""
    links: dict[str, TopicLink] = {}
    for name in topics:
        if not isinstance(name, str):
            continue
        slug = topic_slug(name)
        if slug and slug not in links:
            links[slug] = TopicLink(name=name.strip()[:TOPIC_FIELD_CHARS], slug=slug)
    return list(links.values())
