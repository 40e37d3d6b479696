"""Moving in (issue 11) in a real browser: a rep uploads the workbook Chinese Excel saved
(a merged title row, Chinese headers, an ID number Excel turned into a number, a bad
mobile), maps, checks, sees the refused rows and imports the valid rows only; then a GBK
CSV whose check runs "in the background", the progress bar waiting for it and showing
the result by itself. Every import page fits a 390 px phone without sideways scrolling.

The README's picture of the check page is saved as import-check.png (`make screenshots`);
with CRM_LAYOUT_SHOTS_DIR set each page is also photographed in both languages at 1366
and 390 px."""

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import ImportJob, ImportStatus
from imports.tasks import import_job_run
from tests.browser.layouts import photograph_layouts, set_language
from tests.conftest import screenshots_dir
from tests.factories import PASSWORD, make_id_number

SCREENSHOTS = screenshots_dir()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["客户姓名", "手机号", "身份证号码", "城市", "备注"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户名单"
    sheet.append(["华东组 2026 年客户名单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    sheet.append(["林晓燕", "13800138000", make_id_number(1), "上海", "老客户"])
    sheet.append(["陈志强", 13900139000, make_id_number(2), "杭州", ""])  # a mobile as a number
    sheet.append(["欧阳娜娜", "1390013", "", "南京", "号码不全"])
    sheet.append(["赵敏", "13700137000", 1.10105198506150e17, "北京", "身份证被转成数字"])
    sheet.append(["周杰", "＋86 136-0013-6000", "", "苏州", ""])  # full-width +, dashes
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def gbk_csv_bytes() -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(
        [
            ["姓名", "手机", "城市"],
            ["钱学森", "13500135000", "上海"],
            ["吴健雄", "13600136001", "苏州"],
        ]
    )
    return text.getvalue().encode("gbk")


def sign_in(page, live_server, user):
    set_language(page, live_server, "en")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")  # the home page


def fits_a_phone(page, what: str) -> None:
    """At 390 px the page scrolls down, never sideways (tables scroll inside their box)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: {widths[0]} px wide on a {widths[1]} px phone"
    page.set_viewport_size(size)


def upload(page, live_server, name: str, content: bytes, mime: str) -> None:
    page.goto(f"{live_server.url}/imports/new/")
    page.select_option("#import-upload select[name=kind]", "customers")
    page.set_input_files(
        "#import-upload input[type=file]", {"name": name, "mimeType": mime, "buffer": content}
    )
    page.click("#import-upload button[type=submit]")
    expect(page.locator("h1")).to_have_text("Map the columns")


def test_a_rep_moves_in_a_workbook_and_a_gbk_csv(live_server, page, sales1, monkeypatch):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, sales1)

    # The Data menu leads to the imports page.
    page.get_by_test_id("data-menu").locator(".dropdown-toggle").click()
    page.get_by_test_id("imports-menu").click()
    expect(page.locator("h1")).to_have_text("Imports")
    fits_a_phone(page, "imports page")
    page.get_by_test_id("new-import").click()
    expect(page.locator("#import-upload")).to_be_visible()
    fits_a_phone(page, "upload page")
    photograph_layouts(
        page, live_server, "import-upload", lambda: page.goto(f"{live_server.url}/imports/new/")
    )

    # A workbook: the header is found under the merged title, the columns pre-mapped.
    upload(page, live_server, "华东组客户.xlsx", workbook_bytes(),
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    job = ImportJob.objects.get()
    map_url = page.url
    mapping = page.get_by_test_id("mapping")
    expect(mapping.locator("select").nth(0)).to_have_value("name")
    expect(mapping.locator("select").nth(1)).to_have_value("mobile")
    expect(mapping.locator("select").nth(2)).to_have_value("id_number")
    expect(page.get_by_test_id("file-facts")).to_contain_text("found in row 2")
    fits_a_phone(page, "map page")
    photograph_layouts(page, live_server, "import-map", lambda: page.goto(map_url))
    # The remarks column stays out of the archive.
    mapping.locator("select").nth(4).select_option("")
    page.get_by_test_id("check").click()

    # The check: three new rows, two refused, each problem with the row Excel shows.
    expect(page.locator("h1")).to_have_text("Check result")
    counts = page.get_by_test_id("import-counts")
    expect(counts.locator("[data-count=new]")).to_have_text("3")
    expect(counts.locator("[data-count=refused]")).to_have_text("2")
    problems = page.get_by_test_id("problems")
    expect(problems.locator("tbody tr")).to_have_count(2)
    row_numbers = problems.locator("tbody tr td:first-child")
    assert [cell.strip() for cell in row_numbers.all_inner_texts()] == ["5", "6"]
    expect(problems.locator("tbody tr").nth(0)).to_contain_text("1390013")
    expect(problems.locator("tbody tr").nth(1)).to_contain_text("digits")
    expect(page.get_by_test_id("commit-all")).to_be_disabled()
    assert not Customer.objects.exists()
    fits_a_phone(page, "check result")
    check_url = page.url
    photograph_layouts(page, live_server, "import-check", lambda: page.goto(check_url))
    set_language(page, live_server, "zh-hans")
    page.goto(check_url)
    page.screenshot(path=str(SCREENSHOTS / "import-check.png"), full_page=True)
    set_language(page, live_server, "en")
    page.goto(check_url)

    # Import the valid rows only: asked first, then written.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("commit-valid").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("3 rows were imported.")
    assert set(Customer.objects.filter(owner=sales1).values_list("mobile", flat=True)) == {
        "13800138000", "13900139000", "13600136000"
    }  # fmt: skip
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.valid_only
    fits_a_phone(page, "import result")
    done_url = page.url
    photograph_layouts(page, live_server, "import-done", lambda: page.goto(done_url))
    with page.expect_download() as download:
        page.locator("a[href$='refused.xlsx']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as saved:
        refused = openpyxl.load_workbook(io.BytesIO(saved.read())).active
    assert [row[0] for row in refused.iter_rows(min_row=2, values_only=True)] == [
        "欧阳娜娜", "赵敏"
    ]  # fmt: skip
    page.get_by_test_id("to-customers").click()
    expect(page.locator("table.customers")).to_contain_text("林晓燕")

    # A GBK CSV, its check queued for a worker: the page waits, then shows the result.
    queued = []
    monkeypatch.setattr("imports.views.import_job_run.delay", lambda *args: queued.append(args))
    upload(page, live_server, "客户.csv", gbk_csv_bytes(), "text/csv")
    expect(page.get_by_test_id("encoding")).to_have_text("Read as GB18030")
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("import-progress")).to_contain_text("Waiting for the import worker")
    fits_a_phone(page, "progress")
    page.goto(f"{live_server.url}/imports/")  # leave, and come back
    csv_job = ImportJob.objects.latest("pk")
    page.goto(f"{live_server.url}/imports/{csv_job.pk}/")
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    progress_url = page.url
    photograph_layouts(page, live_server, "import-progress", lambda: page.goto(progress_url))
    assert queued == [(csv_job.pk, "check")]
    import_job_run(*queued[0])  # the worker runs it
    expect(page.locator("h1")).to_have_text("Check result", timeout=10000)
    expect(page.get_by_test_id("import-counts").locator("[data-count=new]")).to_have_text("2")
    expect(page.get_by_test_id("commit-all")).to_be_enabled()
    page.get_by_test_id("commit-all").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    import_job_run(*queued[1])
    expect(page.get_by_test_id("import-done")).to_contain_text("2 rows were imported.")
    assert Customer.objects.filter(name="钱学森", mobile="13500135000").exists()

    # The imports page lists both, with what came of them.
    page.goto(f"{live_server.url}/imports/")
    rows = page.get_by_test_id("import-list").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("华东组客户.xlsx")
    expect(rows.nth(1)).to_contain_text("2 refused rows left out")
    fits_a_phone(page, "imports page with imports")
    photograph_layouts(
        page, live_server, "import-list", lambda: page.goto(f"{live_server.url}/imports/")
    )
