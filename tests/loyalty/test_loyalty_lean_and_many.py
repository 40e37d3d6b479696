"""Points transactions read each thing once, and the set-based earn of a chunk gives the
same ledger as the per-booking earn, once."""

import datetime
from decimal import Decimal

import pytest

from customers.models import BookingStatus, Grade
from loyalty.models import Card, EntryKind, LedgerEntry, Reward, RewardKind
from loyalty.selectors import ledger_reconcile
from loyalty.services import (
    booking_points_sync,
    points_earn_many,
    redemption_create,
    rulebook_publish,
)
from tests.factories import BookingFactory, CustomerFactory
from tests.loyalty.conftest import TODAY

pytestmark = pytest.mark.django_db

EARN_FIELDS = ("kind", "points", "occurred_on", "level", "earn_rate", "expires_on", "remaining")


def paid_booking(customer, *, amount="8000.00", paid=datetime.date(2026, 3, 1)):
    return BookingFactory(
        customer=customer,
        amount=Decimal(amount),
        cost=Decimal("0"),
        status=BookingStatus.PAID,
        paid_date=paid,
        payment_due_date=paid,
        start_date=paid + datetime.timedelta(days=10),
        end_date=paid + datetime.timedelta(days=14),
    )


def ledger_of(customer) -> list[tuple]:
    card = Card.objects.get(customer=customer)
    entries = LedgerEntry.objects.filter(card=card).order_by("occurred_on", "kind", "points")
    return [tuple(getattr(e, f) for f in EARN_FIELDS) for e in entries], card.balance, card.level


def _twin_customers(sales1, time_machine):
    """Two customers with the same story: graded A in January, then big bookings (a
    level by spend), one of them paid so long ago its points have expired."""
    time_machine.move_to(datetime.datetime(2026, 1, 10, 10, tzinfo=datetime.UTC))
    twins = []
    for _ in range(2):
        customer = CustomerFactory(owner=sales1)
        customer.grade = Grade.A
        customer.save()
        twins.append(customer)
    time_machine.move_to(datetime.datetime(2026, 11, 23, 2, tzinfo=datetime.UTC))
    bookings = []
    for customer in twins:
        bookings.append(
            [
                paid_booking(customer, amount="30000.00", paid=datetime.date(2026, 3, 1)),
                paid_booking(customer, amount="30000.00", paid=datetime.date(2026, 4, 1)),
                paid_booking(customer, amount="1234.56", paid=datetime.date(2026, 11, 20)),
            ]
        )
    return twins, bookings


def test_the_chunk_earn_writes_what_the_per_booking_earn_writes(sales1, time_machine):
    (one, other), (one_bookings, other_bookings) = _twin_customers(sales1, time_machine)
    for booking in one_bookings:
        booking_points_sync(booking_id=booking.pk, today=TODAY)

    earned = points_earn_many(booking_ids=[b.pk for b in other_bookings], today=TODAY)

    assert earned == 3
    assert ledger_of(other) == ledger_of(one)
    assert ledger_reconcile().ok


def test_the_chunk_earn_is_idempotent_and_leaves_what_the_per_booking_earn_did(sales1, customer):
    first, second = paid_booking(customer), paid_booking(customer, amount="500.00")
    booking_points_sync(booking_id=first.pk, today=TODAY)

    assert points_earn_many(booking_ids=[first.pk, second.pk], today=TODAY) == 1
    assert points_earn_many(booking_ids=[first.pk, second.pk], today=TODAY) == 0
    booking_points_sync(booking_id=second.pk, today=TODAY)

    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 2
    assert Card.objects.get(customer=customer).balance == 8500
    assert ledger_reconcile().ok


def test_a_late_catch_up_in_a_chunk_expires_at_once_as_one_by_one(sales1):
    late = datetime.date(2028, 6, 1)  # the points of March 2026 ran out on 1 April 2028
    one, other = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    booking_points_sync(booking_id=paid_booking(one).pk, today=late)

    points_earn_many(booking_ids=[paid_booking(other).pk], today=late)

    entries, balance, _level = ledger_of(other)
    assert [entry[0] for entry in entries] == [EntryKind.EARN, EntryKind.EXPIRE]
    assert balance == 0
    assert ledger_of(other) == ledger_of(one)
    assert ledger_reconcile().ok


