"""Bookings sent by another system, addressed by (source, number): the one service the
API and the importer share."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import AuditEntry, Booking, BookingStatus, TripType
from customers.services import booking_sync_from_source
from tests.factories import CustomerFactory, DestinationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def values():
    return {
        "product": "三亚五日游",
        "destination": DestinationFactory(name="三亚"),
        "trip_type": TripType.DOMESTIC,
        "start_date": datetime.date(2026, 3, 1),
        "end_date": datetime.date(2026, 3, 5),
        "head_count": 2,
        "amount": Decimal("8000.00"),
        "cost": Decimal("6500.00"),
        "status": BookingStatus.BOOKED,
    }


def test_the_same_booking_sent_twice_is_one_booking_and_the_second_send_changes_nothing(
    sales1, values
):
    customer = CustomerFactory(owner=sales1)
    first = booking_sync_from_source(
        actor=sales1,
        customer=customer,
        source="Booking-System",
        number="bk 2024－001",
        values=values,
    )
    again = booking_sync_from_source(
        actor=sales1,
        customer=customer,
        source="booking-system",
        number="BK2024-001",
        values={**values, "amount": "8000"},
    )
    assert (first.outcome, again.outcome) == ("created", "unchanged")
    assert again.booking.pk == first.booking.pk
    booking = Booking.objects.get()
    assert (booking.source, booking.source_number) == ("booking-system", "BK2024-001")
    assert booking.history.count() == 1
    assert AuditEntry.objects.filter(object_type="booking").count() == 1


def test_a_changed_booking_is_updated_and_its_history_says_so(sales1, values):
    customer = CustomerFactory(owner=sales1)
    booking_sync_from_source(
        actor=sales1, customer=customer, source="website", number="W1", values=values
    )
    paid = {**values, "status": BookingStatus.PAID, "paid_date": datetime.date(2026, 2, 1)}
    result = booking_sync_from_source(
        actor=sales1, customer=customer, source="website", number="W1", values=paid
    )
    assert result.outcome == "updated"
    assert result.booking.history.first().status == BookingStatus.PAID
    assert result.booking.history.count() == 2


def test_a_number_on_file_for_another_customer_is_refused(sales1, values):
    mine, other = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    booking_sync_from_source(
        actor=sales1, customer=mine, source="website", number="W1", values=values
    )
    with pytest.raises(ValidationError) as refused:
        booking_sync_from_source(
            actor=sales1, customer=other, source="website", number="W1", values=values
        )
    assert "source_number" in refused.value.message_dict
    assert Booking.objects.get().customer == mine


def test_invalid_values_and_customers_outside_ones_book_are_refused(sales1, sales3, values):
    customer = CustomerFactory(owner=sales1)
    with pytest.raises(ValidationError) as refused:
        booking_sync_from_source(
            actor=sales1,
            customer=customer,
            source="web site!",
            number="",
            values={**values, "end_date": datetime.date(2026, 2, 1)},
        )
    assert {"source", "source_number"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        booking_sync_from_source(
            actor=sales3, customer=customer, source="website", number="W9", values=values
        )
    assert not Booking.objects.exists()
