"""Beat's schedule: declared in config/celery.py, kept in the database, and when each
entry last fired survives a beat restart (a redeploy)."""

import datetime
import zoneinfo

import pytest
from celery.schedules import crontab
from django_celery_beat.models import PeriodicTask

from config.beat import CodeDeclaredDatabaseScheduler
from config.celery import app

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # Beat closes "old" connections between reads; with PostgreSQL that would close the
    # test's own connection, inside its transaction.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)


def _start_beat():
    return CodeDeclaredDatabaseScheduler(app=app, lazy=False)


def test_beat_copies_the_declared_schedule_into_the_database():
    _start_beat()
    stored = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    assert set(app.conf.beat_schedule) <= set(stored)
    for name, entry in app.conf.beat_schedule.items():
        assert stored[name].task == entry["task"], name
        if isinstance(entry["schedule"], crontab):
            assert str(stored[name].crontab.timezone) == "Asia/Shanghai", name
    retention = stored["archives-retention-expire"].crontab
    assert (retention.minute, retention.hour) == ("0", "3")


def test_when_a_job_last_fired_survives_a_restart_and_a_removed_job_goes():
    _start_beat()
    fired = datetime.datetime(2026, 11, 30, 3, 0, tzinfo=SHANGHAI)
    PeriodicTask.objects.filter(name="archives-retention-expire").update(last_run_at=fired)
    stale = PeriodicTask.objects.get(name="archives-retention-expire")
    stale.pk, stale.name = None, "a-job-removed-from-the-code"
    stale.save()

    _start_beat()  # the redeployed beat

    task = PeriodicTask.objects.get(name="archives-retention-expire")
    assert task.last_run_at == fired
    assert not PeriodicTask.objects.filter(name="a-job-removed-from-the-code").exists()
