"""A period not done by its deadline: one alert, one e-mail to the managers, the job
queued again; however often the check runs."""

import datetime

import pytest
from django.core.management import call_command

from customers import jobs
from customers.jobs import jobs_check_deadlines, periodic_job
from customers.models import JobAlert
from followups.models import PlanningRun
from tests.jobs.conftest import at, set_up_on
from tiers.models import StatisticsRun
from tiers.tasks import monthly_statistics_task

JAN, FEB = datetime.date(2027, 1, 1), datetime.date(2027, 2, 1)


@pytest.fixture
def only(monkeypatch):
    """Check only these jobs (the others have never run in a test database)."""

    def keep(*keys):
        monkeypatch.setattr(jobs, "_jobs", {key: periodic_job(key) for key in keys})

    return keep


def test_monthly_statistics_late_by_the_2nd_at_06_00_alert_once_and_are_run_again(
    db, manager1, paid, only, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    only("tiers.monthly_statistics")
    set_up_on(datetime.date(2026, 12, 15))
    paid("3000", datetime.date(2026, 12, 10))
    time_machine.move_to(at(JAN), tick=False)
    monthly_statistics_task()
    # 1 February 02:00: the run is lost. Until the 2nd at 06:00 it is not late.
    time_machine.move_to(at(datetime.date(2027, 2, 2), 5, 59), tick=False)
    assert jobs_check_deadlines() == []

    time_machine.move_to(at(datetime.date(2027, 2, 2), 6, 15), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        alerts = jobs_check_deadlines()

    assert [(a.job, a.period) for a in alerts] == [("tiers.monthly_statistics", FEB)]
    assert StatisticsRun.objects.filter(month=JAN).exists()  # queued again, and done
    to_managers = [m for m in mailoutbox if manager1.email in m.to]
    assert len(to_managers) == 1
    # In the office language (zh-hans): the job's name, as the job-runs page shows it.
    assert "每月统计" in to_managers[0].subject
    assert "2027-02-01" in to_managers[0].body

    # The next hourly checks: no second alert, no second e-mail.
    time_machine.move_to(at(datetime.date(2027, 2, 2), 7, 15), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_check_deadlines() == []
    assert JobAlert.objects.count() == 1
    assert len([m for m in mailoutbox if manager1.email in m.to]) == 1


def test_a_period_still_failing_alerts_once_not_every_hour(db, manager1, only, time_machine):
    only("followups.daily_planning")
    day = datetime.date(2027, 3, 1)
    set_up_on(day)
    for hour in (7, 8, 9, 10):  # the queued run never happens (no broker in the test)
        time_machine.move_to(at(day, hour, 15), tick=False)
        call_command("jobs_check")
    assert list(JobAlert.objects.values_list("job", "period")) == [
        ("followups.daily_planning", day)
    ]
    assert not PlanningRun.objects.exists()


def test_planning_done_by_07_00_raises_nothing(db, sales1, only, time_machine):
    from followups.tasks import daily_planning_task

    only("followups.daily_planning")
    day = datetime.date(2027, 3, 1)
    set_up_on(day)
    time_machine.move_to(at(day, 6), tick=False)
    daily_planning_task()
    time_machine.move_to(at(day, 7, 15), tick=False)
    assert jobs_check_deadlines() == []


def test_no_alert_for_periods_before_the_database_existed(db, only, time_machine):
    only("tiers.half_yearly_review", "loyalty.annual_rewards")
    set_up_on(datetime.date(2027, 3, 5))  # a fresh install in March
    time_machine.move_to(at(datetime.date(2027, 3, 6), 9), tick=False)
    assert jobs_check_deadlines() == []  # the January review and rewards predate it
