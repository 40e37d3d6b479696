"""The list's "never contacted" reads the stored Customer.last_contacted_at: it must give
exactly the customers the old NOT EXISTS over the contact records gave, whichever door
wrote (or removed) the records."""

import datetime

from django.contrib.admin.sites import site
from django.db.models import Exists, OuterRef
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from customers.models import ContactRecord, Customer
from customers.selectors import customer_filter_never_contacted
from customers.services import (
    contact_record_create,
    customer_soft_delete,
    customers_last_contact_refresh_all,
)
from imports.services import import_job_commit, import_job_create
from tests.factories import CustomerFactory, make_id_number
from tests.imports.conftest import xlsx


def by_not_exists():
    """The filter as it was: no contact record at all."""
    records = ContactRecord.objects.filter(customer=OuterRef("pk"))
    return set(Customer.all_objects.filter(~Exists(records)).values_list("name", flat=True))


def by_stored():
    return set(customer_filter_never_contacted(Customer.all_objects).values_list("name", flat=True))


def names_on_list(response):
    return {customer.name for customer in response.context["page"]}


def test_every_door_keeps_the_stored_filter_equal_to_the_old_query(sales1, manager1, client_as):
    for name in ["从未联系", "页面记录", "后台删除", "已删除客户", "两条记录"]:
        CustomerFactory(owner=sales1, name=name)
    customers = {c.name: c for c in Customer.all_objects.all()}
    when = timezone.now() - datetime.timedelta(days=3)
    # The customer page (the same service serves follow-ups, feedback, the API, the admin).
    response = client_as(sales1).post(
        reverse("customers:contact_log", args=[customers["页面记录"].pk]),
        {"channel": "phone", "outcome": "reached",
         "contacted_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 302
    # The import.
    imported = CustomerFactory(
        owner=sales1, name="导入记录2", id_number=make_id_number(7), mobile="13800138007"
    )
    rows = [["手机", "联系方式", "联系时间", "结果", "内容"],
            ["13800138007", "电话", "2026-03-05 10:30", "已接通并沟通", "想去日本"]]  # fmt: skip
    job = import_job_create(actor=sales1, upload=xlsx(rows), kind="records")
    assert import_job_commit(actor=sales1, job=job)["counts"]["new"] == 1
    # Two records, then the later one removed in the admin: still contacted.
    for customer, days in [("两条记录", 10), ("两条记录", 2), ("后台删除", 1)]:
        contact_record_create(
            actor=sales1,
            customer=customers[customer],
            channel="phone",
            outcome="reached",
            contacted_at=timezone.now() - datetime.timedelta(days=days),
        )
    contact_record_create(
        actor=sales1, customer=customers["已删除客户"], channel="phone", outcome="reached"
    )
    customer_soft_delete(actor=manager1, customer=customers["已删除客户"])
    admin = site._registry[ContactRecord]
    request = RequestFactory().post("/")
    request.user = manager1
    admin.delete_queryset(request, ContactRecord.objects.filter(customer=customers["后台删除"]))
    latest_two = ContactRecord.objects.filter(customer=customers["两条记录"]).latest("contacted_at")
    admin.delete_model(request, latest_two)

    assert by_stored() == by_not_exists() == {"从未联系", "后台删除"}
    two = Customer.objects.get(name="两条记录")
    assert two.last_contacted_at == ContactRecord.objects.get(customer=two).contacted_at
    assert (
        Customer.objects.get(name="导入记录2").last_contacted_at
        == imported.contact_records.get().contacted_at
    )
    # The page shows them, and a second look at everyone changes nothing.
    response = client_as(manager1).get(reverse("customers:list"), {"contact_age": "never"})
    assert names_on_list(response) == {"从未联系", "后台删除"}
    customers_last_contact_refresh_all()
    assert by_stored() == by_not_exists()


def test_the_bulk_refresh_matches_the_records(sales1):
    """Demo and bench data insert records in bulk and then refresh everyone: values
    written wrongly (or by nobody) are put right, both ways."""
    contacted = CustomerFactory(owner=sales1, name="有记录")
    never = CustomerFactory(owner=sales1, name="无记录")
    at = timezone.now() - datetime.timedelta(days=5)
    ContactRecord.objects.bulk_create(
        [ContactRecord(customer=contacted, by=sales1, channel="phone", outcome="reached",
                       contacted_at=at)]
    )  # fmt: skip
    Customer.objects.filter(pk=never.pk).update(last_contacted_at=at)
    assert by_stored() != by_not_exists()
    customers_last_contact_refresh_all()
    assert by_stored() == by_not_exists() == {"无记录"}
    contacted.refresh_from_db()
    assert contacted.last_contacted_at == at
