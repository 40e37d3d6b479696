from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import FINANCE, has_role
from customers.services import MassActionRefused, personal_data_export_record
from customers.spreadsheets import money, table_response
from customers.summaries import receivables_overdue
from home.selectors import (
    CUSTODIAN_SECTION,
    FINANCE_SECTION,
    MANAGER_SECTION,
    REP_SECTION,
    custodian_home,
    finance_home,
    home_sections,
    manager_home,
    rep_home,
)

EXPORT_FORMATS = ("csv", "xlsx")


@login_required
def home(request):
    """Each role's home page: one section per role the person holds, most senior first.
    Someone with no role (a superuser aside) goes to the customer list as before."""
    user = request.user
    sections = home_sections(user=user)
    if not sections:
        return redirect("customers:list")
    now = timezone.now()
    today = timezone.localdate(now)
    builders = {
        MANAGER_SECTION: lambda: manager_home(user=user, today=today, now=now),
        FINANCE_SECTION: lambda: finance_home(user=user, today=today),
        CUSTODIAN_SECTION: lambda: custodian_home(user=user, today=today),
        REP_SECTION: lambda: rep_home(user=user, today=today),
    }
    return render(
        request,
        "home/home.html",
        {
            "sections": sections,
            "data": {name: builders[name]() for name in sections},
            "today": today,
        },
    )


@login_required
def receivables_export(request, fmt: str):
    """Finance's overdue receivables as CSV or XLSX: every overdue booking with its
    customer, owner and days overdue. Personal data (customers' names), so it passes the
    one export guard first, which records it in the audit log or refuses it whole."""
    if fmt not in EXPORT_FORMATS or not has_role(request.user, FINANCE):
        raise Http404
    today = timezone.localdate()
    bookings = list(receivables_overdue(user=request.user, today=today))
    try:
        personal_data_export_record(
            actor=request.user,
            customer_rows=len({booking.customer_id for booking in bookings}),
            object_type="receivables",
            detail={"rows": len(bookings), "format": fmt, "as_of": today.isoformat()},
        )
    except MassActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("home")
    headers = [
        _("Customer"),
        _("Owner"),
        _("Product / tour"),
        _("Trip start"),
        _("Payment due"),
        _("Days overdue"),
        _("Amount (¥)"),
    ]
    rows = [
        [
            booking.customer.name,
            booking.customer.owner.display_name,
            booking.product,
            booking.start_date,
            booking.payment_due_date,
            (today - booking.payment_due_date).days,
            money(booking.amount),
        ]
        for booking in bookings
    ]
    return table_response(headers, rows, filename=f"receivables-{today:%Y-%m-%d}", fmt=fmt)
