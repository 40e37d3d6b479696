"""One table of URLs, run through every role: the project-wide promise that out-of-scope
customer work answers 404 (never 403, so nothing leaks), that nobody reaches anything
without logging in, and that the managers' pages are theirs.

The objects all belong to sales3's customer (team North). sales1 and lead1 (team East)
must not learn they exist; sales3 and the managers may open them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import (
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    Followup,
    KeyAccountRecord,
)
from followups.services.care import key_account_record_create
from followups.services.planning import planning_run
from loyalty.services import card_issue
from tests.factories import BookingFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def north(customer_of_sales3, sales3):
    """sales3's customer with a follow-up, a key-account record, feedback and a card."""
    customer = customer_of_sales3
    customer.is_key_account = True
    customer.save(update_fields=["is_key_account"])
    BookingFactory(
        customer=customer,
        start_date=TODAY - datetime.timedelta(days=8),
        end_date=TODAY - datetime.timedelta(days=3),
        paid_date=TODAY - datetime.timedelta(days=30),
        payment_due_date=TODAY - datetime.timedelta(days=30),
    )
    planning_run(today=TODAY)
    followup = Followup.objects.filter(customer=customer).first()
    assert followup is not None, "planning made no follow-up for the fixture customer"
    record = key_account_record_create(
        actor=sales3,
        record=KeyAccountRecord(
            customer=customer,
            visit_date=TODAY,
            agency_attendees="张伟",
            customer_attendees="钱总",
            topics="明年团建",
        ),
    )
    feedback = ServiceRecordFactory(customer=customer, kind="complaint")
    card = card_issue(actor=sales3, customer=customer)
    return {
        "customer": customer.pk,
        "followup": followup.pk,
        "record": record.pk,
        "feedback": feedback.pk,
        "card": card.pk,
    }


# URLs about sales3's customer: (url name, the fixture key of its argument).
CUSTOMER_WORK = [
    ("customers:detail", "customer"),
    ("customers:print", "customer"),
    ("tiers:customer_grade", "customer"),
    ("followups:detail", "followup"),
    ("followups:key_record_new", "customer"),
    ("followups:key_record", "record"),
    ("followups:feedback_new", "customer"),
    ("followups:feedback_detail", "feedback"),
    ("loyalty:statement", "card"),
    ("loyalty:statement_csv", "card"),
    ("loyalty:redeem", "card"),
    ("privacy:customer_consent", "customer"),
]

# Pages every member of staff opens (each shows only what its reader may see).
EVERYONE = ["home", "tiers:report", "followups:my_day", "followups:feedback", "loyalty:home"]
# Pages for managers only: to everyone else they do not exist (404, never 403).
MANAGERS = [
    "tiers:review_list",
    "loyalty:liability",
    "followups:events",
    "followups:mailings",
    "customers:alerts",
    "customers:outbox",
    "customers:staff",
    "customers:staff_new",
    "customers:lockouts",
    "twofactor:staff",
]
# Managers' objects (an event, a catalogue mailing): the same, whatever the object.
MANAGER_OBJECTS = [
    ("followups:event_detail", "event"),
    ("followups:mailing_detail", "mailing"),
    ("followups:mailing_csv", "mailing"),
    ("followups:mailing_labels", "mailing"),
    ("loyalty:adjust", "card"),
]


def _url(name, north, key):
    return reverse(name, args=[north[key]])


@pytest.mark.parametrize(("name", "key"), CUSTOMER_WORK)
@pytest.mark.parametrize("outsider", ["sales1", "lead1"])
def test_another_teams_customer_work_is_not_found(staff, north, client_as, name, key, outsider):
    response = client_as(staff[outsider]).get(_url(name, north, key))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "key"), CUSTOMER_WORK)
def test_a_manager_opens_any_customers_work(staff, north, client_as, name, key):
    response = client_as(staff["manager1"]).get(_url(name, north, key))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "key"),
    [(n, k) for n, k in CUSTOMER_WORK if n != "tiers:customer_grade"],  # managers set grades
)
def test_the_owner_opens_their_customers_work(staff, north, client_as, name, key):
    response = client_as(staff["sales3"]).get(_url(name, north, key))
    assert response.status_code == 200


@pytest.mark.parametrize("name", EVERYONE)
@pytest.mark.parametrize("role", ["sales1", "lead1", "manager1"])
def test_everyday_pages_open_for_staff(staff, client_as, name, role):
    assert client_as(staff[role]).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", MANAGERS)
@pytest.mark.parametrize("role", ["sales1", "sales3", "lead1", "custodian1", "finance1"])
def test_managers_pages(staff, client_as, name, role):
    assert client_as(staff["manager1"]).get(reverse(name)).status_code == 200
    assert client_as(staff[role]).get(reverse(name)).status_code == 404


