"""Read-only admin of the periodic jobs' attempts and alerts (customers/jobs.py)."""

from django.contrib import admin

from customers.admin import ReadOnlyAdmin
from customers.models import JobAlert, JobAttempt


@admin.register(JobAttempt)
class JobAttemptAdmin(ReadOnlyAdmin):
    list_display = ["job", "period", "started_at", "finished_at", "outcome", "rows", "error"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"


@admin.register(JobAlert)
class JobAlertAdmin(ReadOnlyAdmin):
    list_display = ["job", "period", "deadline", "raised_at", "acknowledged_by", "acknowledged_at"]
    list_filter = ["job"]
