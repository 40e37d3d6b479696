"""The committee approves with the mail server down: a normal page, the approvals
committed, the customers' e-mails waiting in the outbox and sent once when mail is back;
each grade notification follows its message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, MessageStatus, OutboundMessage
from customers.services.outbox_sending import messages_send_due
from tests.factories import CustomerFactory
from tiers.models import GradeNotification, NotificationStatus, Proposal, ProposalStatus
from tiers.services import half_yearly_review, monthly_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(sales1, paid_booking):
    for n, amount in enumerate([60000, 20000, 5000]):
        customer = CustomerFactory(owner=sales1, name=f"客户{n}", email=f"c{n}@example.com")
        paid_booking(customer, amount, "2026-09-01")
    monthly_statistics(month=datetime.date(2026, 10, 1), today=datetime.date(2026, 11, 1))
    return half_yearly_review(today=datetime.date(2027, 1, 1))


def test_approve_all_with_mail_down_then_up(
    evaluation, manager1, client_as, mail_server, django_capture_on_commit_callbacks
):
    url = reverse("tiers:review_detail", args=[evaluation.pk])
    pending = Proposal.objects.filter(evaluation=evaluation, status=ProposalStatus.PENDING)
    count = pending.count()
    assert count == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager1).post(url, {"action": "approve_all"}, follow=True)

    assert response.status_code == 200  # a normal page, not a 500
    assert not pending.exists()
    assert set(Customer.objects.values_list("grade", flat=True)) == {"A", "B", "C"}
    messages = OutboundMessage.objects.filter(kind="tiers.grade")
    assert messages.count() == count
    assert set(messages.values_list("status", flat=True)) == {MessageStatus.PENDING}
    # One try found the server down; the others were not made to wait on it.
    first, *others = messages.order_by("pk")
    assert first.attempts == 1 and "Could not reach the mail server" in first.last_error
    assert [m.attempts for m in others] == [0, 0]
    emails = GradeNotification.objects.filter(channel="email")
    assert set(emails.values_list("status", flat=True)) == {NotificationStatus.PENDING}

    mail_server.start()
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert messages_send_due(now=later).sent == count
    assert messages_send_due(now=later + datetime.timedelta(days=1)).attempted == 0
    received = mail_server.received.messages
    assert sorted(to for to, _message in received) == [[f"c{n}@example.com"] for n in range(3)]
    assert set(emails.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert all(n.done_at is not None for n in emails)
