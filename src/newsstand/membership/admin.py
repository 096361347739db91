from django.contrib import admin

from newsstand.membership.models import Membership, MembershipEvent, Payment


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_state", "to_state", "reason", "actor", "provider_event_id")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "plan", "provider", "trial_ends_at", "paid_until")
    list_filter = ("state", "plan", "provider")
    search_fields = ("user__email", "provider_customer_id", "provider_subscription_id")
    inlines = [MembershipEventInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("paid_at", "user", "amount_minor", "currency", "provider", "description")
    list_filter = ("provider", "currency")
    search_fields = ("user__email", "provider_payment_id")
    date_hierarchy = "paid_at"
