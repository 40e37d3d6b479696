"""Sweeps at once send each delivery once (PostgreSQL: the conditional UPDATE claim)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from webhooks.models import Delivery, DeliveryStatus, WebhookEvent
from webhooks.services import deliveries_send_due, outbox_write


def _at_once(job, workers: int) -> list:
    barrier = threading.Barrier(workers)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(job())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_delivery_once(receiver, register):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    target = receiver(delay=0.02)  # slow enough for the sweeps to overlap
    endpoint, _secret = register(target.url, events=["customer.created"], target=target)
    ids = outbox_write(
        event=WebhookEvent.PING,
        items=[{"n": n} for n in range(60)],
        endpoints=[endpoint],
        dispatch=False,
    )

    results = _at_once(lambda: deliveries_send_due(limit=100), workers=3)

    sent = Counter(r.headers["X-CRM-Delivery"] for r in target.verified())
    assert len(sent) == 60
    assert set(sent.values()) == {1}
    assert sum(result.attempted for result in results) == 60
    assert sum(1 for result in results if result.attempted) >= 2  # they did overlap
    assert Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DELIVERED).count() == 60
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
