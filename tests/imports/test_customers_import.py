"""Importing customers: the spreadsheet traps, all-or-nothing, valid-only, idempotence,
updates with history, 撞单 and who may import what."""

import datetime

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import AuditAction, AuditEntry, Customer
from imports.models import ImportStatus
from imports.selectors import report_problems
from imports.services import (
    import_job_check,
    import_job_commit,
    import_job_create,
    import_job_map,
    import_refused_rows_xlsx,
)
from tests.factories import CustomerFactory, OrganisationFactory, make_id_number
from tests.imports.conftest import csv_file, xlsx

HEADER = ["姓名", "手机", "身份证号码", "生日", "城市 "]


def messages(report, language="en"):
    return [(p["row"], p["column"], p["message"][language]) for p in report["problems"]]


def create(actor, rows, **kwargs):
    shape = {k: kwargs.pop(k) for k in ("title_rows", "sheet", "extra_sheets") if k in kwargs}
    upload = xlsx(rows, **shape)
    return import_job_create(
        actor=actor, upload=upload, kind=kwargs.pop("kind", "customers"), **kwargs
    )


def test_merged_title_blank_rows_and_trailing_spaces(sales1):
    job = create(
        sales1,
        [HEADER, ["张三 ", "138 0013 8000", make_id_number(1), "", "北京 "], [],
         ["", "", "", "", ""], ["李四", "+86 139-0013-9000", "", "2024/3/5", ""]],
        title_rows=["华东组 2024 年客户名单", "（内部资料）"],
    )  # fmt: skip
    assert job.header_row == 3
    assert job.mapping["城市"] == "city"
    assert job.mapping["姓名"] == "name" and job.mapping["手机"] == "mobile"
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "refused": 0}
    zhang = Customer.objects.get(name="张三")
    assert (zhang.mobile, zhang.city, zhang.owner) == ("13800138000", "北京", sales1)
    assert zhang.birthday == datetime.date(1985, 6, 15)  # from the ID number
    assert Customer.objects.get(name="李四").mobile == "13900139000"


def test_id_number_excel_made_a_number_says_digits_lost_not_check_digit(sales1):
    job = create(sales1, [HEADER, ["张三", "13800138000", 110105198506150014.0, "", ""],
                          ["李四", "13800138001", "1.10105E+17", "", ""]])  # fmt: skip
    report = import_job_check(actor=sales1, job=job)
    assert report["counts"]["refused"] == 2
    for _row, column, message in messages(report):
        assert column == "身份证号码"
        assert (
            "lost its last digits" in message and "Format the ID number column as Text" in message
        )
        assert "check digit" not in message
    assert set(report["problems"][0]["message"]) == {"zh-hans", "en"}
    assert report["problems"][1]["value"] == "1.10105E+17"


def test_a_row_refused_while_read_reports_its_other_problems_too(sales1):
    """As a form shows every field's error: the row whose ID number Excel mangled also
    says its mobile is short, so one round of fixes is enough."""
    job = create(sales1, [HEADER, ["张三", "1390013", "1.10105E+17", "", ""],
                          ["李四", "1390014", make_id_number(2), "", ""]])  # fmt: skip
    report = import_job_check(actor=sales1, job=job)
    assert report["counts"]["refused"] == 2
    found = messages(report)
    assert [(row, column) for row, column, _message in found] == [
        (2, "身份证号码"),
        (2, "手机"),
        (3, "手机"),
    ]
    assert "lost its last digits" in found[0][2]
    assert found[1][2] == found[2][2]  # the same rule, the same words


def test_mobiles_as_numbers_full_width_digits_and_dates_in_every_spelling(sales1):
    rows = [
        ["姓名", "手机", "结婚纪念日"],
        ["甲", 13800138000, "2024/3/5"],
        ["乙", "１３８００１３８００１", "2024-03-05"],
        ["丙", "0086 138 0013 8002", "2024年3月5日"],
        ["丁", "138-0013-8003", "20240305"],
        ["戊", "13800138004", 45356],  # an Excel serial number
        ["己", "13800138005", datetime.date(2024, 3, 5)],
    ]
    job = create(sales1, rows)
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 6, report["problems"]
    assert set(Customer.objects.values_list("wedding_anniversary", flat=True)) == {
        datetime.date(2024, 3, 5)
    }
    assert sorted(Customer.objects.values_list("mobile", flat=True)) == [
        f"1380013800{n}" for n in range(6)
    ]


def test_bad_values_get_precise_messages_and_nothing_crashes(sales1):
    rows = [
        ["姓名", "手机", "生日", "客户类型", "邮编"],
        ["甲", "12345", "", "", ""],
        ["乙", "13800138001", "明年春天", "", ""],
        ["丙", "13800138002", "", "外星人", ""],
        ["", "13800138003", "", "", ""],
        ["戊", "13800138004", "", "企业客户", "12"],
    ]
    report = import_job_check(actor=sales1, job=create(sales1, rows))
    found = messages(report)
    assert (2, "手机", "Enter a mainland mobile number: 11 digits starting with 13–19.") in found
    assert any(r == 3 and c == "生日" and "is not a date" in m for r, c, m in found)
    assert any(r == 4 and c == "客户类型" and "is not one of" in m for r, c, m in found)
    assert (5, "姓名", "This column is required.") in found
    assert (6, "邮编", "A postal code has 6 digits.") in found


