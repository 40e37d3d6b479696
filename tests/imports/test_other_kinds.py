"""Bookings, contact people and contact records; the template; the task; the command."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from customers.models import AuditAction, AuditEntry, Booking, ContactPerson, ContactRecord
from imports.models import ImportJob, ImportStatus
from imports.services import (
    import_job_check,
    import_job_commit,
    import_job_create,
    import_template_xlsx,
)
from imports.tasks import import_job_run
from loyalty.models import EntryKind, LedgerEntry
from tests.factories import CustomerFactory, OrganisationFactory, make_id_number
from tests.imports.conftest import xlsx

BOOKING_HEADER = ["订单号", "身份证号码", "产品名称", "目的地", "出行类型", "出发日期", "返回日期",
                  "人数", "金额", "成本", "付款日期", "状态"]  # fmt: skip


def messages(report):
    return [(p["row"], p["column"], p["message"]["en"]) for p in report["problems"]]


@pytest.fixture
def traveller(sales1):
    return CustomerFactory(owner=sales1, name="孙悦", id_number=make_id_number(42),
                           mobile="13800138042")  # fmt: skip


def booking_row(number, id_number, amount="¥8,000.00", status="已付款", paid="2026/3/1"):
    return [number, id_number, "三亚五日游", "三亚", "国内", "2026年3月10日", 20260314, 2,
            amount, "6500元", paid, status]  # fmt: skip


def test_bookings_with_amounts_and_dates_as_spreadsheets_hold_them(sales1, traveller):
    rows = [BOOKING_HEADER, booking_row("bk-001", traveller.id_number),
            booking_row("BK-002", traveller.id_number, amount=12345.5, status="已预订",
                        paid="")]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="bookings")
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 2, report["problems"]
    first = Booking.objects.get(source="import", source_number="BK-001")
    assert (first.amount, first.cost) == (Decimal("8000.00"), Decimal("6500.00"))
    assert (first.start_date, first.end_date) == (
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 14),
    )
    assert first.status == "paid" and first.paid_date == datetime.date(2026, 3, 1)
    assert first.customer == traveller and first.created_by == sales1
    assert Booking.objects.get(source_number="BK-002").amount == Decimal("12345.50")
    assert first.history.latest().history_user == sales1


def test_imported_paid_bookings_earn_points_once(sales1, traveller):
    rows = [BOOKING_HEADER, booking_row("BK-1", traveller.id_number)]
    upload = xlsx(rows)
    today = datetime.date(2026, 11, 23)
    job = import_job_create(actor=sales1, upload=upload, kind="bookings")
    import_job_commit(actor=sales1, job=job, today=today)
    earned = LedgerEntry.objects.filter(kind=EntryKind.EARN, booking__source_number="BK-1")
    assert earned.count() == 1 and earned.get().points > 0
    again = import_job_create(actor=sales1, upload=xlsx(rows), kind="bookings")
    report = import_job_commit(actor=sales1, job=again, today=today)
    assert report["counts"]["unchanged"] == 1
    assert LedgerEntry.objects.filter(booking__source_number="BK-1").count() == 1


def test_a_changed_booking_is_updated_the_same_again_is_unchanged(sales1, traveller):
    rows = [BOOKING_HEADER, booking_row("BK-1", traveller.id_number)]
    import_job_commit(actor=sales1, job=import_job_create(actor=sales1, upload=xlsx(rows),
                                                          kind="bookings"))  # fmt: skip
    changed = [BOOKING_HEADER, booking_row("BK-1", traveller.id_number, amount="9,000")]
    job = import_job_create(actor=sales1, upload=xlsx(changed), kind="bookings")
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["updated"] == 1
    booking = Booking.objects.get()
    assert booking.amount == Decimal("9000.00")
    assert booking.history.count() == 2
    assert AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="booking").detail[
        "fields"
    ] == ["amount"]


def test_booking_rows_that_cannot_go_in(sales1, sales3, traveller):
    theirs = CustomerFactory(owner=sales3, id_number=make_id_number(43))
    rows = [
        BOOKING_HEADER,
        booking_row("BK-1", theirs.id_number),
        booking_row("BK-2", make_id_number(44)),
        booking_row("BK-3", traveller.id_number, status="已付款", paid=""),
        booking_row("BK-3", traveller.id_number),
    ]
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="bookings")
    found = messages(import_job_check(actor=sales1, job=job))
    assert (
        2,
        "",
        "This customer is looked after by 张伟; you may not record this for them.",
    ) in found
    assert any(r == 3 and "No customer on file" in m for r, _c, m in found)
    assert (4, "付款日期", "A paid booking needs the date it was paid.") in found
    assert (5, "订单号", "Booking number BK-3 is also in row 4 of this file.") in found


def test_contact_people_of_organisations(sales1):
    org = OrganisationFactory(owner=sales1, name="华夏科技有限公司")
    rows = [["单位名称", "联系人", "职务", "手机", "主要联系人"],
            ["华夏科技有限公司", "李娜", "行政经理", "139 0013 9000", "是"],
            ["不存在的公司", "王强", "", "", ""]]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="contacts")
    report = import_job_commit(actor=sales1, job=job, valid_only=True)
    assert report["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "refused": 1}
    person = ContactPerson.objects.get()
    assert (person.customer, person.mobile, person.is_primary) == (org, "13900139000", True)
    again = import_job_create(actor=sales1, upload=xlsx(rows[:2]), kind="contacts")
    assert import_job_commit(actor=sales1, job=again)["counts"]["unchanged"] == 1


def test_a_contact_row_refused_while_read_reports_its_other_problems_too(sales1):
    OrganisationFactory(owner=sales1, name="华夏科技有限公司")
    rows = [["单位名称", "联系人", "手机", "主要联系人"],
            ["华夏科技有限公司", "李娜", "1390013", "也许"]]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="contacts")
    report = import_job_check(actor=sales1, job=job)
    assert [(row, column) for row, column, _message in messages(report)] == [
        (2, "主要联系人"),
        (2, "手机"),
    ]


def test_contact_records(sales1, traveller):
    rows = [["手机", "联系方式", "联系时间", "结果", "内容"],
            ["13800138042", "电话", "2026-03-05 10:30", "已接通并沟通", "想去日本"],
            ["13800138042", "电话", "2099-01-01", "已接通并沟通", ""]]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="records")
    assert job.mapping["手机"] == "customer_mobile" and job.mapping["联系方式"] == "channel"
    report = import_job_commit(actor=sales1, job=job, valid_only=True)
    assert report["counts"]["new"] == 1
    assert messages(report) == [(3, "联系时间", "A contact cannot be logged in the future.")]
    record = ContactRecord.objects.get()
    assert (record.by, record.notes, record.customer) == (sales1, "想去日本", traveller)
    assert record.contacted_at.hour == 2  # 10:30 in Shanghai is 02:30 UTC
    again = import_job_create(actor=sales1, upload=xlsx(rows[:2]), kind="records")
    assert import_job_commit(actor=sales1, job=again)["counts"]["unchanged"] == 1


def test_the_template_has_drop_downs_an_example_and_chinese_notes(sales1):
    workbook = openpyxl.load_workbook(io.BytesIO(import_template_xlsx(kind="bookings")))
    data, notes = workbook.worksheets
    headers = [cell.value for cell in data[1]]
    # Headers in the office language, required ones starred: the booking number at source.
    with translation.override(settings.LANGUAGE_CODE):
        assert f"{gettext('booking number at source')}*" in headers
    assert "来源系统订单号*" in headers
    formulas = [validation.formula1 for validation in data.data_validations.dataValidation]
    assert any("Paid" in f or "已付款" in f for f in formulas)
    assert data.max_row >= 2 and notes.max_row > len(headers)
    # The template, as downloaded and filled in, imports.
    CustomerFactory(owner=sales1, id_number="", sex="", mobile="13800138000", name="张伟")
    buffer = io.BytesIO(import_template_xlsx(kind="bookings"))
    upload = SimpleUploadedFile("模板.xlsx", buffer.getvalue())
    job = import_job_create(actor=sales1, upload=upload, kind="bookings")
    assert all(job.mapping[header] for header in job.headers), job.mapping
    report = import_job_check(actor=sales1, job=job)
    assert report["counts"]["new"] == 1, report["problems"]


def test_the_task_runs_and_marks_a_broken_run_failed(sales1, monkeypatch):
    job = import_job_create(actor=sales1, upload=xlsx([["姓名"], ["甲"]]), kind="customers")
    assert import_job_run.delay(job.pk, "check").get() == ImportStatus.CHECKED

    def broken(**kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("imports.tasks.import_job_commit", broken)
    assert import_job_run.delay(job.pk, "commit").get() == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "unexpected error" in job.error


def test_the_command_prints_the_report_and_exits_non_zero_on_refused_rows(sales1, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([["姓名", "手机"], ["甲", "13800138000"]]).read())
    out = io.StringIO()
    call_command("import_data", str(good), "--kind", "customers", "--owner", "sales1",
                 "--commit", stdout=out)  # fmt: skip
    assert "1 rows: 1 new" in out.getvalue() and "Imported: 1 row(s) written." in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["姓名", "手机"], ["乙", "123"]]).read())
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_data", str(bad), "--kind", "customers", "--user", "sales1",
                     "--commit", stdout=out)  # fmt: skip
    assert caught.value.returncode == 1
    assert "Row 2, 手机 (123): Enter a mainland mobile number" in out.getvalue()
    assert "Nothing was written." in out.getvalue()
    assert ImportJob.objects.count() == 2


def test_the_command_refuses_a_file_bigger_than_one_import_reads(sales1, tmp_path, settings):
    settings.IMPORT_MAX_DATA_BYTES = 1024
    big = tmp_path / "big.csv"
    big.write_text("姓名,手机\n" + "张三,13800138000\n" * 100, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_data", str(big), "--kind", "customers", "--owner", "sales1")
    assert "Split it into several files" in str(caught.value)
    assert not ImportJob.objects.exists()


def test_a_saved_mapping_is_reused_by_the_command(sales1, tmp_path):
    from imports.services import import_mapping_save

    import_mapping_save(
        actor=sales1,
        kind="customers",
        name="老系统导出",
        mapping={"客户全称": "name", "电话1": "mobile"},
    )
    path = tmp_path / "old.xlsx"
    path.write_bytes(xlsx([["客户全称", "电话1"], ["甲", "13800138000"]]).read())
    out = io.StringIO()
    call_command("import_data", str(path), "--kind", "customers", "--user", "sales1",
                 "--mapping", "老系统导出", "--commit", stdout=out)  # fmt: skip
    assert "客户全称 → name" in out.getvalue()
    assert "1 rows: 1 new" in out.getvalue()


def test_progress_is_reported_to_the_job(sales1):
    from imports.services import import_job_progress

    rows = [["姓名", "手机"]] + [[f"客户{n}", f"138{n:08d}"] for n in range(2500)]
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="customers")
    seen = []
    write = import_job_progress(job)

    def progress(done, total):
        write(done, total)
        seen.append(ImportJob.objects.values_list("progress_done", flat=True).get(pk=job.pk))

    import_job_check(actor=sales1, job=job, progress=progress)
    assert seen == [1000, 2000, 2500]
    job.refresh_from_db()
    assert job.progress_percent == 100 and job.status == ImportStatus.CHECKED
