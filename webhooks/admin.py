"""Read-only: endpoints and deliveries change through the managers' pages (audited)."""

from django.contrib import admin

from customers.admin import ReadOnlyAdmin
from webhooks.models import Delivery, DeliveryAttempt, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    list_display = ["name", "url", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    # The signing secret is never shown again after it was made.
    exclude = ["secret"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "response_code", "error", "manual"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "last_response_code"]
    list_filter = ["status", "event", "endpoint"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
