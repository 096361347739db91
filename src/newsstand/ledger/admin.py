"""The ledger in the admin: for looking rows up, never for editing them (they are what is paid)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from newsstand.ledger.models import FullRead


@admin.register(FullRead)
class FullReadAdmin(admin.ModelAdmin):
    list_display = ("day", "read_at", "user", "publisher", "article", "via", "trial")
    list_filter = ("via", "trial", "day")
    list_select_related = ("user", "publisher", "article")
    search_fields = ("user__email", "publisher__name", "article__title")
    date_hierarchy = "day"
    raw_id_fields = ("user", "article")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
