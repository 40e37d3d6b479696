"""Refunds on bookings, the booking_saved and customers_reassigned announcements and the
customer-page panels: the seams tiers, followups and loyalty build on."""

import copy
import datetime
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from customers import panels
from customers.models import Booking, BookingStatus
from customers.services import booking_save, customer_update, employee_depart
from customers.signals import booking_saved, customers_reassigned
from tests.factories import BookingFactory, CustomerFactory, DestinationFactory

pytestmark = pytest.mark.django_db


def booking_post(**changes):
    data = {
        "product": "桂林山水四日",
        "destination": DestinationFactory(name="桂林").pk,
        "trip_type": "domestic",
        "start_date": "2026-12-01",
        "end_date": "2026-12-04",
        "head_count": 2,
        "amount": "5000",
        "cost": "4000",
        "payment_due_date": "2026-11-20",
        "paid_date": "2026-11-18",
        "status": "paid",
    }
    return data | changes


def test_a_refund_larger_than_the_amount_is_refused_beside_the_field(
    sales1, customer_of_sales1, client_as
):
    client = client_as(sales1)
    url = reverse("customers:booking_add", args=[customer_of_sales1.pk])
    response = client.post(url, booking_post(refunded_amount="5000.01"))
    assert response.status_code == 200
    assert "The refund cannot exceed the amount paid." in response.context["form"].errors.get(
        "refunded_amount", []
    )
    assert not Booking.objects.filter(customer=customer_of_sales1).exists()


def test_no_refund_figure_means_nothing_refunded(sales1, customer_of_sales1, client_as):
    client = client_as(sales1)
    client.post(reverse("customers:booking_add", args=[customer_of_sales1.pk]), booking_post())
    booking = Booking.objects.get(customer=customer_of_sales1)
    assert booking.refunded_amount == 0
    assert booking.net_amount == Decimal("5000")


def test_a_refunded_booking_without_a_figure_is_refunded_in_full(
    sales1, customer_of_sales1, client_as
):
    client = client_as(sales1)
    url = reverse("customers:booking_add", args=[customer_of_sales1.pk])
    client.post(url, booking_post(status="refunded"))
    booking = Booking.objects.get(customer=customer_of_sales1)
    assert booking.refunded_amount == Decimal("5000")
    assert booking.net_amount == 0


def test_a_partial_refund_is_kept_and_nets_the_amount(sales1):
    booking = BookingFactory(customer=CustomerFactory(owner=sales1), amount=Decimal("8000"))
    booking.refunded_amount = Decimal("2400")
    booking_save(actor=sales1, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    assert booking.net_amount == Decimal("5600")


def test_the_database_refuses_a_refund_over_the_amount(sales1):
    booking = BookingFactory(customer=CustomerFactory(owner=sales1), amount=Decimal("100"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(refunded_amount=Decimal("100.01"))


def test_booking_saved_is_announced_after_commit_only(sales1, django_capture_on_commit_callbacks):
    heard = []

    def receiver(sender, booking_id, actor, **kwargs):
        heard.append((booking_id, actor))

    booking_saved.connect(receiver)
    try:
        booking = BookingFactory.build(customer=CustomerFactory(owner=sales1))
        booking.destination.save()
        booking.destination_id = booking.destination.pk
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            booking_save(actor=sales1, booking=booking)
            assert heard == []  # nothing before the transaction commits
        assert len(callbacks) == 1
        assert heard == [(booking.pk, sales1)]
    finally:
        booking_saved.disconnect(receiver)


@contextmanager
def reassignments_heard():
    heard = []

    def receiver(sender, customer_ids, actor, **kwargs):
        heard.append((customer_ids, actor))

    customers_reassigned.connect(receiver)
    try:
        yield heard
    finally:
        customers_reassigned.disconnect(receiver)


def test_a_departure_announces_every_customer_it_handed_over_after_commit_only(
    sales1, sales2, sales3, manager1, django_capture_on_commit_callbacks
):
    handed = sorted(c.pk for c in CustomerFactory.create_batch(3, owner=sales1))
    CustomerFactory(owner=sales3)  # not sales1's: not announced
    with reassignments_heard() as heard:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            employee_depart(
                actor=manager1, employee=sales1, left_on=datetime.date(2026, 11, 23),
                to_owner=sales2,
            )  # fmt: skip
            assert heard == []  # nothing before the transaction commits
        assert heard == [(handed, manager1)]  # all of them, in one announcement
    assert callbacks  # it went through on_commit


def test_a_new_owner_on_the_customer_form_is_announced_after_commit_only(
    sales1, sales3, manager1, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1)
    with reassignments_heard() as heard:
        customer.character_notes = "爱好摄影"
        with django_capture_on_commit_callbacks(execute=True):
            customer_update(actor=manager1, customer=customer)
        assert heard == []  # the owner did not change: nothing to announce
        customer.owner = sales3
        with django_capture_on_commit_callbacks(execute=True):
            customer_update(actor=manager1, customer=customer)
            assert heard == []
        assert heard == [([customer.pk], manager1)]


def test_a_new_owner_in_the_admin_is_announced_after_commit(
    sales1, sales3, manager1, client_as, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1, kind="individual", status="active")
    with reassignments_heard() as heard:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(manager1).post(
                reverse("admin:customers_customer_change", args=[customer.pk]),
                {"kind": "individual", "name": customer.name, "owner": sales3.pk,
                 "status": "active", "mobile": customer.mobile},
            )  # fmt: skip
        assert response.status_code == 302
        assert heard == [([customer.pk], manager1)]


def test_an_invalid_booking_announces_nothing(sales1, django_capture_on_commit_callbacks):
    booking = BookingFactory(customer=CustomerFactory(owner=sales1))
    booking.refunded_amount = booking.amount + 1
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        booking_save(actor=sales1, booking=booking)
    assert callbacks == []


@pytest.fixture
def test_templates(settings):
    """Templates that exist for tests only (tests/templates)."""
    engine = copy.deepcopy(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], Path(__file__).resolve().parent.parent / "templates"]
    settings.TEMPLATES = [engine]


def test_registered_panels_appear_on_the_customer_page_in_order(
    sales1, customer_of_sales1, client_as, monkeypatch, test_templates
):
    monkeypatch.setattr(panels, "_panels", {})
    seen_by = []

    def context(*, customer, user):
        seen_by.append((customer.pk, user.pk))
        return {"greeting": f"panel for {customer.name}"}

    panels.register_customer_panel(
        key="second", template_name="customers/tests/panel.html", context=context, order=20
    )
    panels.register_customer_panel(
        key="first",
        template_name="customers/tests/panel.html",
        context=context,
        column="right",
        order=10,
    )
    panels.register_customer_panel(
        key="hidden", template_name="customers/tests/panel.html", context=lambda **kw: None
    )
    response = client_as(sales1).get(reverse("customers:detail", args=[customer_of_sales1.pk]))
    assert [p.key for p in response.context["panels"]] == ["first", "second"]
    html = response.content.decode()
    assert html.count(f"panel for {customer_of_sales1.name}") == 2
    assert 'data-panel="hidden"' not in html
    assert seen_by == [(customer_of_sales1.pk, sales1.pk)] * 2
