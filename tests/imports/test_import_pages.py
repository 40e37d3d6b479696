"""The import pages: each step in both languages, scoping (another rep's import is 404),
CSRF on every POST, a bad file's message, the status JSON, the two commit choices and
the refused-rows download through the export guard."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from customers.models import AuditAction, AuditEntry, CustodyPolicy, Customer, SecurityAlert
from imports.models import ImportJob, ImportMapping, ImportStatus
from tests.factories import make_id_number
from tests.imports.conftest import csv_file, xlsx

HEADER = ["客户姓名", "手机号", "身份证号码", "城市"]
GOOD = [
    ["林晓燕", "13800138000", make_id_number(1), "上海"],
    ["陈志强", "13900139000", make_id_number(2), "杭州"],
]
BAD = ["欧阳娜娜", "12345", "", "南京"]  # not a mainland mobile


def upload_file(client, upload, kind="customers", **extra):
    return client.post(reverse("imports:upload"), {"kind": kind, "file": upload, **extra})


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """The background run is queued on commit; the eager default runs it right there."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def mapping_post(job, action="check", **extra):
    data = {f"col_{i}": job.mapping.get(header, "") for i, header in enumerate(job.headers)}
    return {**data, "action": action, **extra}


@pytest.fixture
def checked_job(client_as, sales1, run_on_commit):
    """sales1's file of two good rows and one refused, checked."""
    client = client_as(sales1)
    response = upload_file(client, xlsx([HEADER, *GOOD, BAD]))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:map", args=[job.pk])
    response = run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    assert response.url == reverse("imports:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    return job


def test_menu_shows_imports_to_reps_leads_and_managers_only(client_as, staff):
    for name in ("sales1", "lead1", "manager1", "finance1"):
        page = client_as(staff[name]).get(reverse("customers:list")).content.decode()
        assert reverse("imports:list") in page, name
    for name in ("custodian1",):
        page = client_as(staff[name]).get(reverse("customers:list")).content.decode()
        assert reverse("imports:list") not in page
        assert client_as(staff[name]).get(reverse("imports:list")).status_code == 404
        assert client_as(staff[name]).get(reverse("imports:upload")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_list_and_upload_pages_in_both_languages(client_as, sales1, settings, language):
    client = client_as(sales1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        words = [gettext("New import"), gettext("Templates"), gettext("Customers"),
                 gettext("Before you upload")]  # fmt: skip
    page = client.get(reverse("imports:list")).content.decode()
    assert f'<html lang="{language}">' in page
    for word in words[:3]:
        assert word in page
    upload_page = client.get(reverse("imports:upload")).content.decode()
    assert words[3] in upload_page
    assert 'enctype="multipart/form-data"' in upload_page
    assert 'name="owner"' not in upload_page  # a rep imports for themselves


def test_managers_and_leads_choose_the_owner_from_their_own_choices(client_as, lead1, sales1,
                                                                     sales3, manager1):  # fmt: skip
    page = client_as(lead1).get(reverse("imports:upload")).content.decode()
    assert 'name="owner"' in page
    assert sales1.display_name in page and sales3.display_name not in page
    page = client_as(manager1).get(reverse("imports:upload")).content.decode()
    assert sales3.display_name in page
    # A lead cannot give the new customers to another team's rep (posted by hand).
    response = upload_file(client_as(lead1), xlsx([HEADER, *GOOD]), owner=sales3.pk)
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_whole_way_in_english(client_as, sales1, run_on_commit):
    client = client_as(sales1)
    upload_file(client, xlsx([HEADER, *GOOD, BAD], title_rows=["华东组客户名单"]))
    job = ImportJob.objects.get()
    map_page = client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert "Map the columns" in map_page
    assert "found in row 2" in map_page  # the merged title row above the header
    assert '<option value="mobile" selected>' in map_page  # the suggestion is pre-filled

    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    result = client.get(reverse("imports:detail", args=[job.pk]))
    page = result.content.decode()
    assert "Check result" in page
    counts = result.context["counts"]
    assert counts == {"new": 2, "updated": 0, "unchanged": 0, "refused": 1}
    problem = result.context["problems"][0]
    assert problem["row"] == 5  # title row, header row, two good rows: the row Excel shows
    assert problem["value"] == "12345"
    assert "mobile" in problem["message"].lower()
    assert "Import the valid rows only" in page
    assert 'data-testid="commit-all" disabled' in page  # all-or-nothing is off
    assert not Customer.objects.exists()  # the check writes nothing

    # "Import" by hand anyway: refused, nothing written.
    response = run_on_commit(client, reverse("imports:commit", args=[job.pk]), {"choice": "all"})
    assert response.status_code == 302
    assert not Customer.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("import the valid rows only" in m for m in messages)

    run_on_commit(client, reverse("imports:commit", args=[job.pk]), {"choice": "valid"})
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.valid_only
    assert set(Customer.objects.values_list("name", flat=True)) == {"林晓燕", "陈志强"}
    done = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "2 rows were imported." in done
    assert reverse("customers:list") in done
    assert reverse("imports:refused_rows", args=[job.pk]) in done
    listing = client.get(reverse("imports:list")).content.decode()
    assert "客户.xlsx" in listing and "2 rows written" in listing


def test_check_and_result_read_in_chinese(client_as, checked_job, sales1, settings):
    client = client_as(sales1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    result = client.get(reverse("imports:detail", args=[checked_job.pk]))
    page = result.content.decode()
    assert (
        result.context["problems"][0]["message"]
        == (checked_job.report["problems"][0]["message"]["zh-hans"])
    )
    assert result.context["problems"][0]["message"] in page
    map_page = client.get(reverse("imports:map", args=[checked_job.pk])).content.decode()
    assert '<html lang="zh-hans">' in map_page


def test_import_everything_when_nothing_is_refused(client_as, sales1, run_on_commit):
    client = client_as(sales1)
    upload_file(client, xlsx([HEADER, *GOOD]))
    job = ImportJob.objects.get()
    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="commit-all" disabled' not in page
    assert "No problems found." in page
    run_on_commit(client, reverse("imports:commit", args=[job.pk]), {"choice": "all"})
    assert Customer.objects.filter(owner=sales1).count() == 2
    # The same file again: nothing new, nothing changed.
    upload_file(client, xlsx([HEADER, *GOOD]))
    again = ImportJob.objects.latest("pk")
    run_on_commit(client, reverse("imports:map", args=[again.pk]), mapping_post(again))
    result = client.get(reverse("imports:detail", args=[again.pk]))
    assert result.context["counts"] == {"new": 0, "updated": 0, "unchanged": 2, "refused": 0}
    run_on_commit(client, reverse("imports:commit", args=[again.pk]), {"choice": "all"})
    done = client.get(reverse("imports:detail", args=[again.pk])).content.decode()
    assert "Nothing changed: the 2 rows are on file already, as they are." in done
    assert "0 rows were imported" not in done


def test_gbk_csv_says_how_it_was_read(client_as, sales1):
    client = client_as(sales1)
    upload_file(client, csv_file([HEADER, *GOOD], encoding="gbk"))
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert "Read as GB18030" in page
    assert "客户姓名" in page


def _packed_small_unpacked_big(unpacked: int):
    """A real workbook with one more part of zeros: a few KB on the wire, `unpacked`
    bytes once unpacked (the shape of a zip bomb)."""
    import zipfile

    buffer = io.BytesIO(xlsx([HEADER, *GOOD]).read())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * unpacked)
    return SimpleUploadedFile("客户.xlsx", buffer.getvalue())


def _lying_about_its_size(upload):
    """The same workbook with its padding part's sizes rewritten to 100 bytes in the local
    header and the central directory (a zip that lies to pass the directory check)."""
    import struct

    data = bytearray(upload.read())
    name = b"xl/media/padding.bin"
    local = data.find(b"PK\x03\x04")
    while local != -1:
        length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + length] == name:
            struct.pack_into("<I", data, local + 22, 100)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == name:
            struct.pack_into("<I", data, central + 24, 100)
        central = data.find(b"PK\x01\x02", central + 4)
    return SimpleUploadedFile("客户.xlsx", bytes(data))


def test_a_workbook_lying_about_its_unpacked_size_is_refused(client_as, sales1, settings):
    settings.IMPORT_MAX_DATA_BYTES = 2 * 2**20
    response = upload_file(
        client_as(sales1), _lying_about_its_size(_packed_small_unpacked_big(3 * 2**20))
    )
    assert response.status_code == 400
    assert "could not be read" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_file_with_more_data_than_one_import_reads_is_refused_before_it_is_read(
    client_as, sales1, settings, language
):
    """Bounded memory: the workbook's unpacked size (from the zip's directory) and a
    CSV's size are checked before the reader loads anything; the message says how to
    split the file, in the reader's language, and nothing is kept."""
    settings.IMPORT_MAX_DATA_BYTES = 2 * 2**20
    client = client_as(sales1)
    client.cookies["django_language"] = language
    bomb = _packed_small_unpacked_big(3 * 2**20)
    assert bomb.size < 100_000
    big_csv = csv_file([HEADER, *GOOD] + [["某人", "", "", "北京" * 20]] * 20_000)
    words = {"en": "Split it into several files", "zh-hans": "请把文件拆分"}[language]
    for upload in (bomb, big_csv):
        response = upload_file(client, upload)
        assert response.status_code == 400
        assert words in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    settings.IMPORT_MAX_DATA_BYTES = 4 * 2**20
    assert upload_file(client, _packed_small_unpacked_big(3 * 2**20)).status_code == 302


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("客户.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "not an Excel"),
        (SimpleUploadedFile("客户.xlsx", b"PK\x03\x04 broken zip"), "could not be read"),
        (SimpleUploadedFile("客户.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64), "Excel 97-2003"),
        (SimpleUploadedFile("客户.pdf", b"%PDF-1.4"), "Upload an Excel workbook"),
        (SimpleUploadedFile("空.csv", b""), "empty"),
        (SimpleUploadedFile("空.csv", "\ufeff\n\n".encode()), "no rows"),
    ],
)
def test_a_bad_file_is_a_message_on_the_form(client_as, sales1, upload, message):
    response = upload_file(client_as(sales1), upload)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert message in errors
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_another_reps_import_is_404_on_every_door(client_as, checked_job, sales1, sales3, lead1):
    pk = checked_job.pk
    for user in (sales3, lead1):
        client = client_as(user)
        for name in ("detail", "map", "status", "refused_rows"):
            assert client.get(reverse(f"imports:{name}", args=[pk])).status_code == 404, name
        assert (
            client.post(reverse("imports:commit", args=[pk]), {"choice": "valid"}).status_code
            == 404
        )
        assert (
            client.post(reverse("imports:map", args=[pk]), mapping_post(checked_job)).status_code
            == 404
        )
        assert "客户.xlsx" not in client.get(reverse("imports:list")).content.decode()
    checked_job.refresh_from_db()
    assert checked_job.status == ImportStatus.CHECKED
    assert not Customer.objects.exists()


def test_a_manager_reads_every_import_but_does_not_act_for_the_uploader(
    client_as, checked_job, manager1, run_on_commit
):
    client = client_as(manager1)
    listing = client.get(reverse("imports:list")).content.decode()
    assert "客户.xlsx" in listing and "王磊" in listing  # who imported it
    page = client.get(reverse("imports:detail", args=[checked_job.pk])).content.decode()
    assert "Check result" in page and 'data-testid="commit-choices"' not in page
    # Reading another person's refused rows is on record; the uploader's own reads are not.
    viewed = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="import")
    assert [(entry.actor, entry.object_id) for entry in viewed] == [(manager1, str(checked_job.pk))]
    run_on_commit(client, reverse("imports:commit", args=[checked_job.pk]), {"choice": "valid"})
    assert not Customer.objects.exists()


def test_every_post_needs_the_csrf_token(sales1, checked_job):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales1)
    pk = checked_job.pk
    assert upload_file(client, xlsx([HEADER, *GOOD])).status_code == 403
    assert (
        client.post(reverse("imports:map", args=[pk]), mapping_post(checked_job)).status_code == 403
    )
    assert client.post(reverse("imports:commit", args=[pk]), {"choice": "valid"}).status_code == 403
    assert ImportJob.objects.count() == 1
    assert not Customer.objects.exists()
    assert client.get(reverse("imports:commit", args=[pk])).status_code == 405


def test_status_json(client_as, checked_job, sales1):
    response = client_as(sales1).get(reverse("imports:status", args=[checked_job.pk]))
    assert response["Content-Type"] == "application/json"
    assert {"no-store", "no-cache"} & set(response["Cache-Control"].replace(",", " ").split())
    state = json.loads(response.content)
    assert state["status"] == "checked" and state["running"] is False
    assert state["done"] == state["total"] == 3
    assert state["percent"] == 100
    assert state["url"] == reverse("imports:detail", args=[checked_job.pk])


def test_a_queued_run_shows_a_progress_bar_that_survives_coming_back(
    client_as, sales1, monkeypatch, run_on_commit
):
    """With a real worker the run starts later: the page waits (polling) instead of
    showing the mapping again, and so does the status JSON, until the job moves."""
    queued = []
    monkeypatch.setattr("imports.views.import_job_run.delay", lambda *args: queued.append(args))
    client = client_as(sales1)
    upload_file(client, xlsx([HEADER, *GOOD]))
    job = ImportJob.objects.get()
    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    assert queued == [(job.pk, "check")]
    client.get(reverse("imports:list"))  # leave, and come back
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "data-import-progress" in page and "js/imports.js" in page
    assert "Waiting for the import worker to start" in page
    state = client.get(reverse("imports:status", args=[job.pk])).json()
    assert state["running"] is True and state["waiting"] is True
    # The worker starts: the bar counts rows.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKING, progress_done=1, progress_total=2
    )
    state = client.get(reverse("imports:status", args=[job.pk])).json()
    assert (state["waiting"], state["done"], state["total"], state["percent"]) == (False, 1, 2, 50)
    assert state["text"] == "Checking: 1 of 2 rows"
    # Commit is refused while it runs.
    client.post(reverse("imports:commit", args=[job.pk]), {"choice": "all"})
    assert queued == [(job.pk, "check")]


