"""The monthly expiry job, rule versions, and the annual spend rewards."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from customers.models import CustomerKind
from loyalty.models import (
    AnnualReward,
    Card,
    CardLevel,
    EntryKind,
    ExpiryNotice,
    LedgerEntry,
    Rulebook,
)
from loyalty.selectors import ledger_reconcile, rulebook_in_force
from loyalty.services import (
    PointsRefused,
    annual_rewards_issue,
    booking_points_sync,
    points_monthly,
    redemption_create,
    rulebook_publish,
)
from loyalty.tasks import annual_rewards_task, points_expiry_task
from tests.factories import BookingFactory, CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EXPIRES = datetime.date(2028, 3, 1)  # paid 2026-02-18: 24 months, to the month's end


@pytest.mark.parametrize(
    ("run_on", "balance"),
    [
        (EXPIRES - datetime.timedelta(days=1), 8000),
        (EXPIRES, 0),
        (EXPIRES + datetime.timedelta(days=1), 0),
    ],
)
def test_points_expire_on_their_expiry_date_not_before(customer, pay, run_on, balance):
    pay(customer)
    run = points_monthly(today=run_on)
    card = Card.objects.get(customer=customer)
    assert card.balance == balance
    assert run.expired_points == 8000 - balance
    if balance == 0:
        expiry = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
        assert (expiry.points, expiry.occurred_on, expiry.lot.kind) == (-8000, run_on, "earn")
    assert ledger_reconcile().ok


def test_expired_points_cannot_be_redeemed_even_before_the_job_runs(customer, pay, reward, sales1):
    pay(customer, amount="100")
    card = Card.objects.get(customer=customer)
    with pytest.raises(PointsRefused, match="balance 0, needs 100"):
        redemption_create(actor=sales1, card_id=card.pk, reward_id=reward.pk, today=EXPIRES)


def test_the_monthly_job_runs_once_per_date_and_warns_once_per_lot(
    customer, pay, settings, django_capture_on_commit_callbacks
):
    pay(customer)
    first_warning = datetime.date(2028, 1, 1)  # expiry 2028-03-01 is within the horizon
    # The warnings are queued in the outbox with the run's claim, sent once committed.
    with django_capture_on_commit_callbacks(execute=True):
        assert points_expiry_task(today="2027-12-01") == 0
    assert len(mail.outbox) == 0  # 2028-03-01 is more than a month and 30 days away
    with django_capture_on_commit_callbacks(execute=True):
        assert points_expiry_task(today=first_warning.isoformat()) == 0
        assert points_expiry_task(today=first_warning.isoformat()) is None  # claimed: nothing
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sunyue@example.com"]
    assert "8000" in mail.outbox[0].body and "2028-03-01" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        points_monthly(today=datetime.date(2028, 2, 1))
    assert len(mail.outbox) == 1  # that lot was already announced
    assert ExpiryNotice.objects.count() == 1


def test_expire_points_command(customer, pay):
    pay(customer)
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    call_command("expire_points", "--today", "2028-03-01", stdout=Out())
    call_command("expire_points", "--today", "2028-03-01", stdout=Out())
    assert "1 lot(s) expired (8000 points)" in out[0]
    assert "already run" in out[1]


def test_a_new_rulebook_applies_from_its_date_and_never_to_points_already_earned(
    customer, pay, manager1
):
    early = pay(customer, amount="1000", paid=datetime.date(2026, 5, 30))
    today = datetime.date(2026, 5, 31)
    with pytest.raises(PointsRefused, match="cannot apply to the past"):
        rulebook_publish(
            actor=manager1, effective_from=datetime.date(2026, 5, 1), today=today, levels=[]
        )
    rulebook_publish(
        actor=manager1,
        effective_from=datetime.date(2026, 6, 1),
        today=today,
        validity_months=12,
        levels=[{"code": "standard", "earn_rate": Decimal("2")}],
    )
    late = pay(customer, amount="1000", paid=datetime.date(2026, 6, 1), today=today)
    assert not LedgerEntry.objects.filter(booking=late).exists()  # paid tomorrow: not yet
    booking_points_sync(booking_id=late.pk, today=datetime.date(2026, 6, 1))
    pay(customer, amount="1000", paid=datetime.date(2026, 5, 31), today=today)

    entries = {e.booking_id: e for e in LedgerEntry.objects.filter(kind=EntryKind.EARN)}
    assert (entries[early.pk].points, entries[early.pk].rulebook.version) == (1000, 1)
    assert entries[early.pk].expires_on == datetime.date(2028, 6, 1)  # its 24 months stay
    assert (entries[late.pk].points, entries[late.pk].rulebook.version) == (2000, 2)
    assert entries[late.pk].expires_on == datetime.date(2027, 7, 1)
    assert rulebook_in_force(on=datetime.date(2026, 5, 31)).version == 1
    # Published rules cannot be edited.
    with pytest.raises(PermissionError):
        Rulebook.objects.get(version=1).save()
    with pytest.raises(PermissionError):
        CardLevel.objects.filter(rulebook__version=1).update(earn_rate=5)


def _spend(customer, amount, paid):
    BookingFactory(customer=customer, amount=Decimal(amount), paid_date=paid)


def test_annual_rewards_are_issued_once_per_year_and_owners_are_told(
    sales1, sales3, django_capture_on_commit_callbacks
):
    traveller = CustomerFactory(owner=sales1, name="大客户")
    _spend(traveller, "40000", datetime.date(2025, 3, 1))
    _spend(traveller, "70000", datetime.date(2025, 9, 1))
    _spend(traveller, "90000", datetime.date(2026, 1, 2))  # next year: not counted
    almost = CustomerFactory(owner=sales1)
    _spend(almost, "49999.99", datetime.date(2025, 6, 1))
    supplier = OrganisationFactory(
        owner=sales3, kind=CustomerKind.SUPPLIER, name="海天地接社", supplier_type="ground_agency"
    )
    _spend(supplier, "300000", datetime.date(2025, 12, 31))

    with django_capture_on_commit_callbacks(execute=True):  # the owners' e-mails
        assert annual_rewards_task(today="2026-01-01") == 2
        assert annual_rewards_task(today="2026-01-01") is None
        assert annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 2)) is None

    rewards = {reward.customer_id: reward for reward in AnnualReward.objects.all()}
    assert set(rewards) == {traveller.pk, supplier.pk}
    assert rewards[traveller.pk].reward_name == "精品线路双人免费游"  # the ¥100,000 tier
    assert rewards[traveller.pk].spend == Decimal("110000.00")
    assert rewards[traveller.pk].voucher_code.startswith("NJ2025")
    assert {message.to[0] for message in mail.outbox} == {sales1.email, sales3.email}
    assert any(rewards[traveller.pk].voucher_code in m.body for m in mail.outbox)


def test_a_refunded_booking_does_not_count_towards_the_annual_reward(sales1):
    traveller = CustomerFactory(owner=sales1)
    BookingFactory(
        customer=traveller,
        amount=Decimal("60000"),
        refunded_amount=Decimal("20000"),
        paid_date=datetime.date(2025, 6, 1),
    )
    annual_rewards_issue(year=2025, today=datetime.date(2026, 1, 1))
    assert not AnnualReward.objects.exists()


def test_card_levels_follow_grade_and_spend_in_one_pass(sales1, pay):
    from loyalty.services import card_levels_refresh

    graded = CustomerFactory(owner=sales1)
    spender = CustomerFactory(owner=sales1)
    pay(graded, amount="10", paid=datetime.date(2026, 3, 1))
    pay(spender, amount="25000", paid=datetime.date(2026, 3, 1))
    type(graded).objects.filter(pk=graded.pk).update(grade="A")
    assert card_levels_refresh(today=datetime.date(2026, 11, 23)) == 1
    levels = dict(Card.objects.values_list("customer_id", "level"))
    assert levels == {graded.pk: "gold", spender.pk: "silver"}
    # A year later the spend is out of the window: back to standard.
    card_levels_refresh(today=datetime.date(2027, 3, 2))
    assert Card.objects.get(customer=spender).level == "standard"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_jobs_at_once_do_the_work_once(sales1):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    customer = CustomerFactory(owner=sales1, email="lin@example.com")
    booking = BookingFactory(
        customer=customer, amount=Decimal("60000"), paid_date=datetime.date(2026, 2, 18)
    )
    booking_points_sync(booking_id=booking.pk, today=datetime.date(2026, 2, 18))

    def race(job) -> list:
        barrier, results, errors = threading.Barrier(4), [], []

        def work():
            try:
                barrier.wait()
                results.append(job())
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        return results

    runs = race(lambda: points_monthly(today=EXPIRES))
    assert sum(run is not None for run in runs) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 1
    assert Card.objects.get(customer=customer).balance == 0

    runs = race(lambda: annual_rewards_issue(year=2026, today=datetime.date(2027, 1, 1)))
    assert sum(run is not None for run in runs) == 1
    assert AnnualReward.objects.filter(customer=customer, year=2026).count() == 1
    assert len(mail.outbox) == 1  # the owner is told once
    assert ledger_reconcile().ok
