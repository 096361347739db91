"""Admin for stories (clusters of articles about the same event)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from newsstand.stories.models import Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("headline", "article_count", "first_seen_at", "last_updated_at")
    search_fields = ("headline",)
    date_hierarchy = "last_updated_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    @admin.display(description="articles", ordering="_article_count")
    def article_count(self, obj: Story) -> int:
        return int(getattr(obj, "_article_count", 0))
