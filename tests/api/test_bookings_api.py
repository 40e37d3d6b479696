"""Bookings through the API: who sees which (the scoping matrix), the idempotent PUT by
source and number, the batch of 500 with a result per item, audit and guard rows, and
constant query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import (
    AccessRequest,
    AccessRequestStatus,
    AuditAction,
    AuditEntry,
    Booking,
    BookingStatus,
)
from loyalty.models import Card, EntryKind, LedgerEntry
from tests.factories import BookingFactory, CustomerFactory, DestinationFactory

pytestmark = pytest.mark.django_db

PAID_ON = datetime.date(2026, 11, 2)


def sync_url(source="booking-system", number="BK-1"):
    return reverse("api:booking-sync", kwargs={"source": source, "number": number})


@pytest.fixture
def sanya(db):
    return DestinationFactory(name="三亚")


def body(who, **changes):
    values = {
        "customer": who.pk,
        "product": "三亚五日游",
        "destination_name": "三亚",
        "trip_type": "domestic",
        "start_date": "2026-12-10",
        "end_date": "2026-12-14",
        "head_count": 2,
        "amount": "8000.00",
        "cost": "6500.00",
        "status": "booked",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


# --- The idempotent PUT ------------------------------------------------------------------


def test_the_same_put_twice_is_one_booking_and_the_second_changes_nothing(
    api_as, sales1, customer_of_sales1, sanya
):
    api = api_as(sales1)
    first = api.put(sync_url(number="bk 2026－001"), body(customer_of_sales1), format="json")
    again = api.put(sync_url(number="BK2026-001"), body(customer_of_sales1), format="json")

    assert first.status_code == 201, first.json()
    assert first.json()["outcome"] == "created"
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert again.json()["booking"] == first.json()["booking"]
    booking = Booking.objects.get()
    assert (booking.source, booking.source_number) == ("booking-system", "BK2026-001")
    assert booking.history.count() == 1
    assert AuditEntry.objects.filter(object_type="booking", action=AuditAction.CREATE).count() == 1
    assert first.json()["booking"]["customer"] == customer_of_sales1.pk
    assert first.json()["booking"]["destination_name"] == "三亚"


def test_a_changed_put_updates_the_booking_and_a_paid_one_earns_points_once(
    api_as, sales1, customer_of_sales1, sanya, django_capture_on_commit_callbacks
):
    api = api_as(sales1)
    api.put(sync_url(), body(customer_of_sales1), format="json")
    paid = body(customer_of_sales1, status="paid", paid_date=PAID_ON.isoformat())

    with django_capture_on_commit_callbacks(execute=True):
        updated = api.put(sync_url(), paid, format="json")
        again = api.put(sync_url(), paid, format="json")

    assert (updated.status_code, updated.json()["outcome"]) == (200, "updated")
    assert updated.json()["booking"]["status"] == "paid"
    assert again.json()["outcome"] == "unchanged"
    booking = Booking.objects.get()
    assert booking.history.count() == 2
    assert LedgerEntry.objects.filter(booking=booking, kind=EntryKind.EARN).count() == 1
    assert Card.objects.get(customer=customer_of_sales1).balance == 8000


def test_fields_left_out_keep_their_value(api_as, sales1, customer_of_sales1, sanya):
    api = api_as(sales1)
    api.put(sync_url(), body(customer_of_sales1), format="json")
    response = api.put(
        sync_url(), {"customer": customer_of_sales1.pk, "head_count": 3}, format="json"
    )
    assert response.json()["outcome"] == "updated"
    booking = Booking.objects.get()
    assert (booking.head_count, booking.product, booking.amount) == (3, "三亚五日游", 8000)


def test_the_customer_may_be_named_by_mobile_and_an_organisation_by_name(api_as, sales1, sanya):
    person = CustomerFactory(owner=sales1, mobile="13912345678")
    company = CustomerFactory(owner=sales1, kind="corporate", name="华东机电有限公司")
    api = api_as(sales1)
    by_mobile = api.put(
        sync_url(number="M1"),
        body(person, customer=None, customer_mobile="139 1234 5678"),
        format="json",
    )
    by_name = api.put(
        sync_url(number="N1"),
        body(company, customer=None, customer_name=" 华东机电有限公司 "),
        format="json",
    )
    assert by_mobile.status_code == 201, by_mobile.json()
    assert by_mobile.json()["booking"]["customer"] == person.pk
    assert by_name.status_code == 201, by_name.json()
    assert by_name.json()["booking"]["customer"] == company.pk


def test_an_id_number_finds_a_customer_only_where_the_caller_sees_full_numbers(
    api_as, sales1, lead1, sanya
):
    customer = CustomerFactory(owner=sales1)
    by_id_number = body(customer, customer=None, customer_id_number=customer.id_number)
    # The team lead sees sales1's customer, but only its masked number: no oracle.
    refused = api_as(lead1).put(sync_url(number="I1"), by_id_number, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "customer_id_number"
    created = api_as(sales1).put(sync_url(number="I1"), by_id_number, format="json")
    assert created.status_code == 201


def test_invalid_input_is_a_problem_with_field_errors_in_the_callers_language(
    api_as, sales1, customer_of_sales1, sanya
):
    bad = body(customer_of_sales1, end_date="2026-12-01", status="paid")
    response = api_as(sales1, language="zh-CN").put(sync_url(), bad, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    errors = {error["field"]: error["detail"] for error in problem["errors"]}
    assert errors["end_date"] == "返回日期不能早于出发日期。"
    assert "已付款的订单须填写付款日期。" in errors.values()
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": None}, "customer"),
        ({"customer_mobile": "13800000000"}, "customer"),  # two references
        ({"customer": 10**12}, "customer"),
        ({"destination_name": "火星"}, "destination_name"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1" * 20}, "amount"),
        ({"status": "lost"}, "status"),
        ({"head_count": 0}, "head_count"),
        ({"product": None, "trip_type": None}, "product"),
    ],
)
def test_each_kind_of_bad_input_names_its_field(
    api_as, sales1, customer_of_sales1, sanya, changes, field
):
    response = api_as(sales1).put(sync_url(), body(customer_of_sales1, **changes), format="json")
    assert response.status_code == 400, response.json()
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("source", "number", "field"),
    [("web site!", "W1", "source"), ("website", "Ｗ" * 65, "number")],
)
def test_a_bad_source_or_an_overlong_number_is_a_field_error(
    api_as, sales1, customer_of_sales1, sanya, source, number, field
):
    response = api_as(sales1).put(sync_url(source, number), body(customer_of_sales1), format="json")
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_a_number_on_file_for_another_customer_is_refused(api_as, sales1, sanya):
    mine, other = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    api = api_as(sales1)
    api.put(sync_url(), body(mine), format="json")
    response = api.put(sync_url(), body(other), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "number"
    assert Booking.objects.get().customer == mine


def test_the_put_needs_the_write_scope(api_as, sales1, customer_of_sales1, sanya):
    response = api_as(sales1, scopes=["bookings:read"]).put(
        sync_url(), body(customer_of_sales1), format="json"
    )
    assert response.status_code == 403
    assert response.json()["type"].endswith("insufficient-scope")


def test_a_booking_is_read_back_by_source_and_number(api_as, sales1, sales3, customer_of_sales1):
    booking = BookingFactory(customer=customer_of_sales1, source="website", source_number="W-7")
    mine = api_as(sales1).get(sync_url("Website", "w－7"))
    assert mine.status_code == 200
    assert mine.json()["id"] == booking.pk
    assert api_as(sales3).get(sync_url("website", "W-7")).status_code == 404
    assert api_as(sales1).get(sync_url("website", "W-8")).status_code == 404


# --- The scoping matrix ------------------------------------------------------------------

# role -> (sees sales1's booking, may PUT for sales1's customer)
MATRIX = {
    "sales1": (True, 201),  # the owner
    "sales2": (False, 400),  # same team, not the lead: not visible, so not found by id
    "lead1": (True, 201),  # the owner's team lead
    "sales3": (False, 400),  # another team
    "manager1": (True, 201),
    "custodian1": (True, 403),  # sees every archive, records no bookings
    "finance1": (True, 201),  # confirms amounts and payment on any booking
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_scoping_matrix_for_bookings(role, staff, api_as, customer_of_sales1, sanya):
    sees, put_status = MATRIX[role]
    booking = BookingFactory(customer=customer_of_sales1)
    api = api_as(staff[role])

    listed = api.get(reverse("api:booking-list"))
    per_customer = api.get(
        reverse("api:customer-booking-list", kwargs={"pk": customer_of_sales1.pk})
    )
    detail = api.get(reverse("api:booking-detail", kwargs={"pk": booking.pk}))
    put = api.put(sync_url(number=f"{role}-1"), body(customer_of_sales1), format="json")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == ([booking.pk] if sees else [])
    assert per_customer.status_code == (200 if sees else 404)
    assert detail.status_code == (200 if sees else 404)
    assert put.status_code == put_status, put.json()


def test_a_service_account_works_within_its_owner_scope(
    make_service_account, api_as, east_team, customer_of_sales1, customer_of_sales3, sanya
):
    account = make_service_account(scopes=["bookings:read", "bookings:write"], team=east_team)
    api = api_as(account)
    ours = api.put(sync_url(number="S1"), body(customer_of_sales1), format="json")
    theirs = api.put(sync_url(number="S2"), body(customer_of_sales3), format="json")
    assert ours.status_code == 201
    assert theirs.status_code == 400  # not in its scope: not found
    assert [row["customer"] for row in api.get(reverse("api:booking-list")).json()["results"]] == [
        customer_of_sales1.pk
    ]


@pytest.fixture
def special_access_for_sales3(sales3, manager1, customer_of_sales1):
    """sales3 may read sales1's customer for a day (a manager approved it), not act on it."""
    return AccessRequest.objects.create(
        requester=sales3,
        customer=customer_of_sales1,
        reason="核对",
        status=AccessRequestStatus.APPROVED,
        decided_by=manager1,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )


