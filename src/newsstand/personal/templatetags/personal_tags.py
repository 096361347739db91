"""Template tags for the reader's own controls: Save, Follow/Mute, and topic links."""

from __future__ import annotations

from typing import Any

from django import template

from newsstand.articles.topics import TopicLink, topic_links
from newsstand.personal.controls import (
    FOLLOW_BUTTONS_TEMPLATE,
    SAVE_BUTTON_TEMPLATE,
    follow_buttons_context,
    save_button_context,
)
from newsstand.personal.state import follow_state, is_saved
from newsstand.personal.targets import normalise_key

register = template.Library()


def _with_csrf(context: template.Context, values: dict[str, Any]) -> dict[str, Any]:
    # An inclusion tag starts a fresh context; the form needs the page's token.
    values["csrf_token"] = context.get("csrf_token")
    return values


@register.inclusion_tag(SAVE_BUTTON_TEMPLATE, takes_context=True)
def save_button(context: template.Context, article: Any) -> dict[str, Any]:
    """Save/Saved for a signed-in reader, a sign-in link otherwise.

    Lists annotate `is_saved` (web.listing); elsewhere this asks the database once.
    """
    request = context["request"]
    saved = getattr(article, "is_saved", None)
    if saved is None:
        saved = is_saved(request.user, article.pk)
    values = save_button_context(
        request, article.pk, article.title, saved=bool(saved), next_url=request.get_full_path()
    )
    return _with_csrf(context, values)


@register.inclusion_tag(FOLLOW_BUTTONS_TEMPLATE, takes_context=True)
def follow_buttons(context: template.Context, kind: str, key: object, label: str) -> dict[str, Any]:
    """Follow and Mute for a publisher, section, topic or story (one query when signed in)."""
    request = context["request"]
    stored_key = normalise_key(kind, str(key))
    values = follow_buttons_context(
        request,
        kind,
        stored_key,
        label,
        state=follow_state(request.user, kind, stored_key),
        next_url=request.get_full_path(),
    )
    return _with_csrf(context, values)


@register.filter
def topics_linked(topics: object) -> list[TopicLink]:
    """An article's topics with the slugs of their pages."""
    return topic_links(topics) if isinstance(topics, list) else []
