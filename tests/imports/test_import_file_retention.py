"""Uploaded import files (many people's names, mobiles, ID numbers) are deleted from the
private storage after the retention (IMPORT_FILE_RETENTION_DAYS, default 30) by a daily
job; the import's record, counts and report stay, and no page breaks on the gone file."""

import datetime
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob, ImportStatus
from imports.services import import_files_expire
from imports.tasks import import_files_expire_task
from tests.imports.test_import_pages import checked_job, run_on_commit

pytestmark = pytest.mark.django_db
__all__ = ["checked_job", "run_on_commit"]


def test_files_past_the_retention_are_deleted_and_the_record_stays(
    checked_job, client_as, sales1, settings
):
    path = checked_job.file.path
    report = checked_job.report
    assert os.path.exists(path)
    fresh = ImportJob.objects.create(created_by=sales1, kind=checked_job.kind,
                                     original_name="new.xlsx", file="imports/aa/new")  # fmt: skip

    assert import_files_expire(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert os.path.exists(path)
    later = timezone.now() + datetime.timedelta(days=31)
    ImportJob.objects.filter(pk=fresh.pk).update(created_at=later - datetime.timedelta(days=1))
    assert import_files_expire(now=later) == 1

    assert not os.path.exists(path)
    checked_job.refresh_from_db()
    assert checked_job.file.name == "" and checked_job.report == report
    assert checked_job.status == ImportStatus.FAILED and "30" in checked_job.error
    fresh.refresh_from_db()
    assert fresh.file.name == "imports/aa/new"

    client = client_as(sales1)
    assert client.get(reverse("imports:refused_rows", args=[checked_job.pk])).status_code == 404
    page = client.get(reverse("imports:detail", args=[checked_job.pk]))
    assert page.status_code == 200
    assert reverse("imports:refused_rows", args=[checked_job.pk]) not in page.content.decode()


def test_the_retention_is_a_setting_and_a_committed_import_stays_committed(checked_job, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    ImportJob.objects.filter(pk=checked_job.pk).update(status=ImportStatus.COMMITTED)
    ImportJob.objects.filter(pk=checked_job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert import_files_expire_task() == 1
    checked_job.refresh_from_db()
    assert checked_job.status == ImportStatus.COMMITTED and checked_job.error == ""
    assert import_files_expire_task() == 0
