"""The importer's lean field validation is the model's own (the one the customer form
runs through full_clean), and an import runs a constant number of statements per chunk
of rows, whatever the rows hold."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.field_checks import FieldChecks
from customers.forms import CustomerForm
from customers.models import AuditEntry, Booking, Customer
from customers.validators import validate_id_number
from imports import engine
from imports.kinds.customers import FIELD_CHECKS
from imports.services import import_job_check, import_job_commit, import_job_create
from tests.factories import CustomerFactory, make_id_number
from tests.imports.conftest import xlsx

# Values a spreadsheet may carry into each field the importer fills, good and bad.
BATTERY = {
    "kind": ["individual", "corporate", "alien", ""],
    "name": ["张伟", "", "x" * 200, "x" * 201],
    "status": ["active", "lost", "gone", ""],
    "churn_reason": ["price", "nope", ""],
    "organisation_type": ["state", "bogus", ""],
    "policy_fare_rule": ["lowest", "what", ""],
    "founding_date": [datetime.date(2001, 5, 1), None, "2001-05-01", "not a date"],
    "id_number": [make_id_number(3), "110105198506150015", "1234", ""],
    "sex": ["M", "F", "Q", ""],
    "birthday": [datetime.date(1985, 6, 15), None, "1985-13-45"],
    "occupation": ["教师", "x" * 100, "x" * 101, ""],
    "mobile": ["13800138000", "12345", "138001380001", ""],
    "phone": ["010-12345678", "1" * 30, "1" * 31, ""],
    "email": ["a@example.com", "not-an-email", "a@", ""],
    "province": ["北京市", "省" * 31, ""],
    "postal_code": ["100020", "12", "abcdef", ""],
    "source_channel": ["walk_in", "carrier pigeon", ""],
    "pref_seat": ["aisle", "roof", ""],
    "pref_hotel_class": ["five", "ten", ""],
    "character_notes": ["喜欢安静", ""],
    "is_key_account": [True, False, None, "maybe"],
}


def _errors(call) -> dict[str, list[tuple[str, str | None, dict | None]]]:
    try:
        call()
    except ValidationError as error:
        return {
            name: [(str(e.message), e.code, e.params) for e in errors]
            for name, errors in error.error_dict.items()
        }
    return {}


@pytest.mark.parametrize("name", sorted(BATTERY))
def test_field_checks_refuse_exactly_what_the_model_refuses(name):
    checks = FieldChecks(Customer)
    others = [f.name for f in Customer._meta.fields if f.name != name]
    for value in BATTERY[name]:
        ours, theirs = Customer(kind="individual"), Customer(kind="individual")
        setattr(ours, name, value)
        setattr(theirs, name, value)
        expected = _errors(lambda c=theirs: c.clean_fields(exclude=others))
        assert _errors(lambda c=ours: checks.clean(c, {name})) == expected, (name, value)
        if not expected:  # converted in place as clean_fields does
            assert getattr(ours, name) == getattr(theirs, name)


def test_the_importer_runs_the_models_validator_lists():
    """The lists the form's full_clean runs, the very objects; only the ID number's
    validator is left to customer_prepare, which parses the number with it."""
    for field in Customer._meta.fields:
        expected = [v for v in field.validators if v is not validate_id_number]
        assert FIELD_CHECKS.validators(field.name) == expected, field.name
    assert validate_id_number in Customer._meta.get_field("id_number").validators


def test_a_validator_added_to_a_model_field_reaches_form_and_import(monkeypatch, sales1):
    field = Customer._meta.get_field("occupation")

    def no_astronauts(value):
        if "宇航员" in value:
            raise ValidationError("No astronauts.", code="astronaut")

    monkeypatch.setattr(field, "_validators", [*field._validators, no_astronauts])
    monkeypatch.delitem(field.__dict__, "validators", raising=False)
    form = CustomerForm(
        data={"kind": "individual", "name": "张三", "occupation": "宇航员", "status": "active"},
        user=sales1,
    )
    assert not form.is_valid() and form.errors["occupation"] == ["No astronauts."]
    customer = Customer(kind="individual", name="张三", occupation="宇航员")
    assert _errors(lambda: FieldChecks(Customer).clean(customer, {"occupation"})) == {
        "occupation": [("No astronauts.", "astronaut", None)]
    }


def _rows(count: int, start: int = 0) -> list[list]:
    header = ["姓名", "手机", "身份证号码", "邮箱", "希望去的地方", "标签", "来源渠道"]
    return [header] + [
        [f"客户{n}", f"1390000{n:04d}", make_id_number(n), f"c{n}@example.com",
         "三亚、日本", "老客户", "转介绍"]
        for n in range(start, start + count)
    ]  # fmt: skip


def _commit_statements(actor, rows) -> int:
    job = import_job_create(actor=actor, upload=xlsx(rows), kind="customers")
    with CaptureQueriesContext(connection) as queries:
        report = import_job_commit(actor=actor, job=job)
    assert report["committed"], report["problems"]
    return len(queries.captured_queries)


@pytest.mark.django_db(transaction=False)
def test_statements_per_chunk_are_constant(sales1, monkeypatch):
    """New rows, then the same file again (all unchanged): each chunk of rows costs the
    same handful of statements (look-ups, one insert per table), never one per row."""
    monkeypatch.setattr(engine, "CHUNK", 5)
    _commit_statements(sales1, _rows(5))  # the destinations, tags … exist from here on
    small = _commit_statements(sales1, _rows(10, start=100))  # 2 chunks
    large = _commit_statements(sales1, _rows(30, start=200))  # 6 chunks
    per_chunk = (large - small) / 4
    assert per_chunk == int(per_chunk) and per_chunk <= 12, (small, large)
    assert Customer.objects.count() == 45
    assert AuditEntry.objects.filter(object_type="customer").count() == 45
    assert Customer.history.count() == 45

    again_small = _commit_statements(sales1, _rows(10, start=100))
    again_large = _commit_statements(sales1, _rows(30, start=200))
    per_chunk = (again_large - again_small) / 4
    assert per_chunk == int(per_chunk) and per_chunk <= 4, (again_small, again_large)
    assert Customer.history.count() == 45  # nothing changed, nothing written


def _booking_rows(customers, count: int, start: int = 0) -> list[list]:
    header = ["订单号", "身份证号码", "产品名称", "目的地", "出行类型", "出发日期", "返回日期",
              "金额", "成本", "付款日期", "状态"]  # fmt: skip
    return [header] + [
        [f"BK-{n:05d}", customers[n % len(customers)].id_number, "三亚五日游", "三亚", "国内",
         "2026-03-10", "2026-03-14", "¥8,000.00", "6500元", "2026-03-01", "已付款"]
        for n in range(start, start + count)
    ]  # fmt: skip


@pytest.mark.django_db(transaction=False)
def test_bookings_cost_constant_statements_per_chunk_and_decrypt_no_id_number(sales1, monkeypatch):
    """A bookings file finds each row's customer by the blind index of its ID number:
    the archive's numbers are not decrypted (nor read), and each chunk costs the same
    statements, checked or committed, whatever the customers found."""
    from customers import id_numbers

    customers = [CustomerFactory(owner=sales1, id_number=make_id_number(500 + n)) for n in range(7)]
    monkeypatch.setattr(engine, "CHUNK", 5)
    decrypted = []
    real_decrypt = id_numbers.decrypt
    monkeypatch.setattr(
        id_numbers, "decrypt", lambda token: decrypted.append(token) or real_decrypt(token)
    )

    def statements(step, rows) -> int:
        job = import_job_create(actor=sales1, upload=xlsx(rows), kind="bookings")
        with CaptureQueriesContext(connection) as queries:
            report = step(actor=sales1, job=job)
        assert report["counts"]["refused"] == 0, report["problems"]
        return len(queries.captured_queries)

    _ = statements(import_job_commit, _booking_rows(customers, 5, start=900))  # the place
    decrypted.clear()
    # The check: the customers, their owners, the bookings on file. The commit adds the
    # locks, the inserts, history, audit and the points the paid bookings earn.
    for step, most in ((import_job_check, 3), (import_job_commit, 21)):
        small = statements(step, _booking_rows(customers, 10))  # 2 chunks
        large = statements(step, _booking_rows(customers, 30, start=100))  # 6 chunks
        per_chunk = (large - small) / 4
        assert per_chunk == int(per_chunk) and per_chunk <= most, (step, small, large)
    assert decrypted == []
    assert Booking.objects.count() == 45
    assert Booking.objects.filter(customer=customers[3]).count() == 6


@pytest.mark.django_db
def test_the_collector_runs_less_often_while_a_file_is_read_and_as_before_after(
    sales1, monkeypatch
):
    """A chunk's thousands of objects are freed by reference counting; the cyclic
    collector, which walks every live object, runs every FEWER_COLLECTIONS allocations
    while the file is read (not every 700) and as configured again afterwards, whether
    the import succeeds or fails."""
    import gc

    from imports.kinds.bookings import BookingImporter

    customers = [CustomerFactory(owner=sales1, id_number=make_id_number(800 + n)) for n in range(2)]
    before = gc.get_threshold()
    seen = []
    real_check = BookingImporter.check_chunk

    def check_chunk(self, rows):
        seen.append(gc.get_threshold())
        return real_check(self, rows)

    monkeypatch.setattr(BookingImporter, "check_chunk", check_chunk)
    job = import_job_create(actor=sales1, upload=xlsx(_booking_rows(customers, 3)), kind="bookings")
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 3, report["problems"]
    assert seen and all(t[0] >= engine.FEWER_COLLECTIONS for t in seen)
    assert gc.get_threshold() == before

    def failing(self, rows):
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(BookingImporter, "check_chunk", failing)
    job = import_job_create(
        actor=sales1, upload=xlsx(_booking_rows(customers, 3, 50)), kind="bookings"
    )
    with pytest.raises(RuntimeError):
        engine.run(
            importer=BookingImporter(
                actor=sales1, job=job, commit=True, today=datetime.date(2026, 12, 2)
            ),
            path=job.file.path,
        )
    assert gc.get_threshold() == before