def test_english_headers_on_the_chosen_sheet(sales1):
    upload = xlsx(
        [["说明：第二张表"]],
        sheet="说明",
        extra_sheets={"Customers": [["Name", "Mobile", "ID number", "City"],
                                    ["Zhang San", "13800138000", make_id_number(2), "Beijing"]]},
    )  # fmt: skip
    job = import_job_create(actor=sales1, upload=upload, kind="customers")
    assert job.sheets == ["说明", "Customers"]
    job = import_job_map(actor=sales1, job=job, mapping={}, sheet="Customers")
    assert job.mapping == {"Name": "name", "Mobile": "mobile", "ID number": "id_number",
                           "City": "city"}  # fmt: skip
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 1
    assert Customer.objects.get().city == "Beijing"


@pytest.mark.parametrize(
    ("encoding", "shown"),
    [("gbk", "GB18030"), ("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8")],
)
def test_csv_as_chinese_excel_saves_it(sales1, encoding, shown):
    rows = [["客户名称", "手机号", "地址"]] + [
        [f"北京华夏旅游用品有限公司{n}", f"1380013800{n}", "北京市朝阳区建国路88号"]
        for n in range(5)
    ]
    upload = csv_file(rows, encoding=encoding)
    job = import_job_create(actor=sales1, upload=upload, kind="customers")
    assert job.encoding == shown
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 5
    assert report["encoding"] == shown
    assert Customer.objects.filter(street_address="北京市朝阳区建国路88号").count() == 5


def test_not_a_spreadsheet_is_refused_with_a_clear_message(sales1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a sheet")
    with pytest.raises(ValidationError) as caught:
        import_job_create(actor=sales1, upload=upload, kind="customers")
    assert "not an Excel workbook (.xlsx) or a CSV file" in caught.value.messages[0]
    broken = SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken zip")
    with pytest.raises(ValidationError) as caught:
        import_job_create(actor=sales1, upload=broken, kind="customers")
    assert "could not be read" in caught.value.messages[0]
    empty = SimpleUploadedFile("x.csv", b"")
    with pytest.raises(ValidationError, match="no rows"):
        import_job_create(actor=sales1, upload=empty, kind="customers")


def test_all_or_nothing_then_valid_only_with_the_refused_rows_to_download(sales1):
    rows = [HEADER, ["甲", "13800138000", "", "", ""], ["乙", "1380013", "", "", ""],
            ["丙", "13800138002", "", "", ""]]  # fmt: skip
    job = create(sales1, rows)
    report = import_job_commit(actor=sales1, job=job)
    assert report["committed"] is False and report["counts"]["refused"] == 1
    assert Customer.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED

    report = import_job_commit(actor=sales1, job=job, valid_only=True)
    assert report["committed"] is True and report["committed_rows"] == 2
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["丙", "甲"]
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.valid_only

    import io

    workbook = openpyxl.load_workbook(io.BytesIO(import_refused_rows_xlsx(job=job)))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:5] == [*HEADER[:4], "城市"]
    assert values[1][:2] == ["乙", "1380013"]
    assert "mainland mobile" in values[1][5]
    assert values[1][6] == 3  # the row in the original file
    assert len(values) == 2


