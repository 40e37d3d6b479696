"""Sending: signatures a receiver can check, retries with backoff, the sweep, timeouts."""

import datetime
import time

import pytest
from django.utils import timezone

from tests.webhooks.conftest import Receiver, create_customer, free_port, verify
from webhooks.models import Delivery, DeliveryStatus, WebhookEvent
from webhooks.services import deliveries_send_due, delivery_attempt, outbox_write

pytestmark = pytest.mark.django_db


def test_a_delivery_is_signed_and_the_receivers_check_passes(receiver, register, sales1):
    target = receiver()
    endpoint, secret = register(target.url, target=target)
    customer = create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)

    result = delivery_attempt(delivery_id=delivery.pk)

    assert result.outcome.delivered
    (got,) = target.requests
    assert verify(secret, got.headers, got.body)
    assert got.headers["X-CRM-Event"] == "customer.created"
    assert got.headers["X-CRM-Delivery"] == str(delivery.pk)
    assert got.json["type"] == "customer.created"
    assert got.json["data"]["customer"]["id"] == customer.pk
    # The same body with another secret, or another body, does not verify.
    assert not verify("whsec_wrong", got.headers, got.body)
    assert not verify(secret, got.headers, got.body.replace(b"customer", b"custard"))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_response_code == 204


def test_a_receiver_that_is_down_gets_the_delivery_after_the_backoff_exactly_once(register, sales1):
    port = free_port()
    target = Receiver(port=port)
    endpoint, _secret = register(target.url, target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)
    t0 = timezone.now()

    first = delivery_attempt(delivery_id=delivery.pk, now=t0)  # nobody listens on the port
    assert not first.outcome.delivered
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "connect" in delivery.last_error.lower()
    wait = delivery.next_attempt_at - t0
    assert datetime.timedelta(seconds=60) <= wait <= datetime.timedelta(seconds=66)

    target.start()
    try:
        # Before the backoff has passed the sweep leaves it alone.
        assert deliveries_send_due(now=t0 + datetime.timedelta(seconds=30)).attempted == 0
        later = t0 + datetime.timedelta(minutes=2)
        assert deliveries_send_due(now=later).delivered == 1
        # Swept again (and again): nothing more is sent.
        assert deliveries_send_due(now=later + datetime.timedelta(minutes=5)).attempted == 0
        assert deliveries_send_due(now=later + datetime.timedelta(days=2)).attempted == 0
    finally:
        target.stop()
    assert len(target.verified()) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert list(delivery.attempt_log.values_list("number", "response_code")) == [
        (1, None),
        (2, 204),
    ]


def test_a_500_is_retried_with_growing_waits_then_failed(receiver, register, sales1, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 4
    target = receiver(status=500)
    endpoint, _secret = register(target.url, target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)
    now = timezone.now()
    waits = []
    for _attempt in range(4):
        result = deliveries_send_due(now=now)
        assert result.attempted == 1
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert delivery.last_response_code == 500
    assert "500" in delivery.last_error
    assert len(target.requests) == 4
    # 1, 3 and 9 minutes (each with up to 10% jitter): exponential.
    assert len(waits) == 3
    assert all(60 * 3**i <= wait <= 66 * 3**i for i, wait in enumerate(waits))
    # Failed is final for the sweep.
    assert deliveries_send_due(now=now + datetime.timedelta(days=3)).attempted == 0


def test_a_receiver_that_does_not_answer_does_not_hang_the_sender(receiver, register, sales1):
    target = receiver(delay=5)  # longer than the read timeout (1 s in these tests)
    endpoint, _secret = register(target.url, target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)

    started = time.monotonic()
    result = delivery_attempt(delivery_id=delivery.pk)
    took = time.monotonic() - started

    assert took < 3
    assert not result.outcome.delivered
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "1 seconds" in delivery.last_error or "time" in delivery.last_error.lower()


def test_redirects_are_not_followed(receiver, register, sales1):
    elsewhere = receiver()
    target = receiver(status=302, location=elsewhere.url)
    endpoint, _secret = register(target.url, target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)

    result = delivery_attempt(delivery_id=delivery.pk)

    assert not result.outcome.delivered
    assert elsewhere.requests == []
    delivery.refresh_from_db()
    assert "Redirect" in delivery.last_error


def test_sent_when_the_change_commits(
    receiver, register, sales1, settings, django_capture_on_commit_callbacks
):
    """With a broker the sending is queued as the change commits (here the task runs in
    process, as without a broker when asked to)."""
    settings.WEBHOOKS_SEND_ON_COMMIT = True
    target = receiver()
    register(target.url, target=target)

    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(sales1)

    (got,) = target.verified()
    assert got.json["data"]["customer"]["id"] == customer.pk
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_delivery_is_sent_once_however_often_it_is_asked(receiver, register, sales1):
    target = receiver()
    endpoint, _secret = register(target.url, target=target)
    create_customer(sales1)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery_attempt(delivery_id=delivery.pk).outcome.delivered
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert deliveries_send_due().attempted == 0
    assert len(target.requests) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_it_lapses(receiver, register, manager1):
    target = receiver()
    endpoint, _secret = register(target.url, target=target)
    (delivery_id,) = outbox_write(
        event=WebhookEvent.PING, items=[{"message": "hi"}], endpoints=[endpoint]
    )
    now = timezone.now()
    # A worker claimed it and died before sending.
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENDING,
        attempts=1,
        claimed_until=now + datetime.timedelta(minutes=2),
    )
    assert deliveries_send_due(now=now).attempted == 0  # the claim still holds
    assert deliveries_send_due(now=now + datetime.timedelta(minutes=3)).delivered == 1
    assert len(target.requests) == 1


def test_the_command_sends_what_is_due_and_forgets_old_deliveries(
    receiver, register, sales1, settings
):
    from django.core.management import call_command

    from webhooks.services import deliveries_prune

    target = receiver()
    register(target.url, target=target)
    create_customer(sales1, n=1)
    create_customer(sales1, n=2)
    call_command("send_webhooks")
    assert len(target.verified()) == 2
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()

    settings.WEBHOOKS_KEEP_DAYS = 30
    assert deliveries_prune(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert deliveries_prune(now=timezone.now() + datetime.timedelta(days=31)) == 2
    assert not Delivery.objects.exists()
