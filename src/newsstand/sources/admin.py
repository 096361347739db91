"""Admin for publishers and their feeds."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from newsstand.sources.models import Feed, Publisher
from newsstand.sources.naming import NameSource

LAST_ERROR_LIST_CHARS = 80


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 0
    fields = ("url", "section", "is_active", "next_check_at", "last_success_at", "error_count")
    readonly_fields = ("next_check_at", "last_success_at", "error_count")
    show_change_link = True


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_source",
        "country",
        "language",
        "is_active",
        "feed_count",
        "articles_link",
    )
    list_filter = ("is_active", "name_source", "language", "country")
    search_fields = ("name", "slug", "homepage")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("name_source", "icon_version", "identity_checked_at")
    inlines = (FeedInline,)

    def save_model(
        self, request: HttpRequest, obj: Publisher, form: ModelForm, change: Any
    ) -> None:
        # A name typed here is staff's choice: the site's or a feed's never replaces it.
        if not change or "name" in form.changed_data:
            obj.name_source = NameSource.STAFF
        super().save_model(request, obj, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Publisher]:
        # One annotated query instead of a COUNT per row.
        return super().get_queryset(request).annotate(_feed_count=Count("feeds"))

    @admin.display(description="feeds", ordering="_feed_count")
    def feed_count(self, obj: Publisher) -> int:
        return int(getattr(obj, "_feed_count", 0))

    @admin.display(description="articles")
    def articles_link(self, obj: Publisher) -> str:
        url = reverse("admin:articles_article_changelist")
        return format_html('<a href="{}?publisher__id__exact={}">Articles</a>', url, obj.pk)


class HasErrorsFilter(admin.SimpleListFilter):
    title = "has errors"
    parameter_name = "has_errors"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Feed]) -> QuerySet[Feed]:
        if self.value() == "yes":
            return queryset.filter(error_count__gt=0)
        if self.value() == "no":
            return queryset.filter(error_count=0)
        return queryset


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = (
        "url",
        "publisher",
        "is_active",
        "next_check_at",
        "last_success_at",
        "error_count",
        "last_error_short",
    )
    list_filter = ("is_active", HasErrorsFilter)
    search_fields = ("url", "title", "publisher__name")
    list_select_related = ("publisher",)
    autocomplete_fields = ("publisher",)
    readonly_fields = (
        "etag",
        "last_modified",
        "last_checked_at",
        "last_success_at",
        "leased_until",
        "error_count",
        "last_error",
        "last_error_at",
        "created_at",
    )
    actions = ("check_now",)

    @admin.display(description="last error")
    def last_error_short(self, obj: Feed) -> str:
        return Truncator(obj.last_error).chars(LAST_ERROR_LIST_CHARS)

    @admin.action(description="Check now")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        # The scheduler picks up feeds whose next_check_at has passed, on its next tick.
        updated = queryset.update(next_check_at=timezone.now())
        self.message_user(
            request,
            f"{updated} feed(s) will be checked on the scheduler's next tick.",
            messages.SUCCESS,
        )
