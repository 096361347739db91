"""Admin for stored articles."""

from __future__ import annotations

from django.contrib import admin

from newsstand.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "section", "published_at", "word_count")
    list_select_related = ("publisher",)
    # Searching by publisher name is what scales to thousands of titles; the filter below lists
    # only publishers that have articles, and Publisher's changelist links here pre-filtered.
    search_fields = ("title", "url", "publisher__name")
    list_filter = (("publisher", admin.RelatedOnlyFieldListFilter), "section")
    date_hierarchy = "published_at"
    raw_id_fields = ("feed", "story")
    autocomplete_fields = ("publisher",)
    readonly_fields = ("content_hash", "fetched_at")
    show_full_result_count = False
    list_per_page = 50
