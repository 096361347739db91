"""Admin: readers' briefing choices, and deliveries to see what went out, failed or is stuck.

A delivery left in "sending" for more than a few minutes is one whose worker died mid-send: it
may or may not have reached the reader, and it is never sent again (at most once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from newsstand.briefing.models import BriefingDelivery, BriefingPreference


@admin.register(BriefingPreference)
class BriefingPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "enabled", "send_time", "time_zone", "unsubscribed_at")
    list_filter = ("enabled", "unsubscribed_via")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(BriefingDelivery)
class BriefingDeliveryAdmin(admin.ModelAdmin):
    list_display = ("user", "local_date", "state", "attempts", "due_at", "sent_at", "items")
    list_filter = ("state", "local_date")
    search_fields = ("user__email",)
    date_hierarchy = "local_date"
    readonly_fields = [f.name for f in BriefingDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
