"""The outbox: nothing lost while mail is down, nothing sent twice when it comes back, a
silent server never pins the sender, permanent failures shown to managers."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from archives.services import retention_expire
from customers.models import (
    AuditAction,
    AuditEntry,
    MessageStatus,
    OutboundAttempt,
    OutboundMessage,
)
from customers.services import MessageDraft, message_queue, messages_queue
from customers.services.custody import access_request_create
from customers.services.outbox_sending import backoff, messages_send_due
from tests.archives.factories import BusinessArchiveFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def later(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def queue(n: int = 1, *, to: str = "boss@example.com", **kwargs) -> list[int]:
    return messages_queue(
        kind="test.notice",
        drafts=[MessageDraft([to], f"Notice {i}", f"Body {i}") for i in range(n)],
        **kwargs,
    )


def test_a_message_commits_with_the_change_and_is_sent_after_it(
    django_capture_on_commit_callbacks,
):
    with pytest.raises(RuntimeError), transaction.atomic():
        message_queue(kind="test.notice", recipients=["a@example.com"], subject="x", body="y")
        raise RuntimeError("the change fails")
    assert not OutboundMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        pk = message_queue(
            kind="test.notice",
            recipients=["a@example.com", "a@example.com", " ", "b@example.com"],
            subject="Two\nlines",
            body="Hello",
        )
        assert mail.outbox == []  # nothing leaves before the commit
    message = OutboundMessage.objects.get(pk=pk)
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert [m.to for m in mail.outbox] == [["a@example.com", "b@example.com"]]
    assert mail.outbox[0].subject == "Two lines"  # one header line, always
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id_header
    assert OutboundAttempt.objects.get(message=message).sent
    assert message_queue(kind="test.notice", recipients=[""], subject="x", body="y") is None


def test_mail_down_then_up_the_job_succeeds_and_each_message_goes_exactly_once(
    mail_server, custodian1, manager1, sales1, django_capture_on_commit_callbacks
):
    BusinessArchiveFactory(retention_end=TODAY - datetime.timedelta(days=1))
    customer = CustomerFactory(owner=manager1)
    # Mail is down (nothing listens): the job and the service finish as usual.
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_expire(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        access_request_create(actor=sales1, customer=customer, reason="Covering a colleague")
    assert run.expired_count == 1 and run.notified_count == 1
    messages = OutboundMessage.objects.order_by("pk")
    assert [m.kind for m in messages] == ["archives.retention", "custody.access_request"]
    for message in messages:
        assert message.status == MessageStatus.PENDING and message.attempts == 1
        assert "Could not reach the mail server" in message.last_error
        assert message.next_attempt_at > timezone.now()

    # Still down a minute later: the sweep stops at the first refusal, loses nothing.
    result = messages_send_due(now=later(3))
    assert (result.attempted, result.sent) == (1, 0) and result.server_trouble
    assert OutboundMessage.objects.filter(status=MessageStatus.PENDING).count() == 2

    mail_server.start()
    assert messages_send_due(now=later(10)).sent == 2
    assert messages_send_due(now=later(600)).attempted == 0  # nothing twice
    received = mail_server.received.messages
    assert len(received) == 2
    assert sorted(mail_server.received.message_ids()) == sorted(
        m.message_id_header for m in OutboundMessage.objects.all()
    )
    to = {message["Subject"]: rcpt for rcpt, message in received}
    assert [custodian1.email] in to.values() and [manager1.email] in to.values()
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert OutboundAttempt.objects.filter(sent=True).count() == 2


def test_a_silent_mail_server_gives_up_within_email_timeout(
    silent_mail_server, custodian1, django_capture_on_commit_callbacks
):
    BusinessArchiveFactory(retention_end=TODAY - datetime.timedelta(days=1))
    queue(3)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_expire(today=TODAY)
    took = time.monotonic() - started
    assert run.expired_count == 1
    assert took < 1 + 3  # EMAIL_TIMEOUT is 1 s in this test: one wait, not one per message
    message = OutboundMessage.objects.get(kind="archives.retention")
    assert message.status == MessageStatus.PENDING
    assert "No answer from the mail server within 1 seconds" in message.last_error

    started = time.monotonic()
    result = messages_send_due(now=later(5))
    assert time.monotonic() - started < 1 + 3
    assert result.attempted == 1 and result.sent == 0  # the run stops: the rest wait
    assert OutboundMessage.objects.filter(status=MessageStatus.PENDING).count() == 4


def test_a_refused_recipient_fails_at_once_and_a_manager_retries_it(
    mail_server, manager1, sales1, client_as, django_capture_on_commit_callbacks
):
    mail_server.start()
    mail_server.received.refuse.add("gone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        [pk] = queue(to="gone@example.com")
    message = OutboundMessage.objects.get(pk=pk)
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "550" in message.last_error

    assert client_as(sales1).get(reverse("customers:outbox")).status_code == 404
    assert client_as(sales1).post(reverse("customers:outbox_retry", args=[pk])).status_code == 404
    client = client_as(manager1)
    alerts = client.get(reverse("customers:alerts")).content.decode()
    assert 'data-testid="failed-mail">1 failed' in alerts
    page = client.get(reverse("customers:outbox"), {"status": "failed"}).content.decode()
    assert "Notice 0" in page and "gone@example.com" in page
    detail = client.get(reverse("customers:outbox_message", args=[pk])).content.decode()
    assert "No such user here" in detail and 'data-testid="retry-now"' in detail

    mail_server.received.refuse.clear()  # the address was fixed on the server
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:outbox_retry", args=[pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert OutboundAttempt.objects.get(message=message, number=2).manual
    assert len(mail_server.received.messages) == 1
    assert AuditEntry.objects.filter(
        actor=manager1, action=AuditAction.CHANGE, object_type="outbound_message"
    ).exists()
    # Sent: a second retry does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:outbox_retry", args=[pk]))
    assert len(mail_server.received.messages) == 1


def test_after_the_last_attempt_a_message_fails_and_retry_all_sends_it(
    mail_server, settings, manager1, client_as, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        [pk] = queue()
    minutes = 0
    for _ in range(2):
        minutes += 300
        messages_send_due(now=later(minutes))
    message = OutboundMessage.objects.get(pk=pk)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.next_attempt_at is None
    assert messages_send_due(now=later(10_000)).attempted == 0  # failed is final

    mail_server.start()
    with django_capture_on_commit_callbacks(execute=True):
        client_as(manager1).post(reverse("customers:outbox_retry_failed"))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail_server.received.messages) == 1


def test_the_backoff_doubles_up_to_four_hours_about_a_day_in_all(settings):
    waits = [backoff(n).total_seconds() / 60 for n in range(1, 13)]
    assert [round(w) for w in waits[:3]] == pytest.approx([1, 2, 4], abs=1)
    assert all(240 <= w <= 264 for w in waits[8:])
    assert 18 * 60 < sum(waits) < 26 * 60


def test_a_worker_that_died_mid_send_is_taken_over_by_the_sweep(
    django_capture_on_commit_callbacks,
):
    [pk] = queue(dispatch=False)
    OutboundMessage.objects.filter(pk=pk).update(
        status=MessageStatus.SENDING, attempts=1, claimed_until=later(5)
    )
    assert messages_send_due().attempted == 0  # its claim still holds
    assert messages_send_due(now=later(6)).sent == 1
    assert OutboundMessage.objects.get(pk=pk).attempts == 2
    assert len(mail.outbox) == 1


def test_the_command_sends_what_the_lost_tasks_did_not(capsys):
    queue(2, dispatch=False)  # as if the broker had lost the tasks
    call_command("send_outbox")
    assert "2 attempted, 2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_message_once(mail_server):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions on one database")
    mail_server.start()
    ids = queue(40, dispatch=False)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(messages_send_due())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(result.sent for result in results) == len(ids)
    received = mail_server.received.message_ids()
    assert len(received) == len(ids) == len(set(received))
    assert OutboundAttempt.objects.count() == len(ids)