def test_an_earn_and_a_redemption_read_each_thing_once(
    sales1, customer, reward, django_assert_max_num_queries, django_assert_num_queries
):
    first = paid_booking(customer)
    # (SAVEPOINT) booking (locked), card (none yet: issued, locked), its earn and lots
    # due, the rulebooks and levels (read once per process and published version),
    # spend with the grade history, one INSERT, one UPDATE (RELEASE), and the webhooks'
    # listened events (read once a minute).
    with django_assert_max_num_queries(13):
        booking_points_sync(booking_id=first.pk, today=TODAY)
    second = paid_booking(customer, amount="500.00")
    # (SAVEPOINT) booking (locked, with whether it earned and the rulebooks' version),
    # card (locked), its earn or lots due, spend with the grade history, INSERT, UPDATE
    # (RELEASE).
    with django_assert_num_queries(8):  # 17, then 12, then 9 before
        booking_points_sync(booking_id=second.pk, today=TODAY)
    card = Card.objects.get(customer=customer)
    # (SAVEPOINT) card (locked) with the reward and the rulebooks' version, the reward's
    # lock (limited stock), lots, the redemption, entries, lots, card, stock, audit
    # (RELEASE).
    with django_assert_num_queries(11):  # 14, then 13 before, and more with several lots
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=TODAY)
    card.refresh_from_db()
    assert card.balance == 8400
    assert ledger_reconcile().ok


def test_a_redemption_over_three_lots_runs_the_same_statements(
    sales1, customer, django_assert_num_queries
):
    """An unlimited reward is not locked; the lots drawn on move in one UPDATE."""
    for month in (3, 4, 5):
        booking_points_sync(
            booking_id=paid_booking(
                customer, amount="100.00", paid=datetime.date(2026, month, 1)
            ).pk,
            today=TODAY,
        )
    card = Card.objects.get(customer=customer)
    voucher = Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=250)
    with django_assert_num_queries(9):
        redemption = redemption_create(
            actor=sales1, card_id=card.pk, reward_id=voucher.pk, today=TODAY
        )
    assert redemption.balance_after == 50
    lots = LedgerEntry.objects.filter(card=card, kind=EntryKind.EARN).order_by("occurred_on")
    assert [lot.remaining for lot in lots] == [0, 0, 50]
    assert ledger_reconcile().ok


def test_a_newly_published_rulebook_is_used_by_the_next_earn(sales1, manager1, customer):
    """The rulebooks are kept per process, under the key of the latest published version
    read in the earn's own first statement: a version published after they were read
    (here or by another process) is used by the next earn and redemption."""
    before = paid_booking(customer, amount="1000.00", paid=datetime.date(2026, 3, 1))
    booking_points_sync(booking_id=before.pk, today=TODAY)  # the rules of 2026 read
    rulebook_publish(
        actor=manager1,
        effective_from=TODAY,
        today=TODAY,
        levels=[{"code": "standard", "earn_rate": Decimal("3")}],
    )
    on_the_day = paid_booking(customer, amount="1000.00", paid=TODAY)
    earlier = paid_booking(customer, amount="1000.00", paid=datetime.date(2026, 11, 1))
    booking_points_sync(booking_id=on_the_day.pk, today=TODAY)
    booking_points_sync(booking_id=earlier.pk, today=TODAY)
    earns = {e.booking_id: e for e in LedgerEntry.objects.filter(kind=EntryKind.EARN)}
    assert earns[on_the_day.pk].points == 3000  # the new version, from its first day
    assert earns[on_the_day.pk].rulebook.effective_from == TODAY
    assert earns[earlier.pk].points == earns[before.pk].points == 1000  # never the past
    assert Card.objects.get(customer=customer).level == "standard"  # today's rules
    card = Card.objects.get(customer=customer)
    voucher = Reward.objects.create(name="代金券", kind=RewardKind.VOUCHER, points_price=100)
    redemption = redemption_create(actor=sales1, card_id=card.pk, reward_id=voucher.pk, today=TODAY)
    draw = redemption.entries.get()
    assert draw.rulebook.effective_from == TODAY
    assert ledger_reconcile().ok
