"""The consent panel on the customer page: two queries."""

from django.db.models import Min
from django.utils import timezone

from customers.models import Booking, BookingStatus, CustomerKind, TripType
from privacy.models import Purpose
from privacy.selectors import consent_states
from privacy.selectors_requests import rights_requests_allowed


def customer_panel_context(*, customer, user) -> dict | None:
    # Custodians and managers register a person's request here (for an organisation:
    # a request from one of its contact people about what is held on them).
    can_register = rights_requests_allowed(user)
    if customer.kind != CustomerKind.INDIVIDUAL:
        if not can_register:
            return None
        return {"customer_id": customer.pk, "organisation": True, "can_register": True}
    states = consent_states(customer=customer)
    given = {s.purpose for s in states if s.given}
    next_outbound = None
    if Purpose.CROSS_BORDER not in given:
        # Flagged before the traveller's data goes to a ground agency abroad (Art. 38-39).
        next_outbound = Booking.objects.filter(
            customer=customer,
            trip_type=TripType.OUTBOUND,
            status__in=[BookingStatus.BOOKED, BookingStatus.PAID],
            end_date__gte=timezone.localdate(),
        ).aggregate(first=Min("start_date"))["first"]
    return {
        "customer_id": customer.pk,
        "given": [s for s in states if s.given],
        "missing": [s for s in states if not s.given],
        "outbound_without_consent": next_outbound,
        # Nothing left to ask about an anonymised person: the panel says so instead.
        "anonymised_at": customer.anonymised_at,
        "can_register": can_register and customer.anonymised_at is None,
    }
