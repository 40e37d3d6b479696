"""Every task of ours has a soft and a hard time limit, and Redis keeps a message longer
than any task may run (else a running job would be handed to a second worker)."""

import pytest
from django.conf import settings

from config.celery import app

OUR_APPS = (
    "customers.",
    "archives.",
    "tiers.",
    "followups.",
    "loyalty.",
    "imports.",
    "webhooks.",
    "accounts.",
    "api.",
    "twofactor.",
    "ops.",
)


def our_tasks():
    app.loader.import_default_modules()  # what a worker imports: every app's tasks.py
    return sorted((name, task) for name, task in app.tasks.items() if name.startswith(OUR_APPS))


def limits(task) -> tuple[float, float]:
    soft = task.soft_time_limit or app.conf.task_soft_time_limit
    hard = task.time_limit or app.conf.task_time_limit
    return soft, hard


def test_the_periodic_jobs_and_the_check_are_registered():
    names = {name for name, _task in our_tasks()}
    for entry in app.conf.beat_schedule.values():
        if entry["task"].startswith(OUR_APPS):
            assert entry["task"] in names
    assert "customers.job_tasks.jobs_check_task" in names


@pytest.mark.parametrize("name", [name for name, _task in our_tasks()])
def test_every_task_has_a_soft_limit_below_its_hard_limit(name):
    soft, hard = limits(app.tasks[name])
    assert soft and hard, f"{name} has no time limit"
    assert soft < hard


def test_the_long_jobs_set_their_own_limits():
    for name in (
        "tiers.tasks.monthly_statistics_task",
        "tiers.tasks.half_yearly_review_task",
        "followups.tasks.daily_planning_task",
        "loyalty.tasks.points_expiry_task",
        "imports.tasks.import_job_run",
    ):
        task = app.tasks[name]
        assert task.soft_time_limit and task.time_limit, name


def test_visibility_timeout_is_longer_than_every_hard_limit():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = max(limits(task)[1] for _name, task in our_tasks())
    assert timeout > longest
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
