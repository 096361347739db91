"""Admin for memberships: the states are read-only here (every change goes through
membership.actions, so it has its audit event); staff grant days with the action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from newsstand.membership import actions
from newsstand.membership.forms import DEFAULT_GRANT_DAYS
from newsstand.membership.models import (
    Membership,
    MembershipEvent,
    Payment,
    ProviderEvent,
    TrialReminder,
)
from newsstand.membership.transitions import MAX_GRANT_DAYS


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent
    fields = ("at", "from_state", "to_state", "reason", "actor", "provider_event_id")
    readonly_fields = fields
    ordering = ("-at", "-pk")


class TrialReminderInline(ReadOnlyInline):
    model = TrialReminder
    fields = ("kind", "sent_at")
    readonly_fields = fields


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "state",
        "plan",
        "provider",
        "trial_ends_at",
        "paid_until",
        "updated_at",
    )
    list_filter = ("state", "plan", "provider", ("trial_ends_at", admin.DateFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email", "provider_customer_id", "provider_subscription_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "state",
        "trial_started_at",
        "trial_ends_at",
        "paid_until",
        "plan",
        "provider",
        "provider_customer_id",
        "provider_subscription_id",
        "provider_state_at",
        "created_at",
        "updated_at",
    )
    inlines = [MembershipEventInline, TrialReminderInline]
    actions = ["grant_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are created with the account (actions.ensure_membership)

    @admin.action(description="Grant or extend membership by N days")
    def grant_days(
        self, request: HttpRequest, queryset: QuerySet[Membership]
    ) -> HttpResponse | None:
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/membership/grant_days.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Grant membership days",
                    "memberships": queryset.select_related("user"),
                    "days": DEFAULT_GRANT_DAYS,
                    "max_days": MAX_GRANT_DAYS,
                    "opts": self.model._meta,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        try:
            days = int(request.POST.get("days", ""))
        except ValueError:
            days = 0
        if not 0 < days <= MAX_GRANT_DAYS:
            self.message_user(
                request, f"Days must be a whole number from 1 to {MAX_GRANT_DAYS}.", messages.ERROR
            )
            return None
        for membership in queryset.select_related("user"):
            actions.grant_membership(membership.user, days, request.user)
        self.message_user(request, f"Granted {days} days to {queryset.count()} member(s).")
        return None


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by membership.actions; never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "membership", "from_state", "to_state", "reason", "actor")
    list_filter = ("to_state", "from_state")
    list_select_related = ("membership__user", "actor")
    search_fields = ("membership__user__email", "reason", "provider_event_id")
    date_hierarchy = "at"


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "event_type", "event_id", "outcome")
    list_filter = ("provider", "event_type")
    search_fields = ("event_id", "outcome")
    date_hierarchy = "received_at"


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("paid_at", "user", "amount_minor", "currency", "provider", "description")
    list_filter = ("provider", "currency")
    list_select_related = ("user",)
    search_fields = ("user__email", "provider_payment_id")
    date_hierarchy = "paid_at"
