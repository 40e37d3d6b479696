"""The tier jobs leave fresh planner statistics on PostgreSQL (customers.dbstats): the
monthly statistics ANALYZE the snapshots before the summaries read them, the review its
proposals before the committee decides, a large decision the tables it changed. The
committee page runs the same queries however many proposals a review has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import dbstats
from tests.factories import CustomerFactory
from tiers.models import Proposal
from tiers.services import half_yearly_review, monthly_statistics, proposals_decide

pytestmark = pytest.mark.django_db

OCT = datetime.date(2026, 10, 1)
NOV_1 = datetime.date(2026, 11, 1)
REVIEW_DAY = datetime.date(2027, 1, 1)


def _analyzed(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("ANALYZE")]


@pytest.fixture
def book(sales1, sales3, paid_booking):
    for n, amount in enumerate([60000, 30000, 10000, 2000, 0]):
        customer = CustomerFactory(owner=sales1 if n % 2 else sales3, name=f"客户{n}")
        if amount:
            paid_booking(customer, amount, "2026-08-01")


@pytest.mark.postgres
def test_the_jobs_analyze_the_tables_they_fill(book, manager1, monkeypatch):
    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", 1)  # a test book is small
    with CaptureQueriesContext(connection) as monthly:
        monthly_statistics(month=OCT, today=NOV_1)
    statements = [q["sql"] for q in monthly.captured_queries]
    analyze_snapshots = statements.index('ANALYZE "tiers_customersnapshot"')
    first_summary = next(
        n for n, sql in enumerate(statements) if 'INSERT INTO "tiers_segmentsummary"' in sql
    )
    assert analyze_snapshots < first_summary  # the summaries are planned on fresh figures

    with CaptureQueriesContext(connection) as review:
        evaluation = half_yearly_review(today=REVIEW_DAY)
    assert evaluation.proposal_count
    assert 'ANALYZE "tiers_proposal"' in _analyzed(review.captured_queries)

    with CaptureQueriesContext(connection) as decision:
        decided = proposals_decide(
            actor=manager1,
            evaluation=evaluation,
            proposals=Proposal.objects.all(),
            send_email=False,
        )
    assert decided == evaluation.proposal_count
    assert _analyzed(decision.captured_queries) == [
        'ANALYZE "tiers_proposal", "tiers_gradechange", "tiers_gradenotification"'
    ]


@pytest.mark.postgres
def test_a_small_decision_leaves_the_statistics_to_autovacuum(book, manager1):
    monthly_statistics(month=OCT, today=NOV_1)
    evaluation = half_yearly_review(today=REVIEW_DAY)
    with CaptureQueriesContext(connection) as decision:
        proposals_decide(
            actor=manager1,
            evaluation=evaluation,
            proposals=Proposal.objects.filter(pk=Proposal.objects.order_by("pk")[0].pk),
            send_email=False,
        )
    assert _analyzed(decision.captured_queries) == []


def test_nothing_is_analyzed_on_sqlite(book, monkeypatch):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's side of the rule")
    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", 1)
    with CaptureQueriesContext(connection) as captured:
        monthly_statistics(month=OCT, today=NOV_1)
        half_yearly_review(today=REVIEW_DAY)
    assert _analyzed(captured.captured_queries) == []


def test_the_committee_page_runs_the_same_queries_for_a_larger_review(
    sales1, manager1, client_as, paid_booking, django_assert_max_num_queries
):
    def review_page(day):
        evaluation = half_yearly_review(today=day)
        url = reverse("tiers:review_detail", args=[evaluation.pk])
        client = client_as(manager1)
        with django_assert_max_num_queries(40) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return evaluation, response, len(captured.captured_queries)

    for n in range(3):
        paid_booking(CustomerFactory(owner=sales1, name=f"甲{n}"), 50000 + n, "2026-08-01")
    small, _response, queries = review_page(REVIEW_DAY)
    for n in range(60):
        paid_booking(CustomerFactory(owner=sales1, name=f"乙{n}"), 40000 + n, "2026-08-01")
    large, response, more_queries = review_page(datetime.date(2027, 7, 1))
    assert large.proposal_count > small.proposal_count + 50
    assert more_queries <= queries
    # The largest spend first, 50 to a page: what the (evaluation, status, spend) index serves.
    spends = [proposal.spend_12m for proposal in response.context["page"]]
    assert len(spends) == 50
    assert spends == sorted(spends, reverse=True)
