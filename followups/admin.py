"""Managers keep the policy, standing visits, events and mailings here; custodians read.
Follow-ups, planning runs, alerts and mailing lists are records: read-only."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.admin import ReadOnlyAdmin
from customers.admin_history import ReadOnlyHistoryAdmin
from followups.models import (
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    FeedbackAlert,
    Followup,
    FollowupPolicy,
    KeyAccountRecord,
    MailingRecipient,
    PlanningRun,
    StandingVisit,
)


@admin.register(FollowupPolicy)
class FollowupPolicyAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "effective_from",
        "post_trip_days",
        "cadence_a_days",
        "cadence_b_days",
        "cadence_c_days",
        "frequency_cap_days",
        "greeting_lead_days",
        "feedback_response_hours",
        "mailing_cap_days",
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # a past version explains past plans

    def get_readonly_fields(self, request, obj=None):
        # A version already in force is history: add a new version instead.
        if obj is not None and obj.pk and obj.effective_from <= timezone.localdate():
            return [f.name for f in self.model._meta.fields]
        return []


@admin.register(StandingVisit)
class StandingVisitAdmin(admin.ModelAdmin):
    list_display = ["customer", "weekday", "time", "route", "active"]
    list_filter = ["weekday", "active"]
    search_fields = ["customer__name", "route"]
    raw_id_fields = ["customer"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Followup)
class FollowupAdmin(ReadOnlyAdmin):
    list_display = [
        "customer", "kind", "why", "due_on", "planned_on", "owner", "status",
    ]  # fmt: skip
    list_filter = ["kind", "status", "occasion"]
    search_fields = ["customer__name", "occasion_key"]
    list_select_related = ["customer", "owner"]
    date_hierarchy = "due_on"

    @admin.display(description=_("why"))
    def why(self, obj):
        """The reason, rendered in the reader's language from the stored facts."""
        return obj.reason


@admin.register(PlanningRun)
class PlanningRunAdmin(ReadOnlyAdmin):
    list_display = ["run_date", "started_at", "finished_at", "moved_by_cap", "overdue_feedback"]


@admin.register(FeedbackAlert)
class FeedbackAlertAdmin(ReadOnlyAdmin):
    list_display = ["service_record", "alerted_at"]
    list_select_related = ["service_record"]


@admin.register(KeyAccountRecord)
class KeyAccountRecordAdmin(ReadOnlyAdmin):
    list_display = ["customer", "visit_date", "recorded_by", "next_visit_on"]
    search_fields = ["customer__name", "topics"]
    list_select_related = ["customer", "recorded_by"]


class InvitationInline(admin.TabularInline):
    model = EventInvitation
    fields = ["customer", "reply", "replied_at", "attended"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerEvent)
class CustomerEventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "venue"]
    exclude = ["created_by"]
    inlines = [InvitationInline]

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CatalogueMailing)
class CatalogueMailingAdmin(admin.ModelAdmin):
    list_display = ["title", "product", "mailed_on", "skipped_by_cap"]
    readonly_fields = ["skipped_by_cap", "created_by"]
    filter_horizontal = ["destinations"]

    def has_add_permission(self, request):
        return False  # made on the Catalogue mailings page, which builds the list


@admin.register(MailingRecipient)
class MailingRecipientAdmin(ReadOnlyAdmin):
    list_display = ["name", "mailing", "postal_code", "mailed_on"]
    list_filter = ["mailing"]
    search_fields = ["name", "postal_code"]
