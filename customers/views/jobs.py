"""The job-runs page: each periodic job's periods, attempts and alerts (managers)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import require_manager_page
from customers.jobs import job_alert_acknowledge, job_runs_overview
from customers.models import JobAlert


@login_required
def job_runs(request):
    require_manager_page(request.user)
    return render(request, "customers/job_runs.html", {"jobs": job_runs_overview()})


@login_required
@require_POST
def job_alert_acknowledge_view(request, pk):
    require_manager_page(request.user)
    job_alert_acknowledge(actor=request.user, alert=get_object_or_404(JobAlert, pk=pk))
    return redirect("customers:job_runs")
