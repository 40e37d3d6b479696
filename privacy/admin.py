"""Managers publish consent texts here; consents themselves are read-only records (they
are given and withdrawn on the customer's consent page, with audit). A person's requests
and their copies are read here and handled on their pages (/privacy/requests/), where
every step is audited; the policy's numbers are changed here, with their history."""

from django.contrib import admin

from customers.admin import ReadOnlyAdmin
from customers.admin_history import ReadOnlyHistoryAdmin
from privacy.models import (
    Anonymisation,
    ConsentText,
    DormantProposal,
    DormantRun,
    PrivacyPolicy,
    RightsCopy,
    RightsRequest,
)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_on"]
    list_filter = ["published_on"]

    def has_change_permission(self, request, obj=None):
        # A text people consented to stays as they read it: publish a new version instead.
        if obj is not None and obj.consent_set.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.consent_set.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "request_working_days", "dormant_years"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PrivacyPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    list_display = ["customer", "kind", "received_on", "due_on", "status", "closed_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["customer"]
    date_hierarchy = "received_on"
    search_fields = ["customer__name"]

    def view_on_site(self, obj):
        from django.urls import reverse

        return reverse("privacy:request_detail", args=[obj.pk])


@admin.register(RightsCopy)
class RightsCopyAdmin(ReadOnlyAdmin):
    list_display = ["request", "status", "requested_at", "generated_at", "downloaded_at"]
    list_filter = ["status"]
    list_select_related = ["request__customer", "requested_by", "downloaded_by"]
    exclude = ["file"]


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["customer_id", "performed_at", "performed_by", "reason", "request"]
    list_select_related = ["performed_by", "request"]
    date_hierarchy = "performed_at"


@admin.register(DormantProposal)
class DormantProposalAdmin(ReadOnlyAdmin):
    list_display = ["customer_id", "proposed_on", "status", "last_business_on",
                    "last_contact_at", "decided_by", "keep_until"]  # fmt: skip
    list_filter = ["status", "proposed_on"]
    list_select_related = ["decided_by"]


@admin.register(DormantRun)
class DormantRunAdmin(ReadOnlyAdmin):
    list_display = ["run_date", "started_at", "proposed_count"]
