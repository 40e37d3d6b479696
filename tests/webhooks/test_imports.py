"""An import announces its rows per chunk: one bulk INSERT into the outbox, not a row at a
time; nothing at all when nobody listens."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.services import import_job_commit, import_job_create
from tests.factories import CustomerFactory, make_id_number
from tests.imports.conftest import xlsx
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hooks"
HEADER = ["姓名", "手机", "身份证号码", "城市"]
BOOKING_HEADER = ["订单号", "身份证号码", "产品名称", "目的地", "出行类型", "出发日期", "返回日期",
                  "人数", "金额", "成本", "付款日期", "状态"]  # fmt: skip


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


def people(count, start=0, city="北京"):
    return [HEADER] + [
        [f"导入客户{n}", f"1370000{n:04d}", make_id_number(500 + n), city]
        for n in range(start, start + count)
    ]


def outbox_inserts(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("INSERT INTO") and "webhooks_delivery" in query["sql"]
    )


def test_an_import_of_customers_writes_one_insert_per_chunk(register, sales1):
    register(URL, events=["customer.created", "customer.updated"])
    job = import_job_create(actor=sales1, upload=xlsx(people(60)), kind="customers")

    with CaptureQueriesContext(connection) as queries:
        report = import_job_commit(actor=sales1, job=job)

    assert report["counts"]["new"] == 60, report["problems"]
    assert Delivery.objects.filter(event="customer.created").count() == 60
    assert outbox_inserts(queries) <= 2
    body = Delivery.objects.filter(event="customer.created").first().body
    customer = json.loads(body)["data"]["customer"]
    assert customer["name"].startswith("导入客户")
    assert customer["id_number"].startswith("*" * 14)
    assert make_id_number(500)[:14] not in body

    again = import_job_create(actor=sales1, upload=xlsx(people(3, city="上海")), kind="customers")
    import_job_commit(actor=sales1, job=again)
    updated = [
        json.loads(b)["data"]
        for b in Delivery.objects.filter(event="customer.updated").values_list("body", flat=True)
    ]
    assert len(updated) == 3
    assert all(data["changed_fields"] == ["city"] for data in updated)


def test_an_import_of_paid_bookings_announces_them(register, sales1):
    register(URL, events=["booking.paid"])
    traveller = CustomerFactory(owner=sales1, id_number=make_id_number(42), mobile="13800138042")
    rows = [BOOKING_HEADER] + [
        [f"BK-{n}", traveller.id_number, "三亚五日游", "三亚", "国内", "2026年3月10日",
         20260314, 2, "¥8,000.00", "6500元", "2026/3/1", "已付款" if n % 2 else "已预订"]
        for n in range(10)
    ]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="bookings")
    report = import_job_commit(actor=sales1, job=job)
    assert report["counts"]["new"] == 10, report["problems"]
    numbers = sorted(
        json.loads(b)["data"]["booking"]["source_number"]
        for b in Delivery.objects.filter(event="booking.paid").values_list("body", flat=True)
    )
    assert numbers == ["BK-1", "BK-3", "BK-5", "BK-7", "BK-9"]


def test_an_import_nobody_listens_to_writes_nothing(register, sales1):
    register(URL, events=["booking.paid"])
    job = import_job_create(actor=sales1, upload=xlsx(people(40)), kind="customers")
    with CaptureQueriesContext(connection) as queries:
        import_job_commit(actor=sales1, job=job)
    assert Delivery.objects.count() == 0
    assert outbox_inserts(queries) == 0
