"""Thin views: reports from selectors, decisions through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import require_page
from customers.pagination import CappedPaginator
from customers.selectors import customer_get_visible
from customers.services import MassActionRefused, personal_data_export_record
from tiers import charts
from tiers.exports import CUSTOMER_ROW_REPORTS, REPORTS, report_table, table_response
from tiers.forms import DecisionForm, GradeOverrideForm, ProposalFilterForm, ReportFilterForm
from tiers.models import ProposalStatus
from tiers.selectors import (
    PENDING_CAP,
    churn_series,
    evaluation_get,
    evaluations_for_review,
    notification_get_for_owner,
    owner_tasks,
    proposal_counts,
    proposals_filtered,
    report_months,
    report_scope,
    tier_report,
    tiers_can_review,
    tiers_can_see_reports,
)
from tiers.services import grade_override, notification_mark_done, proposals_decide

PAGE_SIZE = 50


def _report_for(request):
    require_page(tiers_can_see_reports(user=request.user))
    form = ReportFilterForm(request.GET or None, user=request.user, months=report_months())
    month = form.chosen_month()
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    scope = report_scope(user=request.user, team=filters.get("team"), owner=filters.get("owner"))
    return form, tier_report(user=request.user, month=month, scope=scope)


@login_required
def report(request):
    form, data = _report_for(request)
    query = request.GET.urlencode()
    tasks = owner_tasks(user=request.user)
    return render(
        request,
        "tiers/report.html",
        {
            "form": form,
            "report": data,
            "query": query,
            "charts": {
                "grades": charts.bar_chart(data.grades, title=_("Customers by grade")),
                "movement": charts.bar_chart(
                    data.movement.get("rows", []), title=_("Movement since the last evaluation")
                ),
                "quadrants": charts.quadrant_matrix(data.quadrants, title=_("Quadrant matrix")),
                "pareto": charts.pareto_curve(data.pareto, title=_("Pareto curve")),
                "rfm": charts.heat_map(data.rfm, title=_("RFM heat map")),
                "dormant": charts.bar_chart(
                    data.dormant.get("by_grade", []), title=_("Semi-dormant customers by grade")
                ),
                "churn": charts.grouped_bars(
                    # The handbook's shares alone are no data: no chart without lost customers.
                    data.churn["rows"] if data.churn.get("totals", {}).get("all_time") else [],
                    title=_("Reasons lost"),
                    series=churn_series(data.churn),
                ),
            },
            "tasks": tasks[:50],
            "task_count": tasks.count(),
            "can_review": tiers_can_review(user=request.user),
        },
    )


@login_required
def report_export(request, name: str, fmt: str):
    if name not in REPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    _form, data = _report_for(request)
    headers, rows = report_table(data, name)
    try:
        personal_data_export_record(
            actor=request.user,
            customer_rows=len(rows) if name in CUSTOMER_ROW_REPORTS else 0,
            object_type="tier_report",
            detail={"report": name, "format": fmt, "filters": request.GET.dict()},
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(f"{reverse('tiers:report')}?{request.GET.urlencode()}")
    month = f"{data.month:%Y-%m}" if data.month else "none"
    return table_response(headers, rows, filename=f"tiers-{name}-{month}", fmt=fmt)


def _require_committee(request):
    require_page(tiers_can_review(user=request.user))


@login_required
def review_list(request):
    _require_committee(request)
    return render(
        request,
        "tiers/review_list.html",
        {"evaluations": evaluations_for_review()[:40], "pending_cap": PENDING_CAP},
    )


@login_required
def review_detail(request, pk: int):
    _require_committee(request)
    evaluation = evaluation_get(pk=pk)
    filter_form = ProposalFilterForm(request.GET or {"status": ProposalStatus.PENDING})
    filters = filter_form.cleaned_data if filter_form.is_valid() else {"status": "pending"}
    proposals = proposals_filtered(
        evaluation=evaluation,
        change_type=filters.get("change_type") or "",
        team=filters.get("team"),
        min_spend=filters.get("min_spend"),
        max_spend=filters.get("max_spend"),
        status=filters.get("status") or "",
        poor_value=filters.get("poor_value") == "1",
    )
    # Counted up to 10,000 like the customer list: an exact count of a review's 650,000
    # pending proposals took 0.55 s on every view. "Approve all shown" still decides the
    # whole filter, and says how many it decided.
    page = CappedPaginator(
        proposals.select_related("customer__owner", "decided_by").order_by("-spend_12m", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    decision = DecisionForm(request.POST or None)
    if request.method == "POST" and decision.is_valid():
        return _decide(request, evaluation, proposals, decision)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tiers/review_detail.html",
        {
            "evaluation": evaluation,
            "filter_form": filter_form,
            "decision": decision,
            "page": page,
            "counts": _counts_shown(proposal_counts(evaluation=evaluation)),
            "query": query.urlencode(),
        },
    )


def _counts_shown(counts: dict[str, int]) -> dict[str, int | str]:
    """The header's numbers: past the cap, "10,000+" (as on the review list)."""
    capped = f"{number_format(PENDING_CAP, force_grouping=True)}+"
    return {status: capped if n > PENDING_CAP else n for status, n in counts.items()}


def _decide(request, evaluation, proposals, decision):
    action = decision.cleaned_data["action"]
    chosen = (
        proposals
        if action == DecisionForm.APPROVE_ALL
        else proposals.filter(pk__in=decision.cleaned_data["selected"])
    )
    grade = decision.cleaned_data.get("grade") or ""
    try:
        count = proposals_decide(
            actor=request.user,
            evaluation=evaluation,
            proposals=chosen,
            grade=grade if action == DecisionForm.OVERRIDE and grade != "reject" else None,
            reject=action == DecisionForm.OVERRIDE and grade == DecisionForm.REJECT,
            note=decision.cleaned_data.get("note") or "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d proposal decided.", "%(count)d proposals decided.", count)
            % {"count": count},
        )
    url = reverse("tiers:review_detail", args=[evaluation.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
def customer_grade(request, pk: int):
    customer = customer_get_visible(user=request.user, pk=pk)
    _require_committee(request)
    form = GradeOverrideForm(request.POST or None, initial={"grade": customer.grade or None})
    if request.method == "POST" and form.is_valid():
        try:
            grade_override(
                actor=request.user,
                customer=customer,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Grade set to %(grade)s.") % {"grade": customer.get_grade_display()}
            )
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "tiers/grade_form.html", {"customer": customer, "form": form})


@login_required
@require_POST
def task_done(request, pk: int):
    notification = notification_get_for_owner(user=request.user, pk=pk)
    if notification_mark_done(actor=request.user, notification=notification):
        messages.success(
            request,
            _("Marked done: %(customer)s told of grade %(grade)s.")
            % {"customer": notification.customer.name, "grade": notification.grade},
        )
    next_url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("tiers:report")
