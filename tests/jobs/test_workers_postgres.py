"""Real workers on PostgreSQL + Redis: a worker killed mid-job and two copies at once.

Each test starts `celery -A config worker` subprocesses on a queue of its own, against
the test database, and kills them (their process group) when it ends. The broker is
CELERY_BROKER_URL's Redis on a database of its own (JOBS_TEST_REDIS_DB, default 11): the
workers here use a 3-second visibility timeout, which on a shared database would hand
other workers' running messages out again."""

import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections

from customers.models import JobAttempt, JobOutcome
from tests.factories import BookingFactory, CustomerFactory
from tests.jobs.conftest import set_up_on
from tiers.models import CustomerSnapshot, StatisticsRun

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
VISIBILITY_TIMEOUT = 3  # seconds: a killed worker's message is handed out again this soon
OCT = datetime.date(2026, 10, 1)
RUN_ON = "2026-11-01"  # the statistics of October
CUSTOMERS = 40


def _broker_url() -> str:
    base = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    scheme_host = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{scheme_host}/{os.environ.get('JOBS_TEST_REDIS_DB', '11')}"


@pytest.fixture(autouse=True)
def _epoch_restored(django_db_setup, django_db_blocker):
    """The migration record is not flushed after a transactional test: put it back."""
    from django.db.migrations.recorder import MigrationRecorder

    with django_db_blocker.unblock():
        record = MigrationRecorder.Migration.objects.filter(app="customers", name="0001_initial")
        applied = record.values_list("applied", flat=True).first()
    yield
    with django_db_blocker.unblock():
        record.update(applied=applied)


@pytest.fixture
def broker(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("real workers need PostgreSQL")
    redis = pytest.importorskip("redis")
    url = _broker_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    from celery import Celery

    # Celery reads CELERY_BROKER_URL from the environment before any broker it is given
    # (celery.app.utils.Settings.broker_url): CI sets it for the suite, so without this
    # the test would send to the suite's Redis database and the workers listen on this one.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    sender = Celery("jobs-test", broker=url)
    # The workers' visibility timeout (below); kombu 5.7 stamps a message's redelivery
    # deadline when it is published, from the publisher's own transport options.
    sender.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    yield sender, url
    sender.close()


@pytest.fixture
def workers(broker):
    """Start workers (`start(name)`); every one is killed, with its children, at the end."""
    _sender, url = broker
    queue = f"jobs-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    env.pop("DJANGO_PRODUCTION", None)
    started: list[subprocess.Popen] = []
    logs = tempfile.TemporaryDirectory()

    def start(name: str, concurrency: int = 1) -> subprocess.Popen:
        log = open(Path(logs.name) / f"{name}.log", "w")  # noqa: SIM115 (closed by the worker)
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "-c",
                str(concurrency),
                "-n",
                f"{name}-{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        # Publish only once the worker consumes its queue: on Redis a message sent to a
        # queue nobody has declared yet is dropped (the worker starts slower on a busy
        # machine than the test takes to send).
        deadline = time.monotonic() + 60
        while "ready." not in (Path(logs.name) / f"{name}.log").read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start\n{log_tail()}")
            time.sleep(0.3)
        return process

    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the worker and its pool children
        process.wait(timeout=10)

    def log_tail() -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text()[-3000:] for p in Path(logs.name).glob("*.log")
        )

    start.queue = queue
    start.kill = kill
    start.log_tail = log_tail
    try:
        yield start
    finally:
        for process in started:
            kill(process)
        connections.close_all()
        logs.cleanup()


def _wait(condition, seconds: float, what: str, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}\n{logs()}")


def _customers_with_bookings() -> None:
    for n in range(CUSTOMERS):
        day = datetime.date(2026, 9, 1) + datetime.timedelta(days=n % 30)
        BookingFactory(
            customer=CustomerFactory(),
            amount=1000 * (n + 1),
            cost=800 * (n + 1),
            paid_date=day,
            payment_due_date=day,
            start_date=day,
            end_date=day + datetime.timedelta(days=3),
        )


class SnapshotTableLocked:
    """Holds the snapshot table so a monthly job that has claimed its month waits inside
    its transaction: "mid-job", for as long as the test needs."""

    def __enter__(self):
        import psycopg2

        db = connection.settings_dict
        self.conn = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"]
        )
        self.conn.cursor().execute(
            f"LOCK TABLE {CustomerSnapshot._meta.db_table} IN ACCESS EXCLUSIVE MODE"
        )
        return self

    def waiting(self) -> int:
        with self.conn.cursor() as cursor:  # our own transaction still holds the lock
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def _running_attempts() -> int:
    return JobAttempt.objects.filter(
        job="tiers.monthly_statistics", outcome=JobOutcome.RUNNING
    ).count()


