"""The daily planning respects marketing consent (privacy): no greetings or routine
calls for a person without consent for the channel, or who withdrew it; post-trip visits
(service of the trip) go on; organisations are not people and are not gated."""

import datetime

import pytest

from followups.models import Followup, FollowupKind, FollowupStatus
from followups.services import planning_run
from privacy.models import Consent, ConsentText, Purpose
from privacy.services import consent_give, consent_withdraw
from tests.factories import (
    BookingFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
)
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
CONSENT_AS_RECORDED = True  # no blanket consent from tests/followups/conftest.py
DAY = datetime.timedelta(days=1)
BIRTHDAY_IN_WINDOW = datetime.date(1980, 11, 26)  # greeted 3 days ahead of TODAY


@pytest.fixture
def text(db):
    return ConsentText.objects.create(
        version="v1", title="同意书", body="……", published_on=datetime.date(2026, 1, 1)
    )


def person(owner, **fields):
    customer = CustomerFactory(owner=owner, id_number="", sex="", grade="C", **fields)
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 20 * DAY))
    return customer


def give(actor, customer, text, *purposes, when=None):
    consent_give(
        actor=actor,
        customer=customer,
        purposes=purposes,
        method="paper",
        text=text,
        given_at=when or at(TODAY - 30 * DAY),
        now=at(TODAY, 5),
    )


def plan(today=TODAY):
    return planning_run(today=today, now=at(today, 6))


def greetings():
    return Followup.objects.filter(kind=FollowupKind.GREETING)


def test_a_birthday_greeting_needs_consent_for_its_channel(sales1, text, frozen):
    silent = person(sales1, name="未同意", birthday=BIRTHDAY_IN_WINDOW)
    by_phone_only = person(sales1, name="只同意电话", birthday=BIRTHDAY_IN_WINDOW)
    by_wechat = person(sales1, name="同意微信", birthday=BIRTHDAY_IN_WINDOW)
    give(sales1, by_phone_only, text, Purpose.MARKETING_PHONE)
    give(sales1, by_wechat, text, Purpose.MARKETING_WECHAT)
    plan()
    # A grade C person is greeted by WeChat: only the one who agreed to WeChat.
    assert [(g.customer, g.channel) for g in greetings()] == [(by_wechat, "wechat")]
    assert silent and by_phone_only


def test_withdrawn_today_nothing_planned_from_today_and_service_visits_go_on(
    sales1, text, frozen, time_machine
):
    customer = person(sales1, name="今天撤回", birthday=BIRTHDAY_IN_WINDOW)
    give(sales1, customer, text, Purpose.MARKETING_WECHAT, Purpose.MARKETING_PHONE)
    BookingFactory(customer=customer, start_date=TODAY - 4 * DAY, end_date=TODAY)
    # Withdrawn this morning, before the 06:00 run...
    consent_withdraw(
        actor=sales1,
        customer=customer,
        purposes=[Purpose.MARKETING_WECHAT, Purpose.MARKETING_PHONE],
        method="phone",
        now=at(TODAY, 0, 30),
    )
    plan()
    kinds = set(Followup.objects.filter(customer=customer).values_list("kind", flat=True))
    assert kinds == {FollowupKind.POST_TRIP}


def test_a_withdrawal_skips_what_was_already_planned_at_once(sales1, text, frozen):
    customer = person(sales1, name="撤回前已计划", birthday=BIRTHDAY_IN_WINDOW)
    give(sales1, customer, text, Purpose.MARKETING_WECHAT)
    BookingFactory(customer=customer, start_date=TODAY - 4 * DAY, end_date=TODAY)
    plan()
    greeting = greetings().get(customer=customer)
    assert greeting.status == FollowupStatus.OPEN
    consent_withdraw(
        actor=sales1, customer=customer, purposes=[Purpose.MARKETING_WECHAT], method="online"
    )
    greeting.refresh_from_db()
    assert greeting.status == FollowupStatus.SKIPPED
    assert greeting.note == "Marketing consent withdrawn"
    post_trip = Followup.objects.get(customer=customer, kind=FollowupKind.POST_TRIP)
    assert post_trip.status == FollowupStatus.OPEN


