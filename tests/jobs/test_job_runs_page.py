"""The managers' job-runs page: each job's periods, attempts (with errors) and alerts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.jobs import periodic_jobs
from customers.models import JobAlert, JobAttempt, JobOutcome
from tests.jobs.conftest import at, set_up_on
from tiers.tasks import monthly_statistics_task

URL = reverse("customers:job_runs")


def test_a_manager_sees_periods_attempts_errors_and_alerts(
    db, manager1, paid, client_as, time_machine
):
    set_up_on(datetime.date(2026, 12, 15))
    paid("3000", datetime.date(2026, 12, 10))
    time_machine.move_to(at(datetime.date(2027, 1, 1)), tick=False)
    monthly_statistics_task()
    JobAttempt.objects.create(
        job="tiers.half_yearly_review",
        period=datetime.date(2027, 1, 1),
        outcome=JobOutcome.FAILED,
        error="SoftTimeLimitExceeded: SoftTimeLimitExceeded()",
    )
    JobAlert.objects.create(
        job="tiers.half_yearly_review",
        period=datetime.date(2027, 1, 1),
        deadline=at(datetime.date(2027, 1, 2), 6),
    )

    response = client_as(manager1).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    for job in periodic_jobs():
        assert f'data-testid="job-{job.key}"' in page
    assert "2026-12" in page  # December's statistics, the period done
    assert "SoftTimeLimitExceeded" in page
    assert "Alert for 2027-01-01" in page
    alert = JobAlert.objects.get()
    response = client_as(manager1).post(reverse("customers:job_alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager1


@pytest.mark.parametrize("who", ["sales1", "lead1", "custodian1", "finance1"])
def test_others_get_404(request, who, client_as):
    user = request.getfixturevalue(who)
    assert client_as(user).get(URL).status_code == 404
    alert = JobAlert.objects.create(
        job="tiers.monthly_statistics",
        period=datetime.date(2027, 1, 1),
        deadline=at(datetime.date(2027, 1, 2), 6),
    )
    url = reverse("customers:job_alert_acknowledge", args=[alert.pk])
    assert client_as(user).post(url).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_alerts_page_links_to_job_runs(manager1, client_as):
    page = client_as(manager1).get(reverse("customers:alerts")).content.decode()
    assert f'href="{URL}"' in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_number_of_queries_however_much_history(db, manager1, client_as):
    client = client_as(manager1)
    JobAttempt.objects.create(job="tiers.monthly_statistics", period=datetime.date(2027, 1, 1))
    few = _queries(client)
    for job in periodic_jobs():
        for n in range(15):
            JobAttempt.objects.create(
                job=job.key, period=datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
            )
            JobAlert.objects.create(
                job=job.key,
                period=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
                deadline=at(datetime.date(2026, 1, 2)),
                acknowledged_by=manager1,
                acknowledged_at=at(datetime.date(2026, 1, 3)),
            )
    assert _queries(client) == few
