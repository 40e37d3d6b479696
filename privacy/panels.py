"""The consent panel on the customer page: two queries."""

from django.db.models import Min
from django.utils import timezone

from customers.models import Booking, BookingStatus, CustomerKind, TripType
from privacy.models import Purpose
from privacy.selectors import consent_states


def customer_panel_context(*, customer, user) -> dict | None:
    if customer.kind != CustomerKind.INDIVIDUAL:
        return None
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
    }
