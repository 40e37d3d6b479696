"""The half-yearly re-evaluation and the committee's decisions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from customers.models import Customer, CustomerStatus
from tests.factories import CustomerFactory, ServiceRecordFactory
from tiers.models import (
    ChangeType,
    Evaluation,
    GradeChange,
    GradeNotification,
    NotificationChannel,
    NotificationStatus,
    Proposal,
    ProposalReason,
    ProposalStatus,
    TierPolicy,
)
from tiers.models.policy import DEFAULT_BENEFITS
from tiers.services import grade_override, half_yearly_review, policy_publish, proposals_decide
from tiers.tasks import half_yearly_review_task

JAN_1 = datetime.date(2027, 1, 1)

pytestmark = pytest.mark.django_db


def graded(owner, grade, **extra):
    customer = CustomerFactory(owner=owner, **extra)
    Customer.objects.filter(pk=customer.pk).update(grade=grade)  # as if graded before
    customer.grade = grade
    return customer


@pytest.fixture
def book(sales1, paid_booking):
    """The customers of every rule, with their history."""
    new = CustomerFactory(owner=sales1, name="新客户")
    paid_booking(new, 12000, "2026-06-01")
    grows = graded(sales1, "B", name="增长客户")
    paid_booking(grows, 20000, "2025-06-01")
    paid_booking(grows, 60000, "2026-06-01")
    busier = graded(sales1, "C", name="常客", email="")
    paid_booking(busier, 14000, "2025-06-01")
    for month in (3, 6, 9):
        paid_booking(busier, 5000, f"2026-0{month}-01")
    steady = graded(sales1, "B", name="稳定客户")
    paid_booking(steady, 50000, "2025-06-01")
    paid_booking(steady, 55000, "2026-06-01")
    idle = graded(sales1, "A", name="沉睡客户")
    paid_booking(idle, 80000, "2025-12-31")
    unhappy = graded(sales1, "A", name="投诉客户")
    paid_booking(unhappy, 60000, "2026-05-01")
    paid_booking(unhappy, 10000, "2026-07-01")
    for day in ("2026-03-05", "2026-08-09"):
        ServiceRecordFactory(
            customer=unhappy,
            occurred_at=datetime.datetime.fromisoformat(f"{day}T10:00+08:00"),
        )
    gone = graded(sales1, "A", name="流失客户", status=CustomerStatus.LOST, churn_reason="price")
    paid_booking(gone, 80000, "2025-01-01")
    return {
        "new": new, "grows": grows, "busier": busier, "steady": steady, "idle": idle,
        "unhappy": unhappy, "gone": gone,
    }  # fmt: skip


def proposal_of(customer) -> Proposal:
    return Proposal.objects.get(customer=customer)


def test_review_proposes_by_each_rule(book):
    """The grade follows the 12-month spend both ways (issue 14: "steady", B with
    ¥55,000, now goes up although its spend grew only 10%; "idle" goes down to the C its
    nil spend implies); complaints bring a grade one step down."""
    evaluation = half_yearly_review(today=JAN_1)

    assert evaluation.snapshot_month == datetime.date(2026, 12, 1)
    spend = ProposalReason.SPEND_GRADE
    expected = {
        "new": ("", "B", ChangeType.NEW, ProposalReason.FIRST_GRADE),
        "grows": ("B", "A", ChangeType.UPGRADE, spend),
        "busier": ("C", "B", ChangeType.UPGRADE, spend),
        "steady": ("B", "A", ChangeType.UPGRADE, spend),
        "idle": ("A", "C", ChangeType.DOWNGRADE, spend),
        "unhappy": ("A", "B", ChangeType.DOWNGRADE, ProposalReason.COMPLAINTS),
    }
    for key, (from_grade, to_grade, change, reason) in expected.items():
        proposal = proposal_of(book[key])
        assert (proposal.from_grade, proposal.to_grade, proposal.change_type, proposal.reason) == (
            from_grade, to_grade, change, reason,
        ), key  # fmt: skip
    assert not Proposal.objects.filter(customer=book["gone"]).exists()
    assert evaluation.proposal_count == 6
    grows = proposal_of(book["grows"])
    assert (grows.spend_12m, grows.spend_prev_12m) == (Decimal("60000"), Decimal("20000"))
    assert grows.reason_text == (
        "12-month spend ¥60,000 reaches grade A (from ¥50,000); the 12 months before: ¥20,000."
    )
    assert proposal_of(book["unhappy"]).complaints_12m == 2


def test_nothing_changes_before_approval_and_the_review_runs_once(book):
    half_yearly_review_task(today="2027-01-01")
    call_command("tier_review", "--today", "2027-01-01")

    assert Evaluation.objects.count() == 1
    assert Proposal.objects.count() == 6
    assert Customer.objects.get(pk=book["grows"].pk).grade == "B"
    assert Customer.objects.get(pk=book["new"].pk).grade == ""
    assert not GradeChange.objects.exists() and not GradeNotification.objects.exists()


def test_committee_approves_selected_then_overrides_and_rejects(
    book, manager1, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation = half_yearly_review(today=JAN_1)
    proposals = evaluation.proposals.all()

    with django_capture_on_commit_callbacks(execute=True):
        decided = proposals_decide(
            actor=manager1,
            evaluation=evaluation,
            proposals=proposals.filter(customer__in=[book["grows"], book["busier"]]),
        )
    assert decided == 2
    assert Customer.objects.get(pk=book["grows"].pk).grade == "A"
    assert Customer.objects.get(pk=book["busier"].pk).grade == "B"
    assert Customer.objects.get(pk=book["idle"].pk).grade == "A"  # still pending
    change = GradeChange.objects.get(customer=book["grows"])
    assert (change.from_grade, change.to_grade, change.approved_by) == ("B", "A", manager1)
    assert change.evaluation == evaluation and not change.is_manual
    assert change.reason_text.startswith("12-month spend ¥60,000")
    # The customer with an e-mail gets it after the commit; the other is a task (SMS).
    assert [m.to for m in mailoutbox] == [[book["grows"].email]]
    # Customers are written to in the office language (zh-hans), whatever the page was in.
    assert mailoutbox[0].subject == "您的客户等级：A"
    with translation.override("zh-hans"):
        benefits = str(DEFAULT_BENEFITS["A"])
    assert benefits.startswith("热门线路")  # the catalogue's text, not the English
    assert benefits in mailoutbox[0].body
    sms = GradeNotification.objects.get(customer=book["busier"])
    assert (sms.channel, sms.status, sms.owner) == (
        NotificationChannel.SMS, NotificationStatus.PENDING, book["busier"].owner,
    )  # fmt: skip

    with pytest.raises(ValidationError):
        proposals_decide(
            actor=manager1,
            evaluation=evaluation,
            proposals=proposals.filter(customer=book["idle"]),
            grade="B",
        )
    proposals_decide(
        actor=manager1,
        evaluation=evaluation,
        proposals=proposals.filter(customer=book["idle"]),
        grade="B",
        note="Long-standing customer; travels again next spring",
    )
    proposals_decide(
        actor=manager1,
        evaluation=evaluation,
        proposals=proposals.filter(customer=book["unhappy"]),
        reject=True,
        note="Complaints resolved to the customer's satisfaction",
    )
    assert Customer.objects.get(pk=book["idle"].pk).grade == "B"
    assert GradeChange.objects.get(customer=book["idle"]).reason.startswith("Long-standing")
    assert Customer.objects.get(pk=book["unhappy"].pk).grade == "A"
    assert proposal_of(book["unhappy"]).status == ProposalStatus.REJECTED
    assert not GradeChange.objects.filter(customer=book["unhappy"]).exists()

    # "Approve all" takes only what is still pending (the new customer and "steady").
    assert proposals_decide(actor=manager1, evaluation=evaluation, proposals=proposals) == 2
    assert Customer.objects.get(pk=book["new"].pk).grade == "B"
    assert GradeChange.objects.count() == 5


def test_only_managers_decide(book, sales1, lead1):
    evaluation = half_yearly_review(today=JAN_1)
    for user in (sales1, lead1):
        with pytest.raises(PermissionDenied):
            proposals_decide(actor=user, evaluation=evaluation, proposals=evaluation.proposals)
    assert not GradeChange.objects.exists()


def test_manual_override_needs_a_reason_and_shows_as_manual(book, manager1, sales1):
    customer = book["steady"]
    with pytest.raises(ValidationError):
        grade_override(actor=manager1, customer=customer, grade="A", reason=" ")
    with pytest.raises(PermissionDenied):
        grade_override(actor=sales1, customer=customer, grade="A", reason="VIP")

    change = grade_override(
        actor=manager1, customer=customer, grade="A", reason="Brings in corporate clients"
    )

    assert change.is_manual and change.from_grade == "B"
    assert Customer.objects.get(pk=customer.pk).grade == "A"
    assert GradeNotification.objects.get(change=change).channel == NotificationChannel.EMAIL


def test_policy_change_keeps_past_evaluations(book, manager1):
    evaluation = half_yearly_review(today=JAN_1)
    policy = TierPolicy.objects.get(version=1)
    policy.grade_b_min = Decimal("15000")
    policy_publish(actor=manager1, policy=policy)

    assert Evaluation.objects.get(pk=evaluation.pk).policy.version == 1
    assert proposal_of(book["new"]).to_grade == "B"
    july = half_yearly_review(today=datetime.date(2027, 7, 1))
    assert july.policy.version == 2


def test_a_failed_e_mail_is_recorded_and_the_grade_stands(
    book, manager1, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        grade_override(actor=manager1, customer=book["steady"], grade="A", reason="VIP")

    notification = GradeNotification.objects.get(customer=book["steady"])
    assert notification.status == NotificationStatus.FAILED and notification.error
    assert Customer.objects.get(pk=book["steady"].pk).grade == "A"
