"""Issue 10 in a real browser: a manager approves an earlier keep-until date on the archive
page (the history shows the edit, the request and the decision), and a rep's upload of a
Word file with macros is refused with the reason on the page.

With CRM_LAYOUT_SHOTS_DIR set, each step is also photographed in English and Chinese at
1366 and 390 px wide (used to check the layouts; the suite itself takes one picture)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives.services import tour_group_create, tour_group_update
from tests.archives.conftest import stored_files
from tests.archives.documents import doc_bytes, docx_bytes
from tests.archives.factories import TourGroupFactory
from tests.browser.layouts import photograph_layouts
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, BookingFactory

SCREENSHOTS = screenshots_dir()


def _sign_in(page, live_server, user, language="en"):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def typo_archive(custodian1, customer_of_sales1):
    booking = BookingFactory(customer=customer_of_sales1)
    tour = tour_group_create(
        actor=custodian1,
        tour=TourGroupFactory.build(
            created_by=None,
            group_number="GN20240301-007",
            product="三亚五日游",
            start_date=datetime.date(2024, 3, 1),
            end_date=datetime.date(2031, 3, 5),
        ),
        bookings=[booking],
    )
    tour.end_date = datetime.date(2031, 3, 8)  # a later date: applies at once
    tour_group_update(actor=custodian1, tour=tour, reason="行程延长三天")
    tour.end_date = datetime.date(2024, 3, 8)  # seven years earlier: waits for a manager
    tour_group_update(actor=custodian1, tour=tour, reason="回团日期录入错误，应为2024年")
    return tour.archive


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_approves_an_earlier_keep_until_date_on_the_archive_page(
    live_server, page, manager1, typo_archive
):
    _sign_in(page, live_server, manager1)
    url = f"{live_server.url}{typo_archive.get_absolute_url()}"
    page.goto(url)
    history = page.get_by_test_id("keep-until-history")
    expect(history.locator("[data-status=pending]")).to_contain_text("2033-03-08 → 2026-03-08")
    expect(history.locator("[data-status=applied]")).to_contain_text("行程延长三天")
    expect(page.get_by_test_id("retention-end")).to_contain_text("2033-03-08")
    photograph_layouts(page, live_server, "archive-keep-until-pending", lambda: page.goto(url))

    decision = page.get_by_test_id("keep-until-decision")
    decision.get_by_label("Approve").check()
    decision.locator("textarea[name=reason]").fill("已核对合同，回团日期为2024年3月8日")
    decision.get_by_role("button", name="Send decision").click()

    kept_until = timezone.localdate() + datetime.timedelta(days=30)
    expect(page.locator(".alert")).to_contain_text(f"now kept until {kept_until:%Y-%m-%d}")
    expect(page.get_by_test_id("retention-end")).to_contain_text(f"{kept_until:%Y-%m-%d}")
    expect(history.locator("[data-status=approved]")).to_contain_text("已核对合同")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "archive-keep-until.png"), full_page=True)
    photograph_layouts(page, live_server, "archive-keep-until-approved", lambda: page.goto(url))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_sees_why_a_word_file_with_macros_is_refused(
    live_server, page, sales1, typo_archive, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    macros = docx_bytes({"word/vbaProject.bin": doc_bytes({"VBA/dir": b"\x01"})})
    _sign_in(page, live_server, sales1)
    url = f"{live_server.url}{typo_archive.get_absolute_url()}"

    def upload():
        page.goto(url)
        row = page.locator("tr[data-kind=itinerary]")
        row.locator("summary").click()
        row.locator("input[type=file]").set_input_files(
            {"name": "行程安排表.docx", "mimeType": "application/octet-stream", "buffer": macros}
        )
        row.locator("button[type=submit]").click()

    upload()
    expect(page.locator("tr[data-kind=itinerary]")).to_contain_text(
        "“行程安排表.docx” contains macros (program code)."
    )
    assert stored_files(settings.PRIVATE_MEDIA_ROOT) == []
    photograph_layouts(page, live_server, "archive-upload-refused", upload)
