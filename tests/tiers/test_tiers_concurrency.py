"""Two workers at once: one set of rows (PostgreSQL: the unique claim and row locks)."""

import datetime
import threading

import pytest
from django.db import connection

from tests.factories import CustomerFactory
from tiers.models import CustomerSnapshot, Evaluation, Proposal, StatisticsRun
from tiers.services import half_yearly_review, monthly_statistics

OCT = datetime.date(2026, 10, 1)


def _at_once(job) -> list:
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(job())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_monthly_runs_at_once_write_one_set_of_rows(sales1, paid_booking):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    for n in range(20):
        paid_booking(CustomerFactory(owner=sales1), 1000 * (n + 1), "2026-09-01")

    results = _at_once(lambda: monthly_statistics(month=OCT, today=datetime.date(2026, 11, 1)))

    assert sorted(r is None for r in results) == [False, True]
    assert StatisticsRun.objects.count() == 1
    assert CustomerSnapshot.objects.filter(month=OCT).count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviews_at_once_make_one_evaluation(sales1, paid_booking):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    for n in range(5):
        paid_booking(CustomerFactory(owner=sales1), 20000 * (n + 1), "2026-09-01")

    results = _at_once(lambda: half_yearly_review(today=datetime.date(2027, 1, 1)))

    assert sorted(r is None for r in results) == [False, True]
    assert Evaluation.objects.count() == 1
    assert Proposal.objects.count() == 5
    assert StatisticsRun.objects.count() == 1
