"""Managers publish consent texts here; consents themselves are read-only records (they
are given and withdrawn on the customer's consent page, with audit)."""

from django.contrib import admin

from privacy.models import Anonymisation, ConsentText, DormantProposal, DormantRun


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


class _ReadOnly(admin.ModelAdmin):
    """Records written by the anonymisation service and the dormant job: read, never
    edited here (the queue and the request pages are the doors)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Anonymisation)
class AnonymisationAdmin(_ReadOnly):
    list_display = ["customer_id", "performed_at", "performed_by", "reason", "request"]
    list_select_related = ["performed_by", "request"]
    date_hierarchy = "performed_at"


@admin.register(DormantProposal)
class DormantProposalAdmin(_ReadOnly):
    list_display = ["customer_id", "proposed_on", "status", "last_business_on",
                    "last_contact_at", "decided_by", "keep_until"]  # fmt: skip
    list_filter = ["status", "proposed_on"]
    list_select_related = ["decided_by"]


@admin.register(DormantRun)
class DormantRunAdmin(_ReadOnly):
    list_display = ["run_date", "started_at", "proposed_count"]
