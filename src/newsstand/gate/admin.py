from django.contrib import admin

from newsstand.gate.models import MeteredRead


@admin.register(MeteredRead)
class MeteredReadAdmin(admin.ModelAdmin):
    list_display = ("month", "user", "article", "read_at")
    list_filter = ("month",)
    search_fields = ("user__email",)
    raw_id_fields = ("user", "article")
    date_hierarchy = "read_at"
