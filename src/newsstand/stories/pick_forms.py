"""The staff form for adding a pick: a story id, or an article id or address, and its schedule."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve

from newsstand.articles.models import Article
from newsstand.stories.models import Pick, Story

ARTICLE_ROUTE = "reader:article"


def find_article(value: str) -> Article | None:
    """An article by id, by its Newsstand page address, or by its original (canonical) URL."""
    value = value.strip()
    if value.isdigit():
        return Article.objects.filter(pk=int(value)).first()
    parts = urlsplit(value)
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    if match is not None and match.view_name == ARTICLE_ROUTE:
        return Article.objects.filter(pk=match.kwargs["pk"]).first()
    if parts.scheme in ("http", "https") and parts.netloc:
        return Article.objects.filter(url=value).first()
    return None


class PickForm(forms.Form):
    story = forms.IntegerField(
        required=False, min_value=1, label="Story id", help_text="Pick a whole story…"
    )
    article = forms.CharField(
        required=False,
        max_length=2000,
        label="Article id or address",
        help_text="…or one article: its id, its page here, or the publisher's URL.",
    )
    blurb = forms.CharField(
        required=False,
        max_length=Pick._meta.get_field("blurb").max_length,
        help_text="Optional: a line on why it is worth reading.",
    )
    starts_at = forms.DateTimeField(
        required=False,
        label="Starts",
        help_text="Optional: leave empty to start now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires",
        help_text="Optional: leave empty to keep it until removed.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_story(self) -> Story | None:
        pk = self.cleaned_data.get("story")
        if pk is None:
            return None
        story = Story.objects.filter(pk=pk).first()
        if story is None:
            raise forms.ValidationError(f"There is no story {pk}.")
        return story

    def clean_article(self) -> Article | None:
        value = (self.cleaned_data.get("article") or "").strip()
        if not value:
            return None
        article = find_article(value)
        if article is None:
            raise forms.ValidationError(
                "No article found with that id or address; paste its page here or its URL."
            )
        return article

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_story = data.get("story") is not None
        has_article = data.get("article") is not None
        field_errors = "story" in self.errors or "article" in self.errors
        if not field_errors and has_story == has_article:
            raise forms.ValidationError(
                "Give either a story id or an article, not both."
                if has_story
                else "Give a story id or an article to pick."
            )
        return data
