"""Managers publish consent texts here; consents themselves are read-only records (they
are given and withdrawn on the customer's consent page, with audit)."""

from django.contrib import admin

from privacy.models import ConsentText


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