def test_the_same_file_twice_changes_nothing(sales1):
    rows = [[*HEADER, "标签", "希望去的地方"],
            ["甲", "13800138000", make_id_number(3), "", "上海", "VIP、老客户", "三亚,日本"],
            ["乙", "13800138001", "", "1990-01-02", "", "", ""]]  # fmt: skip
    first = import_job_commit(actor=sales1, job=create(sales1, rows))
    assert first["counts"]["new"] == 2
    history = Customer.history.count()
    audits = AuditEntry.objects.exclude(object_type="import").count()
    second = import_job_commit(actor=sales1, job=create(sales1, rows))
    assert second["counts"] == {"new": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert Customer.history.count() == history
    assert AuditEntry.objects.exclude(object_type="import").count() == audits
    jia = Customer.objects.get(name="甲")
    assert sorted(jia.tags.values_list("name", flat=True)) == ["VIP", "老客户"]
    assert sorted(jia.desired_destinations.values_list("name", flat=True)) == ["三亚", "日本"]


def test_a_changed_row_updates_the_customer_and_its_history(sales1):
    customer = CustomerFactory(
        owner=sales1, name="孙悦", mobile="13800138000", city="北京", occupation="教师"
    )
    rows = [["姓名", "手机", "城市", "职业"], ["孙悦", "13800138000", "上海", ""]]
    report = import_job_commit(actor=sales1, job=create(sales1, rows))
    assert report["counts"]["updated"] == 1
    customer.refresh_from_db()
    assert customer.city == "上海"
    # An empty cell leaves what is on file: an import never erases.
    assert customer.occupation == "教师"
    latest = customer.history.latest()
    assert latest.history_user == sales1 and latest.city == "上海"
    change = AuditEntry.objects.get(action=AuditAction.CHANGE, object_id=str(customer.pk))
    assert change.detail["fields"] == ["city"]


def test_someone_elses_customer_is_refused_naming_only_the_owner(sales1, sales3, manager1):
    theirs = CustomerFactory(owner=sales3, name="钱多多", mobile="13900000001", city="天津")
    rows = [["姓名", "手机", "城市"], ["钱多多", "13900000001", "上海"]]
    report = import_job_commit(actor=sales1, job=create(sales1, rows))
    assert report["counts"]["refused"] == 1
    [(_row, _column, message)] = messages(report)
    assert message == "A customer with this mobile number is already on file, owned by 张伟."
    assert "天津" not in str(report)
    assert "张伟" in report["problems"][0]["message"]["zh-hans"]
    theirs.refresh_from_db()
    assert theirs.city == "天津"
    # A manager may update it (the customer keeps its owner).
    report = import_job_commit(actor=manager1, job=create(manager1, rows))
    assert report["counts"]["updated"] == 1
    theirs.refresh_from_db()
    assert (theirs.city, theirs.owner) == ("上海", sales3)


def test_duplicates_inside_the_file(sales1):
    rows = [["单位名称", "客户类型", "手机"], ["华夏科技有限公司", "企业客户", ""],
            ["华夏科技 有限公司", "corporate", ""], ["王五", "", "13800138000"],
            ["王六", "", "138 0013 8000"]]  # fmt: skip
    report = import_job_check(actor=sales1, job=create(sales1, rows))
    found = messages(report)
    assert [(r, m) for r, _c, m in found] == [
        (3, "The same name as row 2 of this file."),
        (5, "The same mobile as row 4 of this file."),
    ]


def test_who_may_import_whose_customers(sales1, sales2, sales3, lead1, manager1):
    rows = [["姓名", "手机", "负责人"], ["甲", "13800138000", "sales2"]]
    # A rep imports into their own book only.
    report = import_job_check(actor=sales1, job=create(sales1, rows))
    assert messages(report)[0][2] == "sales2 is not a rep you may give customers to."
    with pytest.raises(ValidationError):
        create(sales1, rows, owner=sales2)
    # A team lead into their team, not another team.
    assert import_job_commit(actor=lead1, job=create(lead1, rows))["counts"]["new"] == 1
    assert Customer.objects.get(name="甲").owner == sales2
    other = [["姓名", "手机", "负责人"], ["乙", "13800138001", "张伟"]]
    assert import_job_check(actor=lead1, job=create(lead1, other))["counts"]["refused"] == 1
    # A manager for anyone: by the owner column or a chosen owner.
    assert import_job_commit(actor=manager1, job=create(manager1, other))["counts"]["new"] == 1
    assert Customer.objects.get(name="乙").owner == sales3
    chosen = create(manager1, [["姓名", "手机"], ["丙", "13800138002"]], owner=sales3)
    import_job_commit(actor=manager1, job=chosen)
    assert Customer.objects.get(name="丙").owner == sales3


def test_finance_and_custodians_may_not_import_customers(finance1, custodian1):
    for user in (finance1, custodian1):
        with pytest.raises(PermissionDenied):
            create(user, [["姓名"], ["甲"]])


def test_checks_and_commits_are_audited_with_file_and_rows(sales1):
    job = create(sales1, [["姓名", "手机"], ["甲", "13800138000"], ["乙", "13800138001"]])
    import_job_check(actor=sales1, job=job)
    import_job_commit(actor=sales1, job=job)
    check = AuditEntry.objects.get(action=AuditAction.IMPORT_CHECK)
    commit = AuditEntry.objects.get(action=AuditAction.IMPORT)
    for entry in (check, commit):
        assert entry.actor == sales1 and entry.object_type == "import"
        assert entry.detail["file"] == "客户.xlsx" and entry.detail["rows"] == 2
    assert commit.detail["committed"] is True and check.detail["committed"] is False
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="customer").count() == 2


def test_an_organisation_is_matched_by_its_name(sales1):
    org = OrganisationFactory(owner=sales1, name="华夏科技有限公司", mobile="", city="北京")
    rows = [["单位名称", "客户类型", "城市"], ["华夏科技 有限公司", "企业客户", "深圳"]]
    report = import_job_commit(actor=sales1, job=create(sales1, rows))
    assert report["counts"]["updated"] == 1
    org.refresh_from_db()
    assert org.city == "深圳"


def test_report_problems_in_the_readers_language(sales1):
    job = create(sales1, [["姓名", "手机"], ["甲", "123"]])
    import_job_check(actor=sales1, job=job)
    job.refresh_from_db()
    [english] = report_problems(job, "en")
    [chinese] = report_problems(job, "zh-hans")
    assert english["row"] == 2 and english["column"] == "手机" and english["value"] == "123"
    assert english["message"].startswith("Enter a mainland mobile")
    assert chinese["message"] != english["message"]
