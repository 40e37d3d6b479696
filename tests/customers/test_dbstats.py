"""customers.dbstats: one rule for fresh planner statistics after bulk work, used by the
jobs of every app (tiers, loyalty, follow-ups, archives)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import dbstats
from customers.models import AuditEntry, Customer
from loyalty.models import Card, LedgerEntry
from loyalty.services.jobs import points_expire
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _analyzed(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]


@pytest.mark.postgres
def test_analyze_runs_on_postgresql_past_the_threshold():
    with CaptureQueriesContext(connection) as captured:
        assert dbstats.tables_analyze(Customer, AuditEntry)
        assert dbstats.tables_analyze(Customer, changed_rows=dbstats.ANALYZE_AFTER_ROWS)
        assert not dbstats.tables_analyze(Customer, changed_rows=dbstats.ANALYZE_AFTER_ROWS - 1)
    assert _analyzed(captured) == [
        'ANALYZE "customers_customer", "customers_auditentry"',
        'ANALYZE "customers_customer"',
    ]


def test_sqlite_is_left_alone():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's side of the rule")
    with CaptureQueriesContext(connection) as captured:
        assert not dbstats.tables_analyze(Customer)
    assert captured.captured_queries == []


@pytest.mark.postgres
def test_the_points_expiry_job_analyzes_the_ledger_it_rewrote(sales1, monkeypatch):
    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", 1)
    today = datetime.date(2026, 11, 23)
    card = Card.objects.create(customer=CustomerFactory(owner=sales1), balance=100)
    LedgerEntry.objects.create(
        card=card,
        kind="earn",
        points=100,
        occurred_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=70),
        remaining=100,
    )
    with CaptureQueriesContext(connection) as captured:
        assert points_expire(today=today) == (1, 100)
    assert _analyzed(captured) == ['ANALYZE "loyalty_ledgerentry", "loyalty_card"']
    card.refresh_from_db()
    assert card.balance == 0


@pytest.mark.postgres
def test_the_planning_job_analyzes_the_plan_before_the_cap_reads_it(sales1, monkeypatch):
    """At a million customers the first run's cap UPDATE, planned on statistics that did
    not know the rows just planned, joined them row by row for over ten minutes a pass:
    the plan is analysed inside the run, before the cap's statements."""
    from followups.models import Followup
    from followups.services.planning import planning_run
    from tests.factories import BookingFactory

    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", 1)
    today = datetime.date(2026, 11, 23)
    BookingFactory(
        customer=CustomerFactory(owner=sales1),
        start_date=today - datetime.timedelta(days=6),
        end_date=today - datetime.timedelta(days=3),
    )
    with CaptureQueriesContext(connection) as captured:
        run = planning_run(today=today)
    assert run.created_total >= 1 and Followup.objects.exists()
    statements = [q["sql"] for q in captured.captured_queries]
    analyze = statements.index('ANALYZE "followups_followup"')
    cap = next(i for i, sql in enumerate(statements) if "SET due_on = moved.new_due" in sql)
    assert analyze < cap
