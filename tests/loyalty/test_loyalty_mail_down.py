"""The monthly points job and the annual rewards with the mail server down: the runs
commit with their notices in the outbox, nobody has to run them again, and the e-mails
go out once when mail is back."""

import datetime

import pytest
from django.utils import timezone

from customers.models import MessageStatus, OutboundMessage
from customers.services.outbox_sending import messages_send_due
from loyalty.models import AnnualReward, ExpiryNotice
from loyalty.services import annual_rewards_issue, points_monthly
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def test_points_warnings_and_reward_notices_wait_for_mail_and_go_once(
    customer, pay, sales1, mail_server, django_capture_on_commit_callbacks
):
    pay(customer)
    BookingFactory(customer=customer, amount=60000, paid_date=datetime.date(2027, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run = points_monthly(today=datetime.date(2028, 1, 1))
        rewards = annual_rewards_issue(year=2027, today=datetime.date(2028, 1, 1))
    assert run.notices_sent == 1 and ExpiryNotice.objects.count() == 1
    assert rewards.issued_count == 1 and rewards.notified_owners == 1
    assert AnnualReward.objects.filter(customer=customer).exists()
    messages = OutboundMessage.objects.order_by("pk")
    assert [m.kind for m in messages] == ["loyalty.points_expiry", "loyalty.annual_reward"]
    assert {m.status for m in messages} == {MessageStatus.PENDING}
    # Run again (a worker retrying the job): claimed, nothing new, nothing lost.
    with django_capture_on_commit_callbacks(execute=True):
        assert points_monthly(today=datetime.date(2028, 1, 1)) is None
        assert annual_rewards_issue(year=2027, today=datetime.date(2028, 1, 1)) is None
    assert OutboundMessage.objects.count() == 2

    mail_server.start()
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert messages_send_due(now=later).sent == 2
    assert messages_send_due(now=later + datetime.timedelta(days=1)).attempted == 0
    to = sorted(rcpt for rcpt, _message in mail_server.received.messages)
    assert to == sorted([["sunyue@example.com"], [sales1.email]])
