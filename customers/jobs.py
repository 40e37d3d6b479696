"""Periodic jobs: catch-up, deadlines and the job-runs page, one mechanism for every job.

Each app registers its periodic jobs in its AppConfig.ready() (so `customers` imports no
other app):

    register_periodic_job(PeriodicJob(
        key="tiers.monthly_statistics", label=_("Monthly statistics"), cadence=MONTHLY,
        lookback=3, deadline=datetime.timedelta(days=1, hours=6),
        task="tiers.tasks.monthly_statistics_task",
        done=statistics_periods_done, run=statistics_period_run, runs=statistics_runs,
    ))

A period is named by the date it is scheduled on (the 1st of the month for a monthly job,
1 January and 1 July for the half-yearly review…); `done(since=)` returns the scheduled
dates done since `since` (read from the job's own claim rows), `run(period=, today=)` does
one period through the job's service and returns the rows it wrote, None when another
run had claimed it. The claim rows stay the only guard against doing a period twice.

When a job runs, `job_catch_up` does every period due and not done, oldest first. It
looks back `lookback` periods at most and never before the day this database was set up
(`jobs_epoch`): a missed month is caught up, a fresh install does not compute years of
empty history."""

import datetime
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import JobAlert, JobAttempt, JobOutcome

logger = logging.getLogger(__name__)

DAILY = "daily"
MONTHLY = "monthly"  # the 1st of each month
HALF_YEARLY = "half_yearly"  # 1 January and 1 July
YEARLY = "yearly"  # 1 January


@dataclass(frozen=True)
class JobRunRow:
    """One period a job did, as its own claim row tells it (for the job-runs page)."""

    period: datetime.date
    label: str
    started: datetime.datetime | None
    finished: datetime.datetime | None
    rows: int | None


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    label: Any
    cadence: str
    lookback: int
    # From the scheduled date's midnight (Asia/Shanghai) to the moment the period must
    # be done by; past it the deadline check alerts the managers.
    deadline: datetime.timedelta
    task: str
    done: Callable[..., set[datetime.date]]
    run: Callable[..., int | None]
    runs: Callable[..., list[JobRunRow]]
    order: int = 100

    def deadline_for(self, period: datetime.date) -> datetime.datetime:
        midnight = datetime.datetime.combine(period, datetime.time.min)
        return timezone.make_aware(midnight) + self.deadline


def dated_claims(run_model, *, rows_field: str, finished_field: str | None = None):
    """`done` and `runs` of a job whose claim is one row per `run_date` (with
    `started_at`, a count of rows in `rows_field` and, if it has one, the time it
    finished): what the daily jobs of archives, follow-ups and privacy share."""

    def done(*, since: datetime.date) -> set[datetime.date]:
        return set(run_model.objects.filter(run_date__gte=since).values_list("run_date", flat=True))

    def runs(*, limit: int) -> list[JobRunRow]:
        return [
            JobRunRow(
                period=run.run_date,
                label=run.run_date.isoformat(),
                started=run.started_at,
                finished=getattr(run, finished_field) if finished_field else None,
                rows=getattr(run, rows_field),
            )
            for run in run_model.objects.order_by("-run_date")[:limit]
        ]

    return done, runs


_jobs: dict[str, PeriodicJob] = {}


STORED_REFRESH_ROW = 1


@contextmanager
def stored_figures_swap(refresh_model, *, now: datetime.datetime) -> Iterator[Any]:
    """One transaction replacing a job's stored figures (the home pages', the points
    liability): `refresh_model`'s single row (a customers.models.figures.
    StoredFiguresRefresh) is created
    if missing and locked, so two refreshes never interleave and a page reads the old
    figures or the new, never half. Yields the row, or None when figures of a later
    moment are already stored (the caller then writes nothing); on leaving, the row says
    the Shanghai date of `now` and `now`."""
    day = timezone.localdate(now)
    with transaction.atomic():
        refresh_model.objects.get_or_create(
            pk=STORED_REFRESH_ROW, defaults={"day": day, "refreshed_at": now}
        )
        refresh = refresh_model.objects.select_for_update().get(pk=STORED_REFRESH_ROW)
        if refresh.refreshed_at > now:
            yield None
            return
        yield refresh
        refresh.day, refresh.refreshed_at = day, now
        refresh.save(update_fields=["day", "refreshed_at"])


def register_periodic_job(job: PeriodicJob) -> None:
    _jobs[job.key] = job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: (job.order, job.key))


def periodic_job(key: str) -> PeriodicJob:
    return _jobs[key]


def _previous(cadence: str, day: datetime.date) -> datetime.date:
    """The scheduled date strictly before `day`."""
    if cadence == DAILY:
        return day - datetime.timedelta(days=1)
    first = day.replace(day=1)
    if first == day:
        first = (day - datetime.timedelta(days=1)).replace(day=1)
    if cadence == MONTHLY:
        return first
    months = (1, 7) if cadence == HALF_YEARLY else (1,)
    while first.month not in months:
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def scheduled_dates(cadence: str, *, until: datetime.date, count: int) -> list[datetime.date]:
    """The last `count` scheduled dates on or before `until`, oldest first."""
    dates = []
    day = _previous(cadence, until + datetime.timedelta(days=1))
    while len(dates) < count:
        dates.append(day)
        day = _previous(cadence, day)
    return dates[::-1]


def jobs_epoch() -> datetime.date | None:
    """The day this database was set up (its first migration): no job catches up or
    alerts for a period scheduled before it."""
    applied = (
        MigrationRecorder.Migration.objects.filter(app="customers", name="0001_initial")
        .values_list("applied", flat=True)
        .first()
    )
    return timezone.localdate(applied) if applied else None


