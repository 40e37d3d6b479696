"""A custodian works the retention queue in the admin: filter, select, destroy with a
reason, and find the permanent destruction record."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives.models import ArchiveStatus, BusinessArchive, DestructionRecord
from tests.archives.factories import ArchiveDocumentFactory, archive_for
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD

SCREENSHOT = screenshots_dir() / "retention-queue.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_custodian_destroys_an_archive_past_retention(
    live_server, page, custodian1, customer_of_sales1, sales1, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    expired = archive_for(customer_of_sales1, group_number="SH2023-0815")
    still_kept = archive_for(customer_of_sales1, group_number="SH2025-0101")
    BusinessArchive.objects.filter(pk=expired.pk).update(retention_end=yesterday)
    BusinessArchive.objects.filter(pk=still_kept.pk).update(retention_end=timezone.localdate())
    ArchiveDocumentFactory(archive=expired, uploaded_by=sales1)

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", custodian1.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/archives/businessarchive/")
    page.click("#changelist-filter >> text=Past retention")
    page.wait_for_url("**/businessarchive/?retention=past")
    expect(page.locator("#result_list")).to_contain_text("SH2023-0815")
    expect(page.locator("#result_list")).not_to_contain_text("SH2025-0101")
    page.check(f"input.action-select[value='{expired.pk}']")
    page.select_option("select[name=action]", "destroy_selected")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.click("button[name=index]")

    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    page.fill("textarea[name=reason]", "保存期满，经档案管理员核对后销毁")
    page.click("[data-testid=confirm-reason]")

    page.wait_for_url("**/admin/archives/destructionrecord/")
    expect(page.locator("#result_list")).to_contain_text("SH2023-0815")
    record = DestructionRecord.objects.get()
    assert (record.group_number, record.approved_by_id, record.file_count) == (
        "SH2023-0815",
        custodian1.pk,
        1,
    )
    expired.refresh_from_db()
    still_kept.refresh_from_db()
    assert expired.status == ArchiveStatus.DESTROYED
    assert still_kept.status == ArchiveStatus.OPEN
