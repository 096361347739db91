"""Admin for readers' saved articles, history and follows (support questions, data requests)."""

from __future__ import annotations

from django.contrib import admin

from newsstand.personal.models import Follow, ReadingHistory, SavedArticle


@admin.register(SavedArticle)
class SavedArticleAdmin(admin.ModelAdmin):
    list_display = ("user", "article", "saved_at")
    list_select_related = ("user", "article")
    raw_id_fields = ("user", "article")
    search_fields = ("user__email",)


@admin.register(ReadingHistory)
class ReadingHistoryAdmin(admin.ModelAdmin):
    list_display = ("user", "article", "last_read_at", "read_count")
    list_select_related = ("user", "article")
    raw_id_fields = ("user", "article")
    search_fields = ("user__email",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "label", "key", "muted", "created_at")
    list_filter = ("kind", "muted")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    search_fields = ("user__email", "label", "key")
