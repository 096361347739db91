"""Admin for stored articles."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from newsstand.articles.actions import announce_section_changes, normalise_sections
from newsstand.articles.models import Article, Section
from newsstand.articles.sections import forget_catalogue


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "section", "section_source", "published_at", "word_count")
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

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Article], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # A section set by hand is the story's too: its copy (`Story.sections`) follows now,
        # in the admin's transaction, not at the story's next new article.
        if change and "section" in form.changed_data:
            announce_section_changes([obj.pk])


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """The sections readers browse by. Ingest maps new articles onto them at once; the action
    maps the articles already stored (as `newsstand sections normalise` does)."""

    list_display = ("name", "slug", "aliases")
    search_fields = ("name", "aliases")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("apply_to_stored_articles",)

    @admin.action(description="Apply the section list to every stored article")
    def apply_to_stored_articles(self, request: HttpRequest, queryset: QuerySet[Section]) -> None:
        forget_catalogue()
        read = changed = 0
        for n, moved in normalise_sections():
            read += n
            changed += moved
        self.message_user(
            request,
            f"Sections applied to {read} articles; {changed} changed section.",
            messages.SUCCESS,
        )
