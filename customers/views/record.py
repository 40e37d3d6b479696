"""The customer record: what the customer page and its printable version show."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from customers.audit import audit_record
from customers.masking import customer_identity_for
from customers.models import AuditAction, Customer
from customers.panels import customer_panels
from customers.selectors import (
    TIMELINE_LIMIT,
    customer_contact_people,
    customer_figures,
    customer_get_visible,
    customer_timeline,
)

PRINTED_TIMELINE = 20


def customer_record_context(*, user, customer: Customer, timeline_limit=TIMELINE_LIMIT) -> dict:
    """Facts, identity as `user` may see it, contact people, figures, the other apps'
    panels and the timeline: a fixed number of queries whatever the history."""
    contact_people = customer_contact_people(customer=customer)
    return {
        "customer": customer,
        "identity": customer_identity_for(user=user, customer=customer),
        "destinations": list(customer.desired_destinations.all()),
        "tags": list(customer.tags.all()),
        "contact_people": contact_people,
        "timeline": customer_timeline(
            customer=customer, limit=timeline_limit, contact_people=contact_people
        ),
        "figures": customer_figures(customer=customer),
        "panels": customer_panels(customer=customer, user=user),
    }


@login_required
def customer_print(request, pk):
    """The customer record for paper: facts, contact people, grade, points and the recent
    timeline. Scoped and audited as a view of the customer (a printout leaves the
    building)."""
    customer = customer_get_visible(user=request.user, pk=pk)
    audit_record(
        actor=request.user, action=AuditAction.VIEW, obj=customer, detail={"page": "print"}
    )
    context = customer_record_context(
        user=request.user, customer=customer, timeline_limit=PRINTED_TIMELINE
    )
    # A printout offers no edit links; it says when and by whom it was printed.
    context.update(can_edit=False, printed_at=timezone.localtime())
    return render(request, "customers/customer_print.html", context)
