"""The frequency cap counts contacts made (issue 14, item 6) and its priority order; an
on-site visit is logged only with an appointment, at every door (item 7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import ContactRecord
from customers.services import contact_record_create
from followups.models import Followup, FollowupKind, FollowupStatus, StandingVisit
from followups.services import followup_complete, followup_confirm_appointment, planning_run
from tests.factories import BookingFactory, ContactRecordFactory, CustomerFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
VISIT_REFUSED = "An on-site visit needs an appointment confirmed by phone first"


def plan(today=TODAY):
    return planning_run(today=today, now=at(today, 6))


def quiet_customer(owner, **fields):
    """Contacted 20 days ago: no regular contact due, no cap in the way."""
    customer = CustomerFactory(owner=owner, birthday=None, id_number="", sex="", **fields)
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 20 * DAY))
    return customer


def planned(customer, kind, due_on, **fields):
    return Followup.objects.create(
        customer=customer,
        owner=customer.owner,
        kind=kind,
        occasion_key=fields.pop("key", f"test:{kind}:{due_on}"),
        facts={"last": None, "grade": "C"},
        channel=fields.pop("channel", "phone"),
        planned_on=due_on,
        due_on=due_on,
        **fields,
    )


def log(customer, channel="phone", when=None, capture=None):
    with capture(execute=True):
        return contact_record_create(
            actor=customer.owner,
            customer=customer,
            channel=channel,
            outcome="reached",
            contacted_at=when or at(TODAY, 9),
        )


# --- Item 6: contacts made count, at once ---------------------------------------------------


def test_a_contact_logged_moves_planned_follow_ups_within_the_cap(
    sales1, frozen, django_capture_on_commit_callbacks
):
    customer = quiet_customer(sales1, is_key_account=True)
    BookingFactory(customer=customer, start_date=TODAY - 5 * DAY, end_date=TODAY)
    plan()
    visit = Followup.objects.get(customer=customer, kind=FollowupKind.POST_TRIP)
    monthly = Followup.objects.get(customer=customer, kind=FollowupKind.KEY_ACCOUNT)
    assert (visit.due_on, monthly.due_on) == (TODAY + 3 * DAY, TODAY + 17 * DAY)
    far = planned(customer, FollowupKind.REGULAR, TODAY + 30 * DAY)
    log(customer, capture=django_capture_on_commit_callbacks)  # a call today, before the run
    visit.refresh_from_db()
    monthly.refresh_from_db()
    far.refresh_from_db()
    # As the planning job would have moved them: the first allowed day after the call,
    # then the cap between them in the priority order.
    assert visit.due_on == TODAY + 14 * DAY and visit.cap_days == 14
    assert "14-day frequency cap" in visit.cap_note
    assert monthly.due_on == TODAY + 28 * DAY
    # An open regular contact is superseded by the contact, as the job does it.
    assert far.status == FollowupStatus.SUPERSEDED


def test_uncapped_work_is_not_moved_by_a_contact(
    sales1, frozen, django_capture_on_commit_callbacks
):
    customer = quiet_customer(sales1)
    greeting = planned(customer, FollowupKind.GREETING, TODAY + 2 * DAY, occasion="birthday")
    far = planned(customer, FollowupKind.POST_TRIP, TODAY + 14 * DAY)
    log(customer, capture=django_capture_on_commit_callbacks)
    greeting.refresh_from_db()
    far.refresh_from_db()
    assert greeting.due_on == TODAY + 2 * DAY  # greetings fall on their day
    assert far.due_on == TODAY + 14 * DAY and far.cap_days is None  # already 14 days away


def test_the_job_and_the_signal_move_alike(sales1, frozen, django_capture_on_commit_callbacks):
    """One rule: a contact logged before the run (the signal) or found by the run."""
    by_signal = quiet_customer(sales1)
    by_job = quiet_customer(sales1)
    for customer in (by_signal, by_job):
        BookingFactory(customer=customer, start_date=TODAY - 6 * DAY, end_date=TODAY - DAY)
    plan()
    log(by_signal, capture=django_capture_on_commit_callbacks, when=at(TODAY, 9))
    ContactRecordFactory(customer=by_job, contacted_at=at(TODAY, 9))  # no signal (bulk load)
    plan(TODAY + DAY)  # the job's pass over customers contacted since yesterday does it
    dues = {
        f.customer_id: (f.due_on, f.cap_days)
        for f in Followup.objects.filter(kind=FollowupKind.POST_TRIP)
    }
    assert dues[by_signal.pk] == dues[by_job.pk] == (TODAY + 14 * DAY, 14)


def test_a_post_trip_visit_goes_ahead_of_a_routine_call(sales1, frozen):
    """Before: the post-trip visit waited 14 days behind a call planned earlier (19 days
    after its due date, three weeks after the trip). Now the call makes way."""
    customer = quiet_customer(sales1)
    call = planned(customer, FollowupKind.REGULAR, TODAY + 5 * DAY)
    BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    run = plan()
    visit = Followup.objects.get(customer=customer, kind=FollowupKind.POST_TRIP)
    call.refresh_from_db()
    assert visit.due_on == TODAY and visit.cap_days is None
    assert call.due_on == TODAY + 14 * DAY and call.cap_days == 14
    assert run.moved_by_cap == 1


def test_priority_order_appointment_post_trip_key_account_regular(sales1, frozen):
    customer = quiet_customer(sales1, is_key_account=True)
    agreed = planned(
        customer, FollowupKind.KEY_ACCOUNT, TODAY + 2 * DAY, channel="visit", key="month:2026-11"
    )
    followup_confirm_appointment(
        actor=sales1, followup=agreed, appointment_at=at(TODAY + 2 * DAY, 15)
    )
    call = planned(customer, FollowupKind.REGULAR, TODAY + DAY)
    BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    plan()
    visit = Followup.objects.get(customer=customer, kind=FollowupKind.POST_TRIP)
    agreed.refresh_from_db()
    call.refresh_from_db()
    assert agreed.due_on == TODAY + 2 * DAY  # the customer expects us: never moved
    assert visit.due_on == TODAY + 16 * DAY  # after the appointment
    assert call.due_on == TODAY + 30 * DAY  # after the post-trip visit


# --- Item 7: an on-site visit needs an appointment, at every door ---------------------------


def test_the_service_refuses_a_visit_without_an_appointment(sales1, frozen):
    customer = quiet_customer(sales1)
    with pytest.raises(ValidationError, match=VISIT_REFUSED):
        contact_record_create(actor=sales1, customer=customer, channel="visit", outcome="reached")
    contact_record_create(actor=sales1, customer=customer, channel="phone", outcome="reached")
    assert not ContactRecord.objects.filter(customer=customer, channel="visit").exists()


def test_a_confirmed_appointment_allows_the_visit_and_is_used_by_it(
    sales1, frozen, django_capture_on_commit_callbacks
):
    customer = quiet_customer(sales1, is_key_account=True)
    monthly = planned(customer, FollowupKind.KEY_ACCOUNT, TODAY, channel="visit")
    followup_confirm_appointment(actor=sales1, followup=monthly, appointment_at=at(TODAY, 15))
    record = log(customer, "visit", at(TODAY, 16), capture=django_capture_on_commit_callbacks)
    monthly.refresh_from_db()
    assert (monthly.status, monthly.contact_record) == (FollowupStatus.DONE, record)
    # The appointment was used: a second visit needs another one.
    with pytest.raises(ValidationError, match=VISIT_REFUSED):
        log(customer, "visit", at(TODAY, 17), capture=django_capture_on_commit_callbacks)


def test_a_standing_weekly_visit_allows_visits_on_its_day(sales1, frozen):
    customer = quiet_customer(sales1, is_key_account=True)
    StandingVisit.objects.create(
        customer=customer, weekday=TODAY.weekday(), time=datetime.time(9), created_by=sales1
    )
    contact_record_create(
        actor=sales1, customer=customer, channel="visit", outcome="reached",
        contacted_at=at(TODAY, 9),
    )  # fmt: skip
    with pytest.raises(ValidationError, match=VISIT_REFUSED):
        contact_record_create(
            actor=sales1, customer=customer, channel="visit", outcome="reached",
            contacted_at=at(TODAY - DAY, 9),
        )  # fmt: skip


def test_completing_a_visit_follow_up_still_works(sales1, frozen):
    customer = quiet_customer(sales1, is_key_account=True)
    monthly = planned(customer, FollowupKind.KEY_ACCOUNT, TODAY, channel="visit")
    followup_confirm_appointment(actor=sales1, followup=monthly, appointment_at=at(TODAY, 15))
    record = followup_complete(actor=sales1, followup=monthly, outcome="reached", channel="visit")
    assert record.channel == "visit"


def test_the_page_form_says_why(sales1, client_as, frozen):
    customer = quiet_customer(sales1)
    response = client_as(sales1).post(
        reverse("customers:contact_log", args=[customer.pk]),
        {"channel": "visit", "outcome": "reached", "contacted_at": "2026-11-23T05:00"},
    )
    assert response.status_code == 200
    assert VISIT_REFUSED in response.text
    assert not ContactRecord.objects.filter(customer=customer, channel="visit").exists()


def test_the_admin_form_says_why(manager1, sales1, client_as, frozen):
    customer = quiet_customer(sales1)
    response = client_as(manager1).post(
        reverse("admin:customers_contactrecord_add"),
        {"customer": customer.pk, "channel": "visit", "outcome": "reached",
         "contacted_at_0": "2026-11-22", "contacted_at_1": "10:00:00", "notes": "上门"},
    )  # fmt: skip
    assert response.status_code == 200
    assert VISIT_REFUSED in response.text
    assert not ContactRecord.objects.filter(customer=customer, channel="visit").exists()
