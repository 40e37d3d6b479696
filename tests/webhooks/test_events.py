"""Events come out of the real services, in the transaction of the change, with the ID
number masked; nothing is written when nobody listens; the change never fails for it."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import BookingStatus, Customer
from customers.services import booking_save, customer_update
from loyalty.services import booking_points_sync
from tests.factories import BookingFactory, CustomerFactory, DestinationFactory
from tests.webhooks.conftest import create_customer
from tiers.services import grade_override, half_yearly_review, proposals_decide
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import endpoint_set_active

pytestmark = pytest.mark.django_db

ALL_EVENTS = (
    "customer.created",
    "customer.updated",
    "booking.paid",
    "grade.changed",
    "points.changed",
)
URL = "http://127.0.0.1:9/hooks"  # never contacted in these tests


def bodies(event: str) -> list[dict]:
    return [
        json.loads(body)
        for body in Delivery.objects.filter(event=event)
        .order_by("created_at", "pk")
        .values_list("body", flat=True)
    ]


def assert_masked(body_text: str, id_number: str) -> None:
    assert id_number not in body_text
    assert id_number[:6] not in body_text  # no region
    assert id_number[6:14] not in body_text  # no birth date
    assert ("*" * 14 + id_number[-4:]) in body_text


def test_customer_created_and_updated_through_the_services(register, sales1):
    register(URL, events=ALL_EVENTS)
    customer = create_customer(sales1)

    (created,) = bodies("customer.created")
    assert created["type"] == "customer.created"
    assert created["data"]["customer"] == {
        "id": customer.pk,
        "kind": "individual",
        "name": "孙悦1",
        "id_number": "*" * 14 + customer.id_number[-4:],
        "grade": None,
        "status": customer.status,
    }

    customer.occupation = "教师"
    customer_update(actor=sales1, customer=customer)
    (updated,) = bodies("customer.updated")
    assert updated["data"]["changed_fields"] == ["occupation"]
    assert "教师" not in json.dumps(updated, ensure_ascii=False)  # names of fields, not values
    assert_masked(Delivery.objects.get(event="customer.updated").body, customer.id_number)

    # Saved again without a change: nothing to announce.
    customer_update(actor=sales1, customer=Customer.objects.get(pk=customer.pk))
    assert Delivery.objects.filter(event="customer.updated").count() == 1


def test_booking_paid_through_booking_save_once(register, sales1):
    register(URL, events=["booking.paid"])
    customer = CustomerFactory(owner=sales1)
    booking = BookingFactory.build(
        customer=customer,
        destination=DestinationFactory(),
        status=BookingStatus.BOOKED,
        paid_date=None,
        source="website",
        source_number="W-1001",
    )
    booking_save(actor=sales1, booking=booking)
    assert Delivery.objects.count() == 0  # booked, not paid

    booking.status = BookingStatus.PAID
    booking.paid_date = datetime.date(2026, 2, 18)
    booking_save(actor=sales1, booking=booking)
    booking.head_count = 3  # changed again, still paid: not paid again
    booking_save(actor=sales1, booking=booking)

    (paid,) = bodies("booking.paid")
    assert paid["data"]["booking"]["id"] == booking.pk
    assert paid["data"]["booking"]["source_number"] == "W-1001"
    assert paid["data"]["booking"]["paid_date"] == "2026-02-18"
    assert Decimal(paid["data"]["booking"]["amount"]) == booking.amount
    assert paid["data"]["customer"]["id"] == customer.pk
    assert_masked(Delivery.objects.get().body, customer.id_number)


def test_grade_changed_through_the_tiers_service(register, sales1, manager1):
    register(URL, events=["grade.changed"])
    customer = CustomerFactory(owner=sales1)
    grade_override(actor=manager1, customer=customer, grade="A", reason="口碑好")

    (changed,) = bodies("grade.changed")
    assert changed["data"]["grade_change"]["from_grade"] is None
    assert changed["data"]["grade_change"]["to_grade"] == "A"
    assert changed["data"]["grade_change"]["source"] == "manual"
    assert changed["data"]["customer"]["grade"] == "A"
    assert_masked(Delivery.objects.get().body, customer.id_number)


def test_points_changed_through_loyalty_earning(register, sales1):
    register(URL, events=["points.changed"])
    customer = CustomerFactory(owner=sales1)
    booking = BookingFactory(customer=customer, amount=Decimal("8000.00"), cost=Decimal("0"))

    result = booking_points_sync(booking_id=booking.pk, today=datetime.date(2026, 11, 23))

    assert result.earned > 0
    (points,) = bodies("points.changed")
    assert points["data"]["points"] == result.earned
    assert points["data"]["card"]["balance"] == result.earned
    assert points["data"]["kinds"] == ["earn"]
    assert points["data"]["booking_ids"] == [booking.pk]
    assert points["data"]["customer"]["id"] == customer.pk
    assert_masked(Delivery.objects.get().body, customer.id_number)


def test_one_delivery_per_listening_endpoint(register, sales1):
    register(URL, events=["customer.created"], name="A")
    register(URL, events=["customer.created", "booking.paid"], name="B")
    register(URL, events=["booking.paid"], name="C")
    create_customer(sales1)
    deliveries = Delivery.objects.filter(event="customer.created")
    assert sorted(deliveries.values_list("endpoint__name", flat=True)) == ["A", "B"]
    # One event: the same body (and event id) for both.
    assert len(set(deliveries.values_list("body", flat=True))) == 1


def test_nothing_is_written_when_no_endpoint_listens(register, sales1, manager1):
    create_customer(sales1, n=1)  # no endpoints at all
    endpoint, _secret = register(URL, events=["booking.paid"])
    create_customer(sales1, n=2)  # an endpoint, but not for this event
    endpoint_set_active(actor=manager1, endpoint=endpoint, active=False)
    BookingFactory(customer=CustomerFactory(owner=sales1))
    booking = BookingFactory.build(
        customer=CustomerFactory(owner=sales1), destination=DestinationFactory()
    )
    booking_save(actor=sales1, booking=booking)  # paid, but the endpoint is disabled
    assert Delivery.objects.count() == 0


def test_the_change_commits_when_writing_the_event_fails(register, sales1, monkeypatch, caplog):
    register(URL, events=["customer.created"])

    def broken(**kwargs):
        raise RuntimeError("outbox table gone")

    monkeypatch.setattr("webhooks.receivers.outbox_write", broken)
    customer = create_customer(sales1)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert Delivery.objects.count() == 0
    assert "not written" in caplog.text


def test_the_change_commits_when_the_receiver_is_down(
    register, sales1, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_SEND_ON_COMMIT = True
    register(URL, events=["customer.created"])  # port 9: nothing listens

    with django_capture_on_commit_callbacks(execute=True):
        customer = create_customer(sales1)

    assert Customer.objects.filter(pk=customer.pk).exists()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is not None


def test_a_rolled_back_change_leaves_no_delivery(register, sales1):
    register(URL, events=["customer.created"])
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        create_customer(sales1)
        raise RuntimeError("the request failed after the save")
    assert Delivery.objects.count() == 0


def test_a_review_approving_many_grades_writes_the_outbox_in_one_insert(register, sales1, manager1):
    register(URL, events=["grade.changed"])
    customers = CustomerFactory.create_batch(40, owner=sales1)
    for customer in customers:
        BookingFactory(
            customer=customer,
            amount=Decimal("60000"),
            cost=Decimal("50000"),
            paid_date=datetime.date(2026, 6, 1),
            payment_due_date=datetime.date(2026, 6, 1),
            start_date=datetime.date(2026, 6, 1),
            end_date=datetime.date(2026, 6, 5),
        )
    evaluation = half_yearly_review(today=datetime.date(2027, 1, 1))

    with CaptureQueriesContext(connection) as queries:
        decided = proposals_decide(
            actor=manager1,
            evaluation=evaluation,
            proposals=evaluation.proposals.all(),
            send_email=False,
        )

    assert decided == 40
    assert Delivery.objects.filter(event="grade.changed").count() == 40
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len([sql for sql in inserts if "webhooks_delivery" in sql]) == 1
    grades = {body["data"]["grade_change"]["to_grade"] for body in bodies("grade.changed")}
    assert grades == {"A"}


def test_the_monthly_points_expiry_announces_each_card_set_based(register, sales1):
    from loyalty.services.jobs import points_expire

    register(URL, events=["points.changed"])
    customers = CustomerFactory.create_batch(3, owner=sales1)
    for customer in customers:
        booking = BookingFactory(customer=customer, amount=Decimal("5000"), cost=Decimal("0"))
        booking_points_sync(booking_id=booking.pk, today=datetime.date(2026, 11, 23))
    Delivery.objects.all().delete()  # the earning's own events

    lots, _points = points_expire(today=datetime.date(2030, 1, 1))

    assert lots == 3
    expired = bodies("points.changed")
    assert len(expired) == 3
    assert {body["data"]["customer"]["id"] for body in expired} == {c.pk for c in customers}
    assert all(body["data"]["card"]["balance"] == 0 for body in expired)
    assert all(body["data"]["kinds"] == ["expire"] for body in expired)


def test_a_customer_added_in_the_admin_is_announced(register, manager1, sales1, client_as):
    from django.urls import reverse

    register(URL, events=["customer.created"])
    response = client_as(manager1).post(
        reverse("admin:customers_customer_add"),
        {"kind": "individual", "name": "后台客户", "owner": sales1.pk, "status": "active",
         "mobile": "13912345678"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    (created,) = bodies("customer.created")
    assert created["data"]["customer"]["name"] == "后台客户"
