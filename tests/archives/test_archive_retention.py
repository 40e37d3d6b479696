import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from archives.models import BusinessArchive, RetentionPolicy, RetentionRun
from archives.services import (
    add_years,
    archive_legal_hold_set,
    retention_expire,
    tour_group_create,
    tour_group_update,
)
from archives.tasks import retention_expire_task
from customers.models import TripType
from tests.archives.factories import BusinessArchiveFactory, TourGroupFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)


def archive_ending(retention_end: datetime.date, **fields) -> BusinessArchive:
    return BusinessArchiveFactory(retention_end=retention_end, **fields)


def test_a_year_later_is_the_same_day_and_29_february_becomes_28():
    assert add_years(datetime.date(2024, 3, 5), 2) == datetime.date(2026, 3, 5)
    assert add_years(datetime.date(2024, 2, 29), 2) == datetime.date(2026, 2, 28)
    assert add_years(datetime.date(2024, 2, 29), 4) == datetime.date(2028, 2, 29)


def test_retention_end_follows_the_policy_for_the_trip_type(custodian1):
    domestic = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(created_by=None, end_date=datetime.date(2024, 3, 5)),
    )
    outbound = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(
            created_by=None,
            trip_type=TripType.OUTBOUND,
            start_date=datetime.date(2024, 2, 20),
            end_date=datetime.date(2024, 2, 29),
        ),
    )
    assert domestic.archive.retention_end == datetime.date(2026, 3, 5)
    assert outbound.archive.retention_end == datetime.date(2027, 2, 28)


def test_a_policy_change_never_rewrites_existing_archives(custodian1):
    before = tour_group_create(actor=custodian1, tour=TourGroupFactory.build(created_by=None))
    RetentionPolicy.objects.filter(trip_type=TripType.DOMESTIC).update(years=5)
    after = tour_group_create(actor=custodian1, tour=TourGroupFactory.build(created_by=None))
    before.archive.refresh_from_db()
    assert before.archive.retention_end == datetime.date(2026, 3, 5)
    assert after.archive.retention_end == datetime.date(2029, 3, 5)
    # A corrected end date moves the old archive by its own two years, not the new five.
    before.end_date = datetime.date(2024, 3, 8)
    tour_group_update(actor=custodian1, tour=before, changed=["end_date"])
    before.archive.refresh_from_db()
    assert before.archive.retention_end == datetime.date(2026, 3, 8)


@pytest.mark.parametrize(
    ("retention_end", "expired"),
    [(TODAY - DAY, True), (TODAY, False), (TODAY + DAY, False)],
    ids=["ended-yesterday", "ends-today", "ends-tomorrow"],
)
def test_expiry_starts_the_day_after_the_retention_end(retention_end, expired):
    archive = archive_ending(retention_end)
    run = retention_expire(today=TODAY)
    archive.refresh_from_db()
    assert (archive.expired_on == TODAY) is expired
    assert run.expired_count == int(expired)


def test_a_tour_ending_on_29_february_expires_after_28_february(custodian1):
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(
            created_by=None,
            start_date=datetime.date(2024, 2, 25),
            end_date=datetime.date(2024, 2, 29),
        ),
    )
    assert retention_expire(today=datetime.date(2026, 2, 28)).expired_count == 0
    assert retention_expire(today=datetime.date(2026, 3, 1)).expired_count == 1
    tour.archive.refresh_from_db()
    assert tour.archive.expired_on == datetime.date(2026, 3, 1)


def test_a_legal_hold_stops_expiry(custodian1):
    held = archive_ending(TODAY - 30 * DAY)
    archive_legal_hold_set(actor=custodian1, archive=held, reason="诉讼保全 (2026)沪0101民初123号")
    retention_expire(today=TODAY)
    held.refresh_from_db()
    assert held.expired_on is None


def test_the_job_run_twice_changes_nothing_the_second_time(
    custodian1, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="custodian_left", roles=["custodian"], is_active=False)
    archives = [archive_ending(TODAY - DAY), archive_ending(TODAY - 400 * DAY)]
    # The custodians' e-mail is queued in the run's transaction, sent once committed.
    with django_capture_on_commit_callbacks(execute=True):
        first = retention_expire(today=TODAY)
        second = retention_expire(today=TODAY)
    assert first.expired_count == 2
    assert second is None
    assert RetentionRun.objects.count() == 1
    assert [archive.expired_on for archive in BusinessArchive.objects.all()] == [TODAY, TODAY]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [custodian1.email]  # active custodians only
    assert "2" in mailoutbox[0].subject
    # Marked once: a later run does not move the date of archives already expired.
    archive_ending(TODAY)
    later = retention_expire(today=TODAY + DAY)
    assert later.expired_count == 1
    archives[0].refresh_from_db()
    assert archives[0].expired_on == TODAY


def test_no_mail_when_nothing_expired(custodian1, mailoutbox, django_capture_on_commit_callbacks):
    archive_ending(TODAY + DAY)
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_expire(today=TODAY)
    assert run.expired_count == 0
    assert mailoutbox == []


def test_the_command_and_the_task_run_the_same_job(
    custodian1, mailoutbox, django_capture_on_commit_callbacks
):
    archive_ending(TODAY - DAY)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_retention", "--today", TODAY.isoformat())
        call_command("expire_retention", "--today", TODAY.isoformat())
        assert retention_expire_task.apply(args=[TODAY.isoformat()]).get() is None  # run
    assert RetentionRun.objects.get().expired_count == 1
    assert len(mailoutbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_do_the_work_exactly_once(custodian1):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions on one database")
    archives = [archive_ending(TODAY - DAY * n) for n in range(1, 6)]
    mail.outbox = []
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(retention_expire(today=TODAY))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(run is None for run in results) == [False, True]
    assert RetentionRun.objects.count() == 1
    assert RetentionRun.objects.get().expired_count == len(archives)
    assert len(mail.outbox) == 1
    assert set(BusinessArchive.objects.values_list("expired_on", flat=True)) == {TODAY}
