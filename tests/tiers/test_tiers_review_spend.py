"""Issue 14, item 1: the half-yearly review proposes the grade the 12-month spend
implies, up or down, with the figures in the reason; the committee still decides; a
manual grade stands until a review proposes otherwise. Plus the value flag in reasons."""

import datetime
from decimal import Decimal

import pytest

from customers.models import Customer
from tests.factories import CustomerFactory
from tiers.models import ChangeType, GradeChange, Proposal, ProposalReason, ProposalStatus
from tiers.services import grade_override, half_yearly_review, proposals_decide

JAN_1 = datetime.date(2027, 1, 1)  # reads the snapshots of December 2026

pytestmark = pytest.mark.django_db


def graded(owner, grade, **extra):
    customer = CustomerFactory(owner=owner, **extra)
    Customer.objects.filter(pk=customer.pk).update(grade=grade)
    customer.grade = grade
    return customer


def proposal_of(customer) -> Proposal:
    return Proposal.objects.get(customer=customer)


def test_a_customer_still_travelling_on_less_spend_goes_down(sales1, manager1, paid_booking):
    """An A customer who spent ¥60,000 in 2025 and ¥3,000 on a trip on 1 December 2026:
    the spend implies C, so the review proposes C, with the figures; nothing changes
    until the committee approves."""
    customer = graded(sales1, "A")
    paid_booking(customer, 60000, "2025-06-01")
    paid_booking(customer, 3000, "2026-12-01")

    evaluation = half_yearly_review(today=JAN_1)

    proposal = proposal_of(customer)
    assert (proposal.from_grade, proposal.to_grade) == ("A", "C")
    assert (proposal.change_type, proposal.reason) == (
        ChangeType.DOWNGRADE,
        ProposalReason.SPEND_GRADE,
    )
    assert (proposal.spend_12m, proposal.spend_prev_12m) == (Decimal("3000"), Decimal("60000"))
    assert proposal.grade_threshold == Decimal("50000")
    assert proposal.reason_text == (
        "12-month spend ¥3,000 is below the ¥50,000 grade A needs: grade C by spend "
        "(the 12 months before: ¥60,000; bookings in 12 months: 1; last trip 30 days ago)."
    )
    assert Customer.objects.get(pk=customer.pk).grade == "A"

    proposals_decide(actor=manager1, evaluation=evaluation, proposals=evaluation.proposals)
    assert Customer.objects.get(pk=customer.pk).grade == "C"


@pytest.mark.parametrize(
    ("grade", "spend", "expected", "bar"),
    [
        ("B", "50000", ("A", ChangeType.UPGRADE), "50000"),  # exactly A's threshold
        ("A", "49999.99", ("B", ChangeType.DOWNGRADE), "50000"),  # a cent below it
        ("A", "50000", None, None),  # keeps A
        ("C", "10000", ("B", ChangeType.UPGRADE), "10000"),  # exactly B's threshold
        ("B", "9999.99", ("C", ChangeType.DOWNGRADE), "10000"),
        ("B", "10000", None, None),  # keeps B
        ("A", "9999.99", ("C", ChangeType.DOWNGRADE), "50000"),  # two steps at once
        ("C", "50000", ("A", ChangeType.UPGRADE), "50000"),
    ],
)
def test_grade_thresholds_both_ways(sales1, paid_booking, grade, spend, expected, bar):
    customer = graded(sales1, grade)
    paid_booking(customer, spend, "2026-09-01")

    half_yearly_review(today=JAN_1)

    proposal = Proposal.objects.filter(customer=customer).first()
    if expected is None:
        assert proposal is None
        return
    assert (proposal.to_grade, proposal.change_type) == expected
    assert proposal.reason == ProposalReason.SPEND_GRADE
    assert proposal.grade_threshold == Decimal(bar)


def test_a_manual_grade_stands_until_a_review_proposes_otherwise(sales1, manager1, paid_booking):
    """A manager set A by hand for two customers spending like B. At the review, the one
    still spending like B gets a proposal back to B that says the grade was set by hand;
    the committee rejects it with a reason and A stands. The other now spends like A:
    no proposal, the manual A stands."""
    kept_low = graded(sales1, "B")
    paid_booking(kept_low, 20000, "2026-09-01")
    grew = graded(sales1, "B")
    paid_booking(grew, 20000, "2026-03-01")
    paid_booking(grew, 40000, "2026-09-01")
    when = datetime.datetime(2026, 10, 8, 10, 0, tzinfo=datetime.UTC)
    for customer in (kept_low, grew):
        grade_override(
            actor=manager1, customer=customer, grade="A", reason="Opinion leader", now=when
        )

    evaluation = half_yearly_review(today=JAN_1)

    proposal = proposal_of(kept_low)
    assert (proposal.from_grade, proposal.to_grade) == ("A", "B")
    assert proposal.manual_since == when
    assert proposal.reason_text.endswith("The grade in force was set by hand on 2026-10-08.")
    assert not Proposal.objects.filter(customer=grew).exists()

    proposals_decide(
        actor=manager1,
        evaluation=evaluation,
        proposals=evaluation.proposals.filter(customer=kept_low),
        reject=True,
        note="Still brings us corporate groups",
    )
    assert Customer.objects.get(pk=kept_low.pk).grade == "A"
    assert proposal_of(kept_low).status == ProposalStatus.REJECTED
    assert GradeChange.objects.filter(customer=kept_low).count() == 1  # the manual one


def test_a_grade_the_committee_set_later_is_not_called_manual(sales1, manager1, paid_booking):
    customer = graded(sales1, "B")
    paid_booking(customer, 20000, "2026-03-01")
    june = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
    grade_override(actor=manager1, customer=customer, grade="A", reason="VIP", now=june)
    july = half_yearly_review(today=datetime.date(2026, 7, 1))
    assert proposal_of(customer).manual_since == june
    proposals_decide(actor=manager1, evaluation=july, proposals=july.proposals)  # back to B
    paid_booking(customer, 60000, "2026-12-01")

    half_yearly_review(today=JAN_1)

    january = Proposal.objects.get(customer=customer, evaluation__review_date=JAN_1)
    assert (january.from_grade, january.to_grade, january.manual_since) == ("B", "A", None)


def test_large_but_poor_value_shows_in_the_reason(sales1, paid_booking):
    """Five buyers; the largest (top 20%) has a 5% margin and paid 40 days late: its
    proposal says so with both figures."""
    big = graded(sales1, "B")
    paid = datetime.date(2026, 9, 30)
    paid_booking(
        big, 60000, paid, cost=Decimal("57000"), payment_due_date=paid - datetime.timedelta(40)
    )
    for _ in range(4):
        paid_booking(CustomerFactory(owner=sales1), 1000, paid)

    half_yearly_review(today=JAN_1)

    proposal = proposal_of(big)
    assert (proposal.to_grade, proposal.poor_value) == ("A", True)
    assert proposal.reason_text.endswith(
        "Large but poor value: gross margin 5.0%, paid 40.0 days after the due date on average."
    )
