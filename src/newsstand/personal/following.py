"""The Following page's rows: each followed or muted thing with its current name and page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from newsstand.personal.controls import follow_buttons_context
from newsstand.personal.models import Follow
from newsstand.personal.state import FollowState
from newsstand.sources.models import Publisher
from newsstand.stories.models import Story


@dataclass(frozen=True)
class FollowingRow:
    follow: Follow
    label: str
    url: str  # empty when the thing is gone (a story merged into another, a deleted publisher)
    controls: dict[str, Any]


def _id(key: str) -> int | None:
    return int(key) if key.isascii() and key.isdigit() else None


def following_rows(request: HttpRequest, rows: list[Follow]) -> list[FollowingRow]:
    """Rows for one page of follows: two queries at most (publishers, stories), whatever the size.

    Publishers and stories are shown by their current name; sections and topics by the name
    stored when followed.
    """
    ids: dict[str, list[int]] = {Follow.Kind.PUBLISHER: [], Follow.Kind.STORY: []}
    for row in rows:
        if row.kind in ids and (pk := _id(row.key)) is not None:
            ids[row.kind].append(pk)
    publishers: dict[int, Publisher] = {}
    if ids[Follow.Kind.PUBLISHER]:
        found = Publisher.objects.filter(pk__in=ids[Follow.Kind.PUBLISHER])
        publishers = {p.pk: p for p in found.only("id", "name", "slug")}
    stories: dict[int, Story] = {}
    if ids[Follow.Kind.STORY]:
        found_stories = Story.objects.filter(pk__in=ids[Follow.Kind.STORY])
        stories = {s.pk: s for s in found_stories.only("id", "headline")}
    next_url = request.get_full_path()
    result = []
    for row in rows:
        label, url = row.label or row.key, ""
        if row.kind == Follow.Kind.PUBLISHER:
            pub = publishers.get(_id(row.key) or 0)
            if pub is not None:
                label, url = pub.name, reverse("reader:publisher", args=[pub.slug])
        elif row.kind == Follow.Kind.STORY:
            story = stories.get(_id(row.key) or 0)
            if story is not None:
                label, url = story.headline, reverse("reader:story", args=[story.pk])
        elif row.kind == Follow.Kind.SECTION:
            url = reverse("reader:section", args=[row.label or row.key])
        else:
            url = reverse("reader:topic", args=[row.key])
        state = FollowState(following=not row.muted, muted=row.muted)
        controls = follow_buttons_context(
            request, row.kind, row.key, label, state=state, next_url=next_url
        )
        result.append(FollowingRow(follow=row, label=label, url=url, controls=controls))
    return result