def test_a_worker_killed_mid_job_is_replaced_and_the_month_is_complete_once(broker, workers):
    sender, _url = broker
    set_up_on(datetime.date(2026, 10, 20))  # only October is due on 1 November
    _customers_with_bookings()
    first = workers("first")

    with SnapshotTableLocked() as lock:
        sender.send_task(
            "tiers.tasks.monthly_statistics_task", kwargs={"today": RUN_ON}, queue=workers.queue
        )
        _wait(
            lambda: _running_attempts() == 1 and lock.waiting() == 1,
            45,
            "the job",
            workers.log_tail,
        )
        workers.kill(first)  # SIGKILL, mid-job: nothing acknowledged the message
    assert not StatisticsRun.objects.exists()  # its transaction died with it

    # A worker looks for unacknowledged messages past the visibility timeout when it
    # starts, then only every 100 s (kombu's restore_visible: every 10th check of 10 s).
    # Start the replacement once the message is past it, as after a real restart.
    time.sleep(VISIBILITY_TIMEOUT + 1)

    workers("second")  # Redis hands the unacknowledged message out again
    _wait(
        lambda: JobAttempt.objects.filter(outcome=JobOutcome.DONE).exists(),
        45,
        "the redelivered job",
        workers.log_tail,
    )

    run = StatisticsRun.objects.get()
    assert run.month == OCT and run.finished_at is not None
    assert run.customer_count == CUSTOMERS
    assert CustomerSnapshot.objects.filter(month=OCT).count() == CUSTOMERS
    attempts = list(JobAttempt.objects.order_by("started_at").values_list("outcome", flat=True))
    assert attempts == [JobOutcome.RUNNING, JobOutcome.DONE]  # the killed one says so


def test_two_copies_at_once_do_the_month_once(broker, workers):
    """As when two beats both send the job: the claim row lets one do the month."""
    sender, _url = broker
    set_up_on(datetime.date(2026, 10, 20))
    _customers_with_bookings()
    workers("pair", concurrency=2)

    with SnapshotTableLocked():
        for _copy in range(2):
            sender.send_task(
                "tiers.tasks.monthly_statistics_task",
                kwargs={"today": RUN_ON},
                queue=workers.queue,
            )
        # Both have started: one holds the month's claim, the other waits on it.
        _wait(lambda: _running_attempts() == 2, 45, "both copies", workers.log_tail)
    _wait(lambda: _running_attempts() == 0, 45, "both copies to end", workers.log_tail)

    assert StatisticsRun.objects.count() == 1
    assert CustomerSnapshot.objects.filter(month=OCT).count() == CUSTOMERS
    outcomes = sorted(JobAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == [JobOutcome.ALREADY_DONE, JobOutcome.DONE]


def _pool_children(worker: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_pool_process_killed_mid_job_puts_the_message_back_at_once(broker, workers):
    """The OOM killer takes the pool process, not the worker: with reject_on_worker_lost
    the worker requeues the message itself (no visibility timeout to wait for)."""
    sender, _url = broker
    set_up_on(datetime.date(2026, 10, 20))
    _customers_with_bookings()
    worker = workers("oom")
    _wait(lambda: len(_pool_children(worker)) == 1, 30, "the pool process", workers.log_tail)

    with SnapshotTableLocked() as lock:
        sender.send_task(
            "tiers.tasks.monthly_statistics_task", kwargs={"today": RUN_ON}, queue=workers.queue
        )
        _wait(
            lambda: _running_attempts() == 1 and lock.waiting() == 1,
            45,
            "the job",
            workers.log_tail,
        )
        (child,) = _pool_children(worker)
        os.kill(child, signal.SIGKILL)
        _wait(
            lambda: JobAttempt.objects.count() == 2,  # the same worker runs it again
            30,
            "the requeued job",
            workers.log_tail,
        )
    _wait(
        lambda: JobAttempt.objects.filter(outcome=JobOutcome.DONE).exists(),
        45,
        "the job to finish",
        workers.log_tail,
    )
    assert worker.poll() is None  # one worker all along
    assert StatisticsRun.objects.get().customer_count == CUSTOMERS
    assert CustomerSnapshot.objects.filter(month=OCT).count() == CUSTOMERS