def periods_missing(
    job: PeriodicJob,
    *,
    today: datetime.date,
    epoch: datetime.date | None = None,
    latest_always: bool = True,
) -> list[datetime.date]:
    """The scheduled dates of `job` due by `today` and not done, oldest first: at most
    `lookback` periods back, and earlier periods only from the day the database was set
    up. The latest period is the job's own scheduled run and is always due when the job
    runs (`latest_always`); the deadline check passes False (a fresh install is not
    alerted about a review scheduled before it existed)."""
    epoch = epoch if epoch is not None else jobs_epoch()
    dates = scheduled_dates(job.cadence, until=today, count=job.lookback)
    latest = dates[-1]
    if epoch is not None:
        dates = [day for day in dates if day >= epoch]
    if latest_always and latest not in dates:
        dates.append(latest)
    if not dates:
        return []
    done = job.done(since=dates[0])
    return [day for day in dates if day not in done]


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def job_period_run(job: PeriodicJob, *, period: datetime.date, today: datetime.date) -> int | None:
    """One period through the job's service, with its attempt on record (written outside
    the job's transaction, so a failure or a kill still shows). Errors propagate."""
    attempt = JobAttempt.objects.create(job=job.key, period=period)
    try:
        rows = job.run(period=period, today=today)
    except Exception as error:  # a soft time limit too: record it, then let it go
        attempt.outcome = JobOutcome.FAILED
        attempt.error = _error_text(error)
        attempt.finished_at = timezone.now()
        try:
            attempt.save(update_fields=["outcome", "error", "finished_at"])
        except Exception:  # the database itself failed; the job's error matters more
            logger.exception("Could not record the failed attempt of %s", job.key)
        raise
    attempt.outcome = JobOutcome.ALREADY_DONE if rows is None else JobOutcome.DONE
    attempt.rows = rows
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["outcome", "rows", "finished_at"])
    return rows


def job_catch_up(key: str, *, today: datetime.date) -> int | None:
    """Every period of job `key` due by `today` and not done, oldest first. Returns the
    rows written for the latest period (`today`'s own run), None when it was already done.

    A period that fails stops the run (a later period may build on it: the review reads
    the month's statistics); the periods before it stay done and the next run resumes
    there."""
    job = periodic_job(key)
    latest = scheduled_dates(job.cadence, until=today, count=1)[0]
    rows = None
    for period in periods_missing(job, today=today):
        result = job_period_run(job, period=period, today=today)
        if period == latest:
            rows = result
    return rows


def _send_task(name: str) -> None:
    from celery import current_app

    try:
        current_app.tasks[name].delay()
    except Exception:  # a broker outage must not stop the other alerts
        logger.exception("Could not queue %s", name)


def jobs_check_deadlines(*, now: datetime.datetime | None = None) -> list[JobAlert]:
    """Alert the managers, once per job and period, about every period not done by its
    deadline, and queue the job again (its catch-up then does the missing periods).
    Returns the alerts raised by this check."""
    from customers.services.custody import mail_managers

    now = now or timezone.now()
    today = timezone.localdate(now)
    epoch = jobs_epoch()
    raised = []
    for job in periodic_jobs():
        late = [
            period
            for period in periods_missing(job, today=today, epoch=epoch, latest_always=False)
            if job.deadline_for(period) <= now
        ]
        new = []
        for period in late:
            try:
                with transaction.atomic():
                    new.append(
                        JobAlert.objects.create(
                            job=job.key, period=period, deadline=job.deadline_for(period)
                        )
                    )
            except IntegrityError:  # raised before (or by a check running at once)
                continue
        if not new:
            continue
        raised.extend(new)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[Travel CRM] Job not done by its deadline: %(job)s") % {"job": job.label}
            body = "\n".join(
                [
                    _("The job “%(job)s” had not succeeded for these periods by their deadline:")
                    % {"job": job.label},
                    *[
                        _("%(period)s (deadline %(deadline)s)")
                        % {
                            "period": alert.period.isoformat(),
                            "deadline": timezone.localtime(alert.deadline).strftime(
                                "%Y-%m-%d %H:%M"
                            ),
                        }
                        for alert in new
                    ],
                    "",
                    _(
                        "It has been queued again and will do the missing periods, oldest "
                        "first. See Job runs (Alerts page) for its attempts and errors."
                    ),
                ]
            )
        mail_managers(subject, body)
        transaction.on_commit(lambda name=job.task: _send_task(name))
    return raised


def job_runs_overview(*, now: datetime.datetime | None = None, limit: int = 12) -> list[dict]:
    """Per job: its recent periods (claim rows), the periods due and not done, its recent
    attempts and its alerts. A fixed number of queries per registered job."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    epoch = jobs_epoch()
    keys = [job.key for job in periodic_jobs()]
    attempts = {key: list(JobAttempt.objects.filter(job=key)[:limit]) for key in keys}
    alerts: dict[str, list[JobAlert]] = {key: [] for key in keys}
    for alert in JobAlert.objects.filter(job__in=keys).select_related("acknowledged_by")[:200]:
        alerts[alert.job].append(alert)
    overview = []
    for job in periodic_jobs():
        missing = periods_missing(job, today=today, epoch=epoch, latest_always=False)
        overview.append(
            {
                "job": job,
                "runs": job.runs(limit=limit),
                "missing": [
                    {
                        "period": period,
                        "deadline": job.deadline_for(period),
                        "late": job.deadline_for(period) <= now,
                    }
                    for period in missing
                ],
                "attempts": attempts[job.key],
                "alerts": alerts[job.key][:limit],
            }
        )
    return overview


def job_alert_acknowledge(*, actor, alert: JobAlert) -> JobAlert:
    """A manager has seen the alert (the page stops highlighting it)."""
    from accounts.roles import require_manager

    require_manager(actor)
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return alert
