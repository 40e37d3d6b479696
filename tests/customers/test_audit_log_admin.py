"""The audit log in the admin at scale: the search finds by person and by customer
through their own tables, the filters' choices come from indexes, the count stops at
a limit and is estimated beyond, and the page's queries do not grow with the log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import admin_audit_log
from customers.audit import audit_record
from customers.models import AuditAction, AuditEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:customers_auditentry_changelist")


@pytest.fixture
def log(sales1, sales2, lead1):
    """sales1 viewed 孙悦 and exported the list; sales2 viewed 孙悦明 and 李雷; the
    lead changed 李雷."""
    sun = CustomerFactory(owner=sales1, name="孙悦")
    sun_ming = CustomerFactory(owner=sales2, name="孙悦明")
    li = CustomerFactory(owner=sales2, name="李雷")
    audit_record(actor=sales1, action=AuditAction.VIEW, obj=sun)
    audit_record(actor=sales1, action=AuditAction.EXPORT, object_type="customer_list")
    audit_record(actor=sales2, action=AuditAction.VIEW, obj=sun_ming)
    audit_record(actor=sales2, action=AuditAction.VIEW, obj=li)
    audit_record(actor=lead1, action=AuditAction.CHANGE, obj=li)
    return {"sun": sun, "sun_ming": sun_ming, "li": li}


def _shown(page):
    assert page.status_code == 200
    return {(entry.actor.username, entry.action, entry.customer_id) for entry in
            page.context["cl"].result_list}  # fmt: skip


def test_search_by_username_or_name_finds_that_person_only(manager1, sales1, log, client_as):
    client = client_as(manager1)
    by_username = _shown(client.get(URL, {"q": "sales1"}))
    assert by_username == {
        ("sales1", AuditAction.VIEW, log["sun"].pk),
        ("sales1", AuditAction.EXPORT, None),
    }
    assert _shown(client.get(URL, {"q": sales1.full_name})) == by_username


def test_search_by_customer_name_finds_the_entries_about_that_customer(manager1, log, client_as):
    client = client_as(manager1)
    assert _shown(client.get(URL, {"q": "李雷"})) == {
        ("sales2", AuditAction.VIEW, log["li"].pk),
        ("lead1", AuditAction.CHANGE, log["li"].pk),
    }
    # An exact name means that customer; part of a name finds every customer with it.
    assert _shown(client.get(URL, {"q": "孙悦"})) == {("sales1", AuditAction.VIEW, log["sun"].pk)}
    assert {row[2] for row in _shown(client.get(URL, {"q": "悦"}))} == {
        log["sun"].pk,
        log["sun_ming"].pk,
    }
    assert _shown(client.get(URL, {"q": "nobody-at-all"})) == set()


def test_filter_choices_list_the_people_and_object_types_on_record(
    manager1, sales1, log, client_as
):
    page = client_as(manager1).get(URL)
    specs = {str(spec.title): spec for spec in page.context["cl"].filter_specs}
    people = [choice["display"] for choice in specs["who"].choices(page.context["cl"])]
    # By username (lead1, sales1, sales2), then entries without a person (sign-in attempts).
    assert people[1:] == ["赵组长", "王磊", "李娜", "-"]
    types = [choice["display"] for choice in specs["object type"].choices(page.context["cl"])]
    assert types[1:] == ["customer", "customer list"]  # in the reader's language
    only_sales1 = _shown(client_as(manager1).get(URL, {"actor__id__exact": sales1.pk}))
    assert {row[0] for row in only_sales1} == {"sales1"}
    lists = _shown(client_as(manager1).get(URL, {"object_type": "customer_list"}))
    assert lists == {("sales1", AuditAction.EXPORT, None)}


def test_date_filter_narrows_to_today(manager1, sales1, log, client_as):
    old = AuditEntry(actor=sales1, action=AuditAction.VIEW, object_type="customer",
                     at=timezone.now() - datetime.timedelta(days=40))  # fmt: skip
    old.save()
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    # The parameters the filter's "Today" link carries.
    page = client_as(manager1).get(
        URL, {"at__gte": str(start), "at__lt": str(start + datetime.timedelta(days=1))}
    )
    assert len(page.context["cl"].result_list) == 5
    assert len(client_as(manager1).get(URL).context["cl"].result_list) == 6


def test_the_count_is_estimated_past_the_limit_and_pages_are_bounded(
    manager1, sales1, log, client_as, monkeypatch
):
    monkeypatch.setattr(admin_audit_log, "EXACT_COUNT_LIMIT", 3)
    monkeypatch.setattr(admin_audit_log, "PAGE_LIMIT", 2)
    monkeypatch.setattr(admin_audit_log.AuditEntryAdmin, "list_per_page", 1)
    page = client_as(manager1).get(URL)
    paginator = page.context["cl"].paginator
    assert paginator.estimated
    assert paginator.count >= 4
    assert paginator.num_pages == 2
    assert "about" in page.content.decode()
    # Under the limit the count is exact and says so.
    exact = client_as(manager1).get(URL, {"q": "李雷"})
    assert not exact.context["cl"].paginator.estimated
    assert exact.context["cl"].result_count == 2


def test_the_list_and_searches_run_the_same_queries_with_a_longer_log(
    manager1, sales1, lead1, log, client_as, django_assert_max_num_queries
):
    client = client_as(manager1)
    requests = [{}, {"q": "sales1"}, {"q": "李雷"}, {"object_type": "customer"}]
    counts = []
    for params in requests:
        with django_assert_max_num_queries(30) as captured:
            client.get(URL, params)
        counts.append(len(captured.captured_queries))
    for n in range(40):
        customer = CustomerFactory(owner=sales1, name=f"客户{n}")
        audit_record(actor=sales1 if n % 2 else lead1, action=AuditAction.VIEW, obj=customer)
        audit_record(actor=lead1, action=AuditAction.EXPORT, object_type=f"type_{n % 5}")
    for params, before in zip(requests, counts, strict=True):
        with django_assert_max_num_queries(before):
            client.get(URL, params)


def test_no_query_counts_or_scans_the_whole_log(
    manager1, log, client_as, django_assert_max_num_queries
):
    """No unbounded COUNT over the log (the full result count is off; the paginator's
    count stops at the limit) and no DISTINCT over its rows (the filters skip-scan)."""
    client = client_as(manager1)
    with django_assert_max_num_queries(30) as captured:
        client.get(URL)
    log_queries = [
        q["sql"] for q in captured.captured_queries if "customers_auditentry" in q["sql"]
    ]
    for sql in log_queries:
        assert "DISTINCT" not in sql.upper()
        if "COUNT(" in sql.upper():
            assert "LIMIT" in sql.upper()
