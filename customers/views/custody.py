"""Custody pages: revealing an ID number, special access, alerts, staff and handovers."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from accounts.roles import MANAGER, ROLE_LABELS, has_role, require_page
from customers.forms import AccessDecisionForm, AccessRequestForm, DepartureForm
from customers.models import AccessRequest, AccessRequestStatus, SecurityAlert, StaffDeparture
from customers.outbox_selectors import outbox_failed_count
from customers.selectors import (
    customer_find_for_access_request,
    customer_get_visible,
    customer_id_number_lookup_allowed,
    staff_others,
    staff_workload,
)
from customers.services import (
    access_request_create,
    access_request_decide,
    customer_id_number_reveal,
    employee_depart,
    security_alert_acknowledge,
)


def _require_manager(request) -> None:
    require_page(has_role(request.user, MANAGER))


@never_cache
@sensitive_variables("id_number")
@login_required
@require_POST
def id_number_reveal(request, pk):
    customer = customer_get_visible(user=request.user, pk=pk)
    id_number = customer_id_number_reveal(actor=request.user, customer=customer)
    return render(
        request, "customers/id_number.html", {"customer": customer, "id_number": id_number}
    )


@login_required
def access_request_new(request):
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = customer_find_for_access_request(identifier=form.cleaned_data["identifier"])
        if customer is not None and not customer_id_number_lookup_allowed(
            user=request.user, customer=customer, identifier=form.cleaned_data["identifier"]
        ):
            customer = None  # no yes/no about an ID number the person may not see in full
        if customer is None:
            form.add_error("identifier", _("No single customer matches this."))
        else:
            try:
                access_request_create(
                    actor=request.user, customer=customer, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your request has gone to the managers."))
                return redirect("customers:access_requests")
    return render(request, "customers/access_request_form.html", {"form": form})


@login_required
def access_requests(request):
    """Managers decide the waiting requests; everyone sees their own."""
    is_manager = has_role(request.user, MANAGER)
    requests = AccessRequest.objects.select_related("requester", "customer", "decided_by")
    if not is_manager:
        requests = requests.filter(requester=request.user)
    page = Paginator(requests, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/access_requests.html",
        {"page": page, "is_manager": is_manager, "decision_form": AccessDecisionForm()},
    )


@login_required
@require_POST
def access_request_decide_view(request, pk):
    _require_manager(request)
    access = get_object_or_404(AccessRequest, pk=pk, status=AccessRequestStatus.PENDING)
    form = AccessDecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        access_request_decide(
            actor=request.user,
            access=access,
            approve=approve,
            days=form.cleaned_data["days"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Approved.") if approve else _("Refused."))
    else:
        messages.error(request, _("Give the number of days as 1 to 90."))
    return redirect("customers:access_requests")


@login_required
def security_alerts(request):
    _require_manager(request)
    alerts = SecurityAlert.objects.select_related("actor", "acknowledged_by").order_by(
        "acknowledged_at", "-created_at"
    )
    page = Paginator(alerts, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/security_alerts.html",
        {"page": page, "failed_mail": outbox_failed_count()},
    )


@login_required
@require_POST
def security_alert_acknowledge_view(request, pk):
    _require_manager(request)
    alert = get_object_or_404(SecurityAlert, pk=pk)
    security_alert_acknowledge(actor=request.user, alert=alert)
    return redirect("customers:alerts")


@login_required
def staff_list(request):
    _require_manager(request)
    return render(
        request,
        "customers/staff_list.html",
        {
            "staff": staff_workload(),
            "others": [
                (
                    member,
                    " / ".join(
                        str(ROLE_LABELS[g.name])
                        for g in member.groups.all()
                        if g.name in ROLE_LABELS
                    ),
                )
                for member in staff_others()
            ],
        },
    )


@login_required
def staff_depart(request, user_pk):
    _require_manager(request)
    employee = get_object_or_404(get_user_model().objects.select_related("team"), pk=user_pk)
    if hasattr(employee, "departure"):
        return redirect("customers:staff_departure", user_pk=employee.pk)
    form = DepartureForm(request.POST or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        try:
            employee_depart(actor=request.user, employee=employee, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s's access has ended and their customers were handed over.")
                % {"name": employee.display_name},
            )
            return redirect("customers:staff_departure", user_pk=employee.pk)
    return render(
        request,
        "customers/staff_depart.html",
        {
            "employee": employee,
            "form": form,
            "customer_count": employee.customers(manager="all_objects").count(),
            "agreements": list(employee.confidentiality_agreements.all()),
        },
    )


@login_required
def staff_departure(request, user_pk):
    _require_manager(request)
    employee = get_object_or_404(get_user_model(), pk=user_pk)
    departure = get_object_or_404(
        StaffDeparture.objects.select_related("recorded_by"), employee=employee
    )
    items = departure.items.select_related("customer", "to_owner").order_by("to_owner", "pk")
    return render(
        request,
        "customers/staff_departure.html",
        {
            "employee": employee,
            "departure": departure,
            "page": Paginator(items, 100).get_page(request.GET.get("page")),
            "agreements": list(employee.confidentiality_agreements.all()),
        },
    )
