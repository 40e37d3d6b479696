"""Customers and contact people through the API: the list page's filters and search,
cursor pages, the forms' checks (撞单 included), masking, audit rows, the export guard,
problem details in the caller's language, and the rate limit."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.throttling import TokenRateThrottle
from customers.models import (
    AuditAction,
    AuditEntry,
    ContactPerson,
    Customer,
    CustomerKind,
    SecurityAlert,
)
from tests.factories import (
    CustomerFactory,
    DestinationFactory,
    OrganisationFactory,
    TagFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customers"


def _names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


# --- The list: the page's filters, search and cursor pages -----------------------------


def test_the_list_takes_the_list_pages_filters_and_search(sales1, api_as):
    CustomerFactory(owner=sales1, name="王芳", is_key_account=True)
    CustomerFactory(owner=sales1, name="王刚", status="dormant")
    OrganisationFactory(owner=sales1, name="华夏科技有限公司")
    client = api_as(sales1)
    assert _names(client.get(LIST, {"q": "王"})) == ["王刚", "王芳"]
    assert _names(client.get(LIST, {"kind": "corporate"})) == ["华夏科技有限公司"]
    assert _names(client.get(LIST, {"status": "dormant"})) == ["王刚"]
    assert _names(client.get(LIST, {"is_key_account": "true"})) == ["王芳"]


def test_a_full_id_number_finds_a_customer_only_for_those_who_may_see_it(sales1, lead1, api_as):
    customer = CustomerFactory(owner=sales1, name="孙悦")
    assert _names(api_as(sales1).get(LIST, {"q": customer.id_number})) == ["孙悦"]
    assert _names(api_as(lead1).get(LIST, {"q": customer.id_number})) == []


def test_a_bad_filter_is_a_400_with_the_field_named(sales1, api_as):
    response = api_as(sales1).get(LIST, {"kind": "alien", "owner": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in response.json()["errors"]} == {"kind", "owner"}


def test_cursor_pages_walk_the_list_once(sales1, api_as):
    for n in range(7):
        CustomerFactory(owner=sales1, name=f"客户{n}")
    client = api_as(sales1)
    seen, url, params = [], LIST, {"page_size": 3}
    while url:
        body = client.get(url, params).json()
        seen += [row["name"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == [f"客户{n}" for n in range(7)]


def test_a_list_page_costs_the_same_queries_however_many_rows(
    sales1, api_as, django_assert_num_queries
):
    destination, tag = DestinationFactory(name="三亚"), TagFactory(name="VIP")
    client = api_as(sales1)
    for _n in range(3):
        CustomerFactory(owner=sales1).desired_destinations.add(destination)
    client.get(LIST)  # first use: last-use time written, custody policy row made
    # token, roles; the special-access ids (fetched before the page, customers.selectors);
    # the page, its destinations, its tags; the guard (lock, sum, policy, audit row, in a
    # savepoint)
    with django_assert_num_queries(12):
        client.get(LIST, {"page_size": 50})
    for _n in range(40):
        customer = CustomerFactory(owner=sales1)
        customer.desired_destinations.add(destination)
        customer.tags.add(tag)
    with django_assert_num_queries(12):
        assert len(client.get(LIST, {"page_size": 50}).json()["results"]) == 43


def test_a_detail_costs_the_same_queries_however_rich_the_customer(
    sales1, api_as, django_assert_num_queries
):
    client = api_as(sales1)
    plain = CustomerFactory(owner=sales1)
    client.get(f"{LIST}/{plain.pk}")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{LIST}/{plain.pk}")
    rich = CustomerFactory(owner=sales1)
    for name in ["三亚", "丽江", "日本"]:
        rich.desired_destinations.add(DestinationFactory(name=name))
    rich.tags.add(TagFactory(), TagFactory())
    with django_assert_num_queries(len(queries)):
        client.get(f"{LIST}/{rich.pk}")


# --- Writes: the forms' checks and the services ----------------------------------------


def test_create_normalises_fills_from_the_id_number_and_masks(sales1, api_as):
    id_number = make_id_number(7)
    response = api_as(sales1).post(
        LIST,
        {
            "kind": "individual",
            "name": " 赵敏 ",
            "mobile": "+86 139-0013-8000",
            "id_number": id_number,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.mobile == "13900138000" and customer.name == "赵敏"
    assert customer.birthday.isoformat() == "1985-06-15"  # filled from the ID number
    assert body["id_number"] == "*" * 14 + id_number[-4:]
    assert body["owner"]["username"] == "sales1"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, customer=customer).count() == 1


def test_the_same_checks_as_the_form_refuse_bad_input(sales1, api_as):
    response = api_as(sales1).post(
        LIST,
        {"kind": "individual", "mobile": "12345", "id_number": "110105198506150001"},
        format="json",
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"name", "mobile", "id_number"} <= fields


def test_a_duplicate_is_refused_naming_the_owning_rep(sales1, sales3, api_as):
    CustomerFactory(owner=sales3, mobile="13600000000")
    response = api_as(sales1).post(
        LIST, {"kind": "individual", "name": "撞单", "mobile": "136 0000 0000"}, format="json"
    )
    assert response.status_code == 400
    mobile_errors = [e["detail"] for e in response.json()["errors"] if e["field"] == "mobile"]
    assert any("张伟" in message for message in mobile_errors)  # sales3, named; nothing else


def test_a_change_keeps_the_masked_id_number_and_is_audited(sales1, lead1, api_as):
    customer = CustomerFactory(owner=sales1, name="孙悦")
    client = api_as(lead1)  # the team lead edits, may not see the full number
    response = client.patch(f"{LIST}/{customer.pk}", {"occupation": "医生"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    customer.refresh_from_db()
    assert customer.occupation == "医生" and customer.id_number  # kept
    assert body["id_number"] == customer.id_number_masked
    assert body["birthday"] is None and body["birthday_month_day"] == "06-15"
    change = AuditEntry.objects.get(action=AuditAction.CHANGE, customer=customer)
    assert change.actor == lead1 and change.detail["fields"] == ["occupation"]


def test_the_owner_sees_the_birth_year_and_reveals_the_full_number_on_record(sales1, lead1, api_as):
    customer = CustomerFactory(owner=sales1)
    owner = api_as(sales1)
    assert owner.get(f"{LIST}/{customer.pk}").json()["birthday"] == "1985-06-15"
    revealed = owner.get(f"{LIST}/{customer.pk}/id-number")
    assert revealed.json() == {"id_number": customer.id_number}
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL_ID, customer=customer).count() == 1
    assert api_as(lead1).get(f"{LIST}/{customer.pk}/id-number").status_code == 403


def test_contact_people_list_and_add_with_the_forms_checks(sales1, api_as):
    company = OrganisationFactory(owner=sales1, kind=CustomerKind.CORPORATE)
    client = api_as(sales1)
    url = f"{LIST}/{company.pk}/contact-people"
    bad = client.post(url, {"name": "", "mobile": "123"}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} >= {"name", "mobile"}
    made = client.post(
        url, {"name": "李秘书", "mobile": "+86 13711112222", "is_primary": True}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert ContactPerson.objects.get(customer=company).mobile == "13711112222"
    listed = client.get(url).json()
    assert [person["name"] for person in listed] == ["李秘书"]


# --- Custody: audit rows and the export guard ------------------------------------------


def test_a_list_is_one_audit_row_with_the_count(sales1, api_as):
    for _n in range(3):
        CustomerFactory(owner=sales1)
    api_as(sales1).get(LIST, {"kind": "individual"})
    entry = AuditEntry.objects.get(actor=sales1, action=AuditAction.EXPORT)
    assert entry.detail["customer_rows"] == 3 and entry.detail["door"] == "api"
    assert entry.object_type == "customer_list" and "kind=individual" in entry.detail["filters"]


def test_an_empty_answer_is_on_record_too(sales1, lead1, api_as):
    """A search that finds nothing delivers no rows, but the look is recorded (a probe
    for someone's number must leave a trace), a full ID number in it masked as in every
    export's filters (custodians read the log)."""
    probed = CustomerFactory(owner=sales1)
    api_as(lead1).get(LIST, {"q": probed.id_number})  # lead1 may not search by it
    entry = AuditEntry.objects.get(actor=lead1, object_type="customer_list")
    assert entry.detail["customer_rows"] == 0
    assert probed.id_number not in entry.detail["filters"]
    assert probed.id_number[-4:] in entry.detail["filters"]


def test_a_detail_and_a_contact_list_are_one_row_each(sales1, api_as):
    customer = CustomerFactory(owner=sales1)
    client = api_as(sales1)
    client.get(f"{LIST}/{customer.pk}")
    client.get(f"{LIST}/{customer.pk}/contact-people")
    rows = AuditEntry.objects.filter(actor=sales1, customer=customer, action=AuditAction.EXPORT)
    assert sorted(rows.values_list("object_type", flat=True)) == ["contact_person_list", "customer"]


def _many_customers(owner, count: int) -> None:
    Customer.objects.bulk_create(
        Customer(kind="individual", name=f"批量{n:04d}", owner=owner) for n in range(count)
    )


def test_a_staff_token_pulling_201_rows_a_day_is_stopped_like_the_csv_export(
    sales1, lead1, manager1, api_as, client_as, django_capture_on_commit_callbacks
):
    """The custody policy allows 200 customer rows a day per person (default)."""
    _many_customers(sales1, 201)
    client = api_as(lead1)
    first = client.get(LIST, {"page_size": 100})
    second = client.get(first.json()["next"])
    assert second.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the managers' e-mail
        third = client.get(second.json()["next"])
    assert third.status_code == 403
    assert third["Content-Type"] == "application/problem+json"
    problem = third.json()
    assert problem["type"] == "/api/problems/export-limit"
    assert "200" in problem["detail"] and "manager" in problem["detail"]
    alert = SecurityAlert.objects.get(actor=lead1)
    assert (alert.attempted, alert.already_in_window, alert.limit) == (1, 200, 200)
    assert any(manager1.email in message.to for message in mail.outbox)
    # One counter for every door: the page's CSV export is now refused too.
    page = client_as(lead1).get(reverse("customers:export"))
    assert page.status_code == 302
    assert SecurityAlert.objects.filter(actor=lead1).count() == 2


def test_a_service_account_has_its_own_daily_limit(sales1, api_as, make_service_account):
    _many_customers(sales1, 5)
    robot = make_service_account(scopes=["customers:read"], daily_row_limit=3)
    client = api_as(robot)
    first = client.get(LIST, {"page_size": 2})
    assert first.status_code == 200
    refused = client.get(first.json()["next"])
    assert refused.status_code == 403
    assert SecurityAlert.objects.get(actor=robot).limit == 3


# --- Errors in the caller's language, and the rate limit -------------------------------


def test_problems_come_in_the_callers_language(sales1, api_as):
    english = api_as(sales1, language="en-US").post(LIST, {"kind": "individual"}, format="json")
    chinese = api_as(sales1, language="zh-CN,zh;q=0.9").post(
        LIST, {"kind": "individual"}, format="json"
    )
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
    name_en = next(e["detail"] for e in english.json()["errors"] if e["field"] == "name")
    name_zh = next(e["detail"] for e in chinese.json()["errors"] if e["field"] == "name")
    assert name_en == "This field is required."
    assert "必填" in name_zh
    missing_en = api_as(sales1, language="en").get(f"{LIST}/999999").json()["detail"]
    missing_zh = api_as(sales1, language="zh-hans").get(f"{LIST}/999999").json()["detail"]
    assert missing_en == "Not found." and missing_zh != missing_en
    assert api_as(sales1, language="fr").get(LIST)["Content-Language"] == "zh-hans"


def test_too_many_requests_is_a_429_with_retry_after(sales1, api_as, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    client = api_as(sales1)
    statuses = [client.get(LIST).status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(LIST)
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "/api/problems/rate-limited"
    assert 0 < int(refused["Retry-After"]) <= 60
    # per token: another token of the same person has its own count
    assert api_as(sales1).get(LIST).status_code == 200


def test_unsupported_bodies_and_methods_are_problems(sales1, api_as):
    client = api_as(sales1)
    response = client.post(LIST, "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["type"] == "/api/problems/unsupported-media-type"
    response = client.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["type"] == "/api/problems/bad-request"
    response = client.delete(f"{LIST}/1")
    assert response.status_code == 405
