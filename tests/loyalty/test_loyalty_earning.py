"""Earning on paid bookings, once; proportional reversal on refunds; the sweep."""

import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from customers.models import BookingStatus, Grade
from customers.services import booking_save
from loyalty.models import Card, EntryKind, LedgerEntry
from loyalty.selectors import ledger_reconcile
from loyalty.services import booking_points_sync, points_sweep, redemption_create
from tests.factories import BookingFactory, CustomerFactory, DestinationFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_paying_a_booking_earns_points_once_however_often_it_is_saved(
    customer, sales1, django_capture_on_commit_callbacks
):
    booking = BookingFactory.build(
        customer=customer,
        destination=DestinationFactory(),
        status=BookingStatus.BOOKED,
        paid_date=None,
        amount=Decimal("8000.50"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_save(actor=sales1, booking=booking)
    assert not Card.objects.exists()  # booked, not paid: nothing yet

    booking.status, booking.paid_date = BookingStatus.PAID, datetime.date(2026, 2, 18)
    for _ in range(3):  # paid, then re-saved twice (a retry, a correction of the product)
        with django_capture_on_commit_callbacks(execute=True):
            booking_save(actor=sales1, booking=booking)

    card = Card.objects.get(customer=customer)
    earn = LedgerEntry.objects.get(booking=booking, kind=EntryKind.EARN)
    assert (earn.points, card.balance) == (8000, 8000)  # floor(8000.50 × 1)
    assert earn.expires_on == datetime.date(2028, 3, 1)  # 24 months to the month's end, v1
    assert earn.rulebook.version == 1
    assert LedgerEntry.objects.filter(booking=booking).count() == 1


def test_the_rate_is_the_card_level_on_the_paid_date(sales1, pay, time_machine):
    # Graded A in January: A on the paid date (the grade in force that day counts, from
    # the customer's change history, not the grade on the day points are earned).
    time_machine.move_to(datetime.datetime(2026, 1, 10, 10, tzinfo=datetime.UTC))
    grade_a = CustomerFactory(owner=sales1)
    grade_a.grade = Grade.A
    grade_a.save()
    time_machine.move_to(datetime.datetime(2026, 11, 23, 2, tzinfo=datetime.UTC))
    big_spender = CustomerFactory(owner=sales1)
    first = pay(big_spender, amount="30000.00", paid=datetime.date(2026, 3, 1))
    second = pay(big_spender, amount="30000.00", paid=datetime.date(2026, 4, 1))

    booking = pay(grade_a, amount="1000.00")
    assert LedgerEntry.objects.get(booking=booking).points == 1500  # gold: 1.5 a yuan
    # The 12-month spend counts the booking itself: ¥30,000 is silver (1.2 a yuan),
    # ¥60,000 with the second booking is gold (1.5 a yuan).
    entries = [LedgerEntry.objects.get(booking=booking) for booking in (first, second)]
    assert [(entry.level, entry.points) for entry in entries] == [
        ("silver", 36000),
        ("gold", 45000),
    ]
    card = Card.objects.get(customer=big_spender)
    assert (card.balance, card.level) == (36000 + 45000, "gold")


def test_bookings_paid_before_the_programme_began_earn_nothing(customer, pay):
    pay(customer, paid=datetime.date(2025, 12, 31))
    assert Card.objects.get(customer=customer).balance == 0
    assert not LedgerEntry.objects.exists()


def test_partial_then_full_refund_reverses_only_the_difference(customer, pay):
    booking = pay(customer, amount="8000.00")
    booking.refunded_amount = Decimal("2000.00")
    booking.save()
    booking_points_sync(booking_id=booking.pk, today=TODAY)
    card = Card.objects.get(customer=customer)
    assert card.balance == 6000

    booking.status, booking.refunded_amount = BookingStatus.REFUNDED, Decimal("8000.00")
    booking.save()
    booking_points_sync(booking_id=booking.pk, today=TODAY)
    booking_points_sync(booking_id=booking.pk, today=TODAY)  # a retry changes nothing
    card.refresh_from_db()
    reversals = LedgerEntry.objects.filter(booking=booking, kind=EntryKind.REVERSE)
    assert sorted(entry.points for entry in reversals) == [-6000, -2000]
    assert card.balance == 0
    assert ledger_reconcile().ok


def test_a_refund_of_points_already_spent_never_makes_the_balance_negative(
    customer, pay, reward, sales1
):
    booking = pay(customer, amount="150.00")
    card = Card.objects.get(customer=customer)
    redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    booking.status, booking.refunded_amount = BookingStatus.REFUNDED, booking.amount
    booking.save()
    result = booking_points_sync(booking_id=booking.pk, today=TODAY)
    card.refresh_from_db()
    assert (result.reversed, result.shortfall, card.balance) == (50, 100, 0)
    reverse = LedgerEntry.objects.get(kind=EntryKind.REVERSE)
    assert "100 points could not be reversed" in reverse.reason


def test_the_sweep_earns_for_paid_bookings_the_signal_missed(customer):
    missed = BookingFactory(customer=customer, amount=Decimal("5000"))  # no signal sent
    BookingFactory(customer=customer, status=BookingStatus.CANCELLED, paid_date=None)
    assert points_sweep(today=TODAY) == 1
    assert points_sweep(today=TODAY) == 0
    assert LedgerEntry.objects.get(booking=missed).points == 5000


def test_the_sweep_catches_a_refund_the_signal_missed(customer, pay):
    booking = pay(customer, amount="8000.00")
    booking.refunded_amount = Decimal("4000.00")
    booking.save()  # saved without the service: no signal
    assert points_sweep(today=TODAY) == 1
    assert Card.objects.get(customer=customer).balance == 4000
    assert points_sweep(today=TODAY) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_booking_paid_by_two_workers_at_once_earns_once(sales1):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    customer = CustomerFactory(owner=sales1)
    booking = BookingFactory(customer=customer, amount=Decimal("8000"))
    barrier = threading.Barrier(8)
    errors = []

    def earn():
        try:
            barrier.wait()
            booking_points_sync(booking_id=booking.pk, today=TODAY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=earn) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LedgerEntry.objects.filter(booking=booking, kind=EntryKind.EARN).count() == 1
    assert Card.objects.get(customer=customer).balance == 8000


def test_a_points_failure_never_breaks_saving_the_booking(
    customer, sales1, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    import loyalty.services.ledger as ledger

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ledger, "booking_points_sync", broken)
    booking = BookingFactory.build(customer=customer, destination=DestinationFactory())
    with django_capture_on_commit_callbacks(execute=True):
        booking_save(actor=sales1, booking=booking)
    assert booking.pk is not None
    assert "the monthly sweep will retry" in caplog.text
    monkeypatch.undo()
    assert points_sweep(today=TODAY) == 1  # the safety net earns it
    assert LedgerEntry.objects.get(booking=booking).points == 8000


def test_a_late_catch_up_of_an_old_booking_earns_and_expires_at_once(customer):
    def paid(amount, day):
        return BookingFactory(customer=customer, amount=Decimal(amount), paid_date=day)

    old = paid("3000", datetime.date(2026, 1, 5))  # valid to 2028-01-31
    booking_points_sync(booking_id=old.pk, today=datetime.date(2028, 1, 31))
    assert Card.objects.get(customer=customer).balance == 3000
    late = paid("500", datetime.date(2026, 1, 6))  # caught up after it expired
    booking_points_sync(booking_id=late.pk, today=datetime.date(2028, 2, 1))
    kinds = list(LedgerEntry.objects.order_by("id").values_list("kind", "points"))
    assert kinds == [("earn", 3000), ("earn", 500), ("expire", -3000), ("expire", -500)]
    assert Card.objects.get(customer=customer).balance == 0


def test_earn_missed_points_catches_up_an_import_in_steps(customer):
    for month in (1, 2, 3):
        BookingFactory(
            customer=customer, amount=Decimal("100"), paid_date=datetime.date(2026, month, 5)
        )
    out = StringIO()
    call_command("earn_missed_points", "--today", "2026-11-23", "--limit", "2", stdout=out)
    assert "2 booking(s) brought up to date." in out.getvalue()
    call_command("earn_missed_points", "--today", "2026-11-23", stdout=out)
    assert Card.objects.get(customer=customer).balance == 300
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 3