def test_a_special_access_reader_may_not_record_bookings(
    api_as, sales3, customer_of_sales1, special_access_for_sales3, sanya
):
    api = api_as(sales3)
    response = api.put(sync_url(), body(customer_of_sales1), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not record bookings for this customer."
    item = {"source": "website", "number": "W1", **body(customer_of_sales1)}
    batch = api.post(reverse("api:booking-batch"), {"bookings": [item]}, format="json")
    assert batch.json()["results"][0]["status"] == "forbidden"
    assert batch.json()["summary"]["forbidden"] == 1
    assert not Booking.objects.exists()


# --- Filters, audit and the guard, query counts ------------------------------------------


def test_the_list_filters(api_as, manager1, sales1):
    customer = CustomerFactory(owner=sales1)
    paid = BookingFactory(customer=customer, source="website", source_number="W1")
    booked = BookingFactory(
        customer=customer,
        status=BookingStatus.BOOKED,
        paid_date=None,
        start_date=datetime.date(2027, 1, 1),
        end_date=datetime.date(2027, 1, 3),
    )
    other = BookingFactory(customer=CustomerFactory(owner=sales1))
    api = api_as(manager1)

    def ids(**params):
        response = api.get(reverse("api:booking-list"), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(customer=customer.pk) == {paid.pk, booked.pk}
    assert ids(status="booked") == {booked.pk}
    assert ids(source="WEBSITE") == {paid.pk}
    assert ids(start_from="2026-12-01") == {booked.pk}
    assert ids(start_to="2026-12-01") == {paid.pk, other.pk}
    assert ids(paid_from="2026-01-01", paid_to="2026-12-31") == {paid.pk, other.pk}
    assert api.get(reverse("api:booking-list"), {"status": "x"}).status_code == 400
    assert api.get(reverse("api:booking-list"), {"customer": "9" * 30}).status_code == 400
    assert api.get(reverse("api:booking-list"), {"start_from": "2026-13-01"}).status_code == 400


def test_a_list_page_is_one_guard_row_counting_its_distinct_customers(api_as, manager1, sales1):
    first, second = CustomerFactory(owner=sales1), CustomerFactory(owner=sales1)
    BookingFactory.create_batch(3, customer=first)
    BookingFactory(customer=second)
    api = api_as(manager1)
    api.get(reverse("api:booking-list"))
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="booking_list")
    assert exports.count() == 1
    assert exports.get().detail["customer_rows"] == 2
    assert exports.get().detail["rows"] == 4


def test_the_guard_stops_a_rep_walking_the_bookings(api_as, sales1, small_policy):
    for _ in range(4):
        BookingFactory(customer=CustomerFactory(owner=sales1))
    api = api_as(sales1)
    assert api.get(reverse("api:booking-list"), {"page_size": 3}).status_code == 200
    refused = api.get(reverse("api:booking-list"), {"page_size": 3})
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("export-limit")


@pytest.fixture
def small_policy(db):
    from customers.models import CustodyPolicy

    policy = CustodyPolicy.current()
    policy.export_row_limit = 3
    policy.save()
    return policy


@pytest.mark.parametrize("rows", [1, 12])
def test_list_and_detail_take_a_constant_number_of_queries(
    rows, api_as, manager1, sales1, django_assert_num_queries
):
    for _ in range(rows):
        booking = BookingFactory(customer=CustomerFactory(owner=sales1))
    api = api_as(manager1)
    api.get(reverse("api:booking-list"))  # the token's first use is recorded once
    with django_assert_num_queries(LIST_QUERIES):
        assert api.get(reverse("api:booking-list")).status_code == 200
    with django_assert_num_queries(DETAIL_QUERIES):
        assert api.get(reverse("api:booking-detail", kwargs={"pk": booking.pk})).status_code == 200


# The token, the roles, the page; the guard: the policy, a savepoint, the actor's row
# locked, the rows already taken in the window, the audit row, the release.
LIST_QUERIES = 9
DETAIL_QUERIES = 9


# --- The batch ---------------------------------------------------------------------------


def test_a_batch_of_500_mixed_items_reports_each_and_saves_the_valid_ones(
    api_as, sales1, sales3, sanya, django_capture_on_commit_callbacks
):
    mine = [CustomerFactory(owner=sales1) for _ in range(5)]
    theirs = CustomerFactory(owner=sales3)
    items = []
    for i in range(500):
        item = {"source": "booking-system", "number": f"B-{i:04d}", **body(mine[i % 5])}
        if i % 50 == 7:
            item["status"] = "lost"  # invalid shape
        elif i % 50 == 13:
            item["customer"] = theirs.pk  # not a customer sales1 sees
        elif i % 50 == 21:
            item["end_date"] = "2026-12-01"  # before the start: the model refuses
        elif i % 50 == 33:
            item.update(status="paid", paid_date=PAID_ON.isoformat())
        items.append(item)
    items[499] = "not an object"

    api = api_as(sales1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("api:booking-batch"), {"bookings": items}, format="json")

    assert response.status_code == 200
    result = response.json()
    assert result["summary"] == {
        "created": 469,
        "updated": 0,
        "unchanged": 0,
        "invalid": 31,
        "forbidden": 0,
    }
    rows = result["results"]
    assert [row["index"] for row in rows] == list(range(500))
    assert rows[7]["status"] == "invalid"
    assert rows[7]["errors"][0]["field"] == "status"
    assert rows[7]["number"] == "B-0007"
    assert rows[13]["errors"][0]["field"] == "customer"
    assert rows[21]["errors"][0]["field"] == "end_date"
    assert rows[499]["errors"][0]["detail"] == "Each booking must be an object."
    assert rows[0]["status"] == "created"
    assert rows[0]["id"] == Booking.objects.get(source_number="B-0000").pk
    assert Booking.objects.count() == 469
    assert not Booking.objects.filter(customer=theirs).exists()
    # The ten paid ones earned their points, once each.
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 10

    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(reverse("api:booking-batch"), {"bookings": items}, format="json")
    assert again.json()["summary"]["unchanged"] == 469
    assert Booking.objects.count() == 469
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 10


@pytest.mark.parametrize(
    "payload",
    [{}, {"bookings": []}, {"bookings": "x"}, {"bookings": [{}] * 501}, [1, 2]],
)
def test_a_batch_that_cannot_be_read_is_refused_whole(api_as, sales1, payload):
    response = api_as(sales1).post(reverse("api:booking-batch"), payload, format="json")
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_the_same_number_twice_in_a_batch_the_later_item_wins(
    api_as, sales1, customer_of_sales1, sanya
):
    first = {"source": "website", "number": "W1", **body(customer_of_sales1)}
    second = {**first, "head_count": 5}
    response = api_as(sales1).post(
        reverse("api:booking-batch"), {"bookings": [first, second]}, format="json"
    )
    assert [row["status"] for row in response.json()["results"]] == ["created", "updated"]
    assert Booking.objects.get().head_count == 5