def test_routine_calls_need_phone_consent(sales1, text, no_plan_ahead, frozen):
    due = TODAY - 200 * DAY  # past every grade's cadence
    without = CustomerFactory(owner=sales1, id_number="", birthday=None, sex="", name="没同意")
    agreed = CustomerFactory(owner=sales1, id_number="", birthday=None, sex="", name="同意电话")
    for customer in (without, agreed):
        ContactRecordFactory(customer=customer, contacted_at=at(due))
    give(sales1, agreed, text, Purpose.MARKETING_PHONE)
    plan()
    regular = Followup.objects.filter(kind=FollowupKind.REGULAR)
    assert [f.customer for f in regular] == [agreed]


def test_organisations_are_greeted_without_a_person_s_consent(sales1, frozen):
    company = OrganisationFactory(owner=sales1, founding_date=datetime.date(2001, 11, 26))
    plan()
    assert greetings().filter(customer=company, occasion="founding").exists()
    assert not Consent.objects.exists()


def test_the_mailing_leaves_out_people_without_postal_consent_and_says_why(
    manager1, sales1, text, client_as
):
    from django.urls import reverse

    from followups.models import CatalogueMailing
    from tests.factories import DestinationFactory

    thailand = DestinationFactory(name="泰国")
    agreed = CustomerFactory(owner=sales1, name="同意邮寄")
    never = CustomerFactory(owner=sales1, name="从未同意")
    withdrew = CustomerFactory(owner=sales1, name="已撤回")
    company = OrganisationFactory(owner=sales1, name="某公司")
    for customer in (agreed, never, withdrew, company):
        customer.desired_destinations.add(thailand)
    give(sales1, agreed, text, Purpose.MARKETING_POST)
    give(sales1, withdrew, text, Purpose.MARKETING_POST)
    consent_withdraw(
        actor=sales1, customer=withdrew, purposes=[Purpose.MARKETING_POST], method="phone"
    )
    client = client_as(manager1)
    client.post(
        reverse("followups:mailings"),
        {"title": "泰国目录", "mailed_on": "2026-09-01", "destination_choices": [thailand.pk]},
    )
    mailing = CatalogueMailing.objects.get()
    recipients = set(mailing.recipients.values_list("customer_id", flat=True))
    assert recipients == {agreed.pk, company.pk}
    left_out = client.get(mailing.get_absolute_url()).text.split('data-testid="no-consent"')[1]
    left_out = left_out.split("</table>")[0]
    assert "从未同意" in left_out and "No consent on record" in left_out
    assert "已撤回" in left_out and "Withdrew consent on" in left_out
    assert "同意邮寄" not in left_out and "某公司" not in left_out


def test_event_invitations_leave_out_people_without_consent_and_list_them(
    manager1, sales1, text, client_as
):

    from followups.models import CustomerEvent

    agreed = CustomerFactory(owner=sales1, name="愿意参加")
    never = CustomerFactory(owner=sales1, name="未同意邀请")
    type(agreed).objects.filter(pk__in=[agreed.pk, never.pk]).update(grade="A")
    give(sales1, agreed, text, Purpose.MARKETING_EVENTS)
    event = CustomerEvent.objects.create(
        name="答谢会", starts_at=at(TODAY + 30 * DAY), venue="酒店", created_by=manager1
    )
    response = client_as(manager1).post(event.get_absolute_url(), {"grades": ["A"]})
    assert list(event.invitations.values_list("customer_id", flat=True)) == [agreed.pk]
    left_out = response.text.split('data-testid="no-consent"')[1].split("</table>")[0]
    assert "未同意邀请" in left_out and "愿意参加" not in left_out