def test_refused_rows_download_is_an_export_through_the_guard(client_as, checked_job, sales1):
    client = client_as(sales1)
    response = client.get(reverse("imports:refused_rows", args=[checked_job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == tuple(HEADER)
    assert rows[1][0] == "欧阳娜娜" and len(rows) == 2
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, actor=sales1)
    assert entry.detail["customer_rows"] == 1
    assert entry.object_type == "import_refused_rows"


def test_refused_rows_past_the_export_limit_deliver_nothing(client_as, checked_job, sales1):
    policy = CustodyPolicy.current()
    policy.export_row_limit = 0
    policy.save()
    response = client_as(sales1).get(reverse("imports:refused_rows", args=[checked_job.pk]))
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[checked_job.pk])
    assert SecurityAlert.objects.filter(actor=sales1).count() == 1


def test_save_and_apply_a_mapping(client_as, sales1, run_on_commit):
    client = client_as(sales1)
    upload_file(client, xlsx([["名字", "电话号", "备注"], ["林晓燕", "13800138000", "老客户"]]))
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert "Required:" in page
    # Check without a name column: the form says which required field is missing.
    response = client.post(reverse("imports:map", args=[job.pk]), mapping_post(job))
    assert response.status_code == 400
    assert "Choose a column for every required field" in response.content.decode()
    data = mapping_post(job, action="save", mapping_name="老系统导出")
    data.update({"col_0": "name", "col_1": "mobile", "col_2": ""})
    response = client.post(reverse("imports:map", args=[job.pk]), data)
    assert response.status_code == 302
    saved = ImportMapping.objects.get(name="老系统导出")
    assert saved.mapping == {"名字": "name", "电话号": "mobile", "备注": ""}

    upload_file(client, xlsx([["名字", "电话号", "备注"], ["陈志强", "13900139000", ""]]))
    second = ImportJob.objects.latest("pk")
    page = client.get(reverse("imports:map", args=[second.pk]), {"mapping": saved.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.current_targets() == ["name", "mobile", ""]
    assert client.get(reverse("imports:map", args=[second.pk]), {"mapping": 999}).status_code == 404


def test_a_workbook_with_several_sheets_chooses_one(client_as, sales1):
    client = client_as(sales1)
    upload = xlsx([["说明"], ["本表为2024年客户"]], sheet="说明",
                  extra_sheets={"客户": [HEADER, *GOOD]})  # fmt: skip
    upload_file(client, upload)
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert 'id="import-sheet"' in page
    response = client.post(
        reverse("imports:map", args=[job.pk]), {"action": "sheet", "sheet": "客户"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.sheet == "客户" and "手机号" in job.headers
    page = client.get(reverse("imports:map", args=[job.pk])).content.decode()
    assert '<option value="mobile" selected>' in page
    response = client.post(
        reverse("imports:map", args=[job.pk]), {"action": "sheet", "sheet": "无此表"}
    )
    assert response.status_code == 400


def test_templates_download_as_xlsx(client_as, sales1, finance1):
    response = client_as(sales1).get(reverse("imports:template", args=["customers"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 2
    assert client_as(sales1).get(reverse("imports:template", args=["nonsense"])).status_code == 404
    # Finance imports bookings only.
    assert (
        client_as(finance1).get(reverse("imports:template", args=["bookings"])).status_code == 200
    )
    assert (
        client_as(finance1).get(reverse("imports:template", args=["customers"])).status_code == 404
    )


def test_id_numbers_in_the_problem_table_show_the_last_four_only(client_as, sales1, run_on_commit):
    """Pages show an ID number's last four only (customers.masking), problem rows too."""
    good = make_id_number(3)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    client = client_as(sales1)
    upload_file(client, xlsx([HEADER, ["林晓燕", "13800138000", wrong_check, "上海"],
                              ["陈志强", good, "", "杭州"]]))  # fmt: skip
    job = ImportJob.objects.get()
    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    result = client.get(reverse("imports:detail", args=[job.pk]))
    values = [problem["value"] for problem in result.context["problems"]]
    assert "*" * 14 + wrong_check[-4:] in values  # the ID-number column
    assert "*" * 14 + good[-4:] in values  # an ID number typed into the mobile column
    page = result.content.decode()
    assert wrong_check not in page and good not in page


def test_the_imports_page_costs_the_same_queries_for_one_import_or_many(
    client_as, manager1, sales1, sales2, django_assert_max_num_queries
):
    for owner in (sales1, sales2, manager1):
        ImportJob.objects.create(created_by=owner, kind="customers", original_name="a.xlsx")
    client = client_as(manager1)
    client.get(reverse("imports:list"))  # warm the session and the role cache
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("imports:list"))
    for owner in (sales1, sales2) * 10:
        ImportJob.objects.create(created_by=owner, kind="bookings", original_name="b.csv")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("imports:list"))
    assert page.content.decode().count("b.csv") == 20


def test_a_run_that_breaks_off_says_so_and_offers_the_way_back(
    client_as, sales1, monkeypatch, run_on_commit
):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("imports.tasks.import_job_check", broken)
    client = client_as(sales1)
    upload_file(client, xlsx([HEADER, *GOOD]))
    job = ImportJob.objects.get()
    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    page = client.get(reverse("imports:detail", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "The import stopped" in text and "nothing was written" in text
    assert reverse("imports:map", args=[job.pk]) in text
    assert client.get(reverse("imports:status", args=[job.pk])).json()["running"] is False
    assert "Failed" in client.get(reverse("imports:list")).content.decode()


def test_a_manager_chooses_the_owner_of_new_customers(client_as, manager1, sales3, run_on_commit):
    client = client_as(manager1)
    response = upload_file(client, xlsx([HEADER, *GOOD]), owner=sales3.pk)
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:map", args=[job.pk])
    assert job.owner == sales3
    assert sales3.display_name in client.get(response.url).content.decode()
    run_on_commit(client, reverse("imports:map", args=[job.pk]), mapping_post(job))
    run_on_commit(client, reverse("imports:commit", args=[job.pk]), {"choice": "all"})
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales3"}
