from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ConfidentialityAgreement, Team, User


class ConfidentialityAgreementInline(admin.TabularInline):
    model = ConfidentialityAgreement
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ConfidentialityAgreementInline]
    list_display = ["username", "full_name", "team", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "team"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Agency"), {"fields": ("full_name", "team", "phone", "must_change_password")}),
    )
    # Set only by a manager on the Staff page, which audits it.
    readonly_fields = ["must_change_password"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]


@admin.register(ConfidentialityAgreement)
class ConfidentialityAgreementAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "signed_on", "non_compete_until"]
    list_filter = ["signed_on"]
    search_fields = ["user__username", "user__full_name", "title"]
    list_select_related = ["user"]