@pytest.fixture
def managers_objects(north, manager1):
    event = CustomerEvent.objects.create(
        name="答谢会", starts_at=timezone.now(), venue="酒店", created_by=manager1
    )
    invitation = EventInvitation.objects.create(
        event=event, customer_id=north["customer"], invited_by=manager1, invited_at=timezone.now()
    )
    mailing = CatalogueMailing.objects.create(
        title="新线目录", mailed_on=TODAY, created_by=manager1
    )
    return {**north, "event": event.pk, "invitation": invitation.pk, "mailing": mailing.pk}


@pytest.mark.parametrize(("name", "key"), MANAGER_OBJECTS)
@pytest.mark.parametrize("role", ["sales1", "sales3", "lead1", "custodian1", "finance1"])
def test_managers_objects_are_not_found_by_others(
    staff, managers_objects, client_as, name, key, role
):
    url = _url(name, managers_objects, key)
    assert client_as(staff["manager1"]).get(url).status_code == 200
    assert client_as(staff[role]).get(url).status_code == 404


@pytest.mark.parametrize("role", ["sales1", "sales3", "lead1"])
def test_a_rep_cannot_record_an_invitation_reply(staff, managers_objects, client_as, role):
    url = reverse("followups:invitation_update", args=[managers_objects["invitation"]])
    response = client_as(staff[role]).post(url, {"reply": "accepted"})
    assert response.status_code == 404
    assert EventInvitation.objects.get().reply != "accepted"


@pytest.mark.parametrize(
    "url",
    [lambda n, name=name: reverse(name) for name in EVERYONE + MANAGERS]
    + [lambda n, name=name, key=key: _url(name, n, key) for name, key in CUSTOMER_WORK],
)
def test_nothing_without_logging_in(north, client, url):
    response = client.get(url(north))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Admin history pages (read-only, audited, masked: customers/admin_history.py) of
# sales3's customer and its booking. The admin is for staff (managers, custodians);
# everyone else is sent to the admin's login and shown nothing.
ADMIN_HISTORY = [
    "admin:customers_customer_history",
    "admin:customers_customer_simple_history",
    "admin:customers_booking_history",
    "admin:customers_booking_simple_history",
]


@pytest.fixture
def north_history(north):
    from customers.models import Booking, Customer

    customer = Customer.objects.get(pk=north["customer"])
    booking = Booking.objects.filter(customer=customer).first()
    return {
        "admin:customers_customer_history": [customer.pk],
        "admin:customers_customer_simple_history": [
            customer.pk,
            customer.history.first().history_id,
        ],
        "admin:customers_booking_history": [booking.pk],
        "admin:customers_booking_simple_history": [
            booking.pk,
            booking.history.first().history_id,
        ],
    }


@pytest.mark.parametrize("name", ADMIN_HISTORY)
@pytest.mark.parametrize("role", ["sales1", "sales3", "lead1", "finance1"])
def test_admin_history_is_not_for_those_without_admin_access(
    staff, north_history, client_as, name, role
):
    response = client_as(staff[role]).get(reverse(name, args=north_history[name]))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", ADMIN_HISTORY)
@pytest.mark.parametrize("role", ["manager1", "custodian1"])
def test_admin_history_opens_read_only_for_managers_and_custodians(
    staff, north_history, client_as, name, role
):
    client = client_as(staff[role])
    url = reverse(name, args=north_history[name])
    assert client.get(url).status_code == 200
    if name.endswith("simple_history"):
        assert client.post(url, {"name": "reverted"}).status_code == 405


@pytest.mark.parametrize("name", ADMIN_HISTORY)
def test_admin_history_needs_logging_in(north_history, client, name):
    response = client.get(reverse(name, args=north_history[name]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


FOLLOWUP_POSTS = ["complete", "reschedule", "skip", "appointment", "snooze"]


@pytest.mark.parametrize("outsider", ["sales1", "lead1"])
def test_another_teams_follow_up_cannot_be_worked(staff, north, client_as, outsider):
    """My day's doors that write (each action on one follow-up, and the greetings in
    bulk) are 404 outside the user's scope, and nothing changes."""
    client = client_as(staff[outsider])
    before = Followup.objects.values().get(pk=north["followup"])
    for action in FOLLOWUP_POSTS:
        url = reverse(f"followups:{action}", args=[north["followup"]])
        data = {"outcome": "reached", "days": "1", "reason": "x", "due_on": "2026-12-30"}
        assert client.post(url, data).status_code == 404, action
    bulk = client.post(
        reverse("followups:greetings_bulk"), {"action": "sent", "selected": [north["followup"]]}
    )
    assert bulk.status_code == 404
    assert Followup.objects.values().get(pk=north["followup"]) == before


def test_my_days_writes_need_logging_in(north, client):
    for url in (
        reverse("followups:snooze", args=[north["followup"]]),
        reverse("followups:greetings_bulk"),
    ):
        response = client.post(url, {"days": "1", "reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
