"""Admin for managers: tier policy versions (a change is saved as a new version, so past
statistics and evaluations keep theirs) and the tiering history, read-only."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from customers.admin import ReadOnlyAdmin
from tiers.models import (
    Evaluation,
    GradeChange,
    GradeNotification,
    Proposal,
    StatisticsRun,
    TierPolicy,
)
from tiers.services import policy_current, policy_publish


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    """“Add tier policy” opens a copy of the version in force; saving publishes it as
    the next version. Existing versions are read-only."""

    list_display = [
        "version", "created_at", "created_by", "grade_a_min", "grade_b_min", "volume_rule",
        "note",
    ]  # fmt: skip
    readonly_fields = ["version", "created_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["version", "created_at", "created_by", "note"]}),
        (_("Grades by 12-month spend"), {"fields": ["grade_a_min", "grade_b_min"]}),
        (
            _("Quadrant"),
            {
                "fields": [
                    "volume_rule",
                    "volume_top_percent",
                    "volume_min_spend",
                    "loyalty_min_bookings",
                    "loyalty_window_months",
                    "loyalty_recent_months",
                ]
            },
        ),
        (_("Dormancy"), {"fields": ["dormant_days"]}),
        (
            _("Half-yearly review"),
            {
                "fields": ["downgrade_complaints"],
                "description": _(
                    "The review proposes the grade the 12-month spend implies, up or down; "
                    "complaints bring it one step below the grade in force."
                ),
            },
        ),
        (
            _("Value"),
            {
                "fields": [
                    "value_weight_spend",
                    "value_weight_margin",
                    "value_weight_delay",
                    "value_weight_frequency",
                    "poor_value_margin_percent",
                    "poor_value_delay_days",
                ]
            },
        ),
        (_("Benefits told to customers"), {"fields": ["benefits_a", "benefits_b", "benefits_c"]}),
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = model_to_dict(
            policy_current(), exclude=["id", "version", "note", "created_by", "created_at"]
        )
        return {**current, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        policy_publish(actor=request.user, policy=obj)


@admin.register(StatisticsRun)
class StatisticsRunAdmin(ReadOnlyAdmin):
    list_display = ["month", "policy", "customer_count", "started_at", "finished_at"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["review_date", "snapshot_month", "policy", "proposal_count", "created_at"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = [
        "evaluation", "customer", "from_grade", "to_grade", "change_type", "status",
        "decided_grade", "decided_by", "decided_at",
    ]  # fmt: skip
    list_filter = ["evaluation", "status", "change_type"]
    list_select_related = ["evaluation", "customer", "decided_by"]
    search_fields = ["customer__name"]
    show_full_result_count = False


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at", "customer", "from_grade", "to_grade", "source", "approved_by", "reason",
    ]  # fmt: skip
    list_filter = ["source", "to_grade", "evaluation"]
    list_select_related = ["customer", "approved_by"]
    search_fields = ["customer__name"]
    show_full_result_count = False


@admin.register(GradeNotification)
class GradeNotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "channel", "address", "grade", "status", "owner"]
    list_filter = ["channel", "status"]
    list_select_related = ["customer", "owner"]
    search_fields = ["customer__name", "address"]
    show_full_result_count = False
