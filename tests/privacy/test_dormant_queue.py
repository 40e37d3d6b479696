"""Customer-data retention: a person with no business and no contact for the policy's
years is proposed by the daily job (idempotent, exactly the dormant ones), and a
custodian anonymises or keeps them from the queue, under the mass-deletion guard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditAction, AuditEntry, CustodyPolicy, Customer, SecurityAlert
from privacy.dormant import dormant_propose
from privacy.jobs import DORMANT_PROPOSE
from privacy.models import DormantProposal, DormantRun, PrivacyPolicy, ProposalStatus
from tests.archives.factories import BusinessArchiveFactory, TourGroupFactory
from tests.factories import (
    BookingFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
    ServiceRecordFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)
CUTOFF = datetime.date(2021, 12, 2)  # five years before TODAY


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _old(**kwargs) -> Customer:
    customer = CustomerFactory(**kwargs)
    Customer.all_objects.filter(pk=customer.pk).update(created_at=_at(datetime.date(2018, 1, 1)))
    return customer


def _proposed() -> set[int]:
    return set(
        DormantProposal.objects.filter(status=ProposalStatus.PROPOSED).values_list(
            "customer_id", flat=True
        )
    )


def test_the_job_proposes_exactly_the_dormant_people_with_the_day_boundary():
    never = _old()
    contact_on_cutoff = _old()
    ContactRecordFactory(customer=contact_on_cutoff, contacted_at=_at(CUTOFF, 0))
    contact_day_before = _old()
    ContactRecordFactory(
        customer=contact_day_before, contacted_at=_at(CUTOFF - datetime.timedelta(days=1), 23)
    )
    trip_on_cutoff = _old()
    BookingFactory(
        customer=trip_on_cutoff,
        start_date=datetime.date(2021, 11, 28),
        end_date=CUTOFF,
        payment_due_date=None,
        paid_date=datetime.date(2021, 11, 1),
    )
    trip_day_before = _old()
    BookingFactory(
        customer=trip_day_before,
        start_date=datetime.date(2021, 11, 28),
        end_date=CUTOFF - datetime.timedelta(days=1),
        payment_due_date=None,
        paid_date=datetime.date(2021, 11, 1),
    )
    recent_service = _old()
    ServiceRecordFactory(customer=recent_service, occurred_at=_at(datetime.date(2025, 6, 1)))
    added_recently = CustomerFactory()  # created today: not dormant however quiet
    organisation = OrganisationFactory()
    Customer.all_objects.filter(pk=organisation.pk).update(
        created_at=_at(datetime.date(2018, 1, 1))
    )

    run = dormant_propose(today=TODAY)

    assert _proposed() == {never.pk, contact_day_before.pk, trip_day_before.pk}
    assert run.proposed_count == 3
    assert contact_on_cutoff.pk not in _proposed() and added_recently.pk not in _proposed()
    proposal = DormantProposal.objects.get(customer=trip_day_before)
    assert proposal.last_business_on == CUTOFF - datetime.timedelta(days=1)
    contact = DormantProposal.objects.get(customer=contact_day_before)
    assert timezone.localdate(contact.last_contact_at) == CUTOFF - datetime.timedelta(days=1)


def test_the_job_is_idempotent_and_a_later_day_proposes_nobody_twice():
    _old()
    assert dormant_propose(today=TODAY).proposed_count == 1
    assert dormant_propose(today=TODAY) is None
    assert dormant_propose(today=TODAY + datetime.timedelta(days=1)).proposed_count == 0
    assert DormantProposal.objects.count() == 1
    assert DormantRun.objects.count() == 2


def test_the_policy_years_decide_and_the_job_runs_through_the_job_framework():
    from customers.jobs import job_catch_up, periodic_job

    customer = _old()
    ContactRecordFactory(customer=customer, contacted_at=_at(datetime.date(2024, 1, 1)))
    PrivacyPolicy.objects.update_or_create(pk=1, defaults={"dormant_years": 2})
    assert periodic_job(DORMANT_PROPOSE).task == "privacy.tasks.dormant_propose_task"
    assert job_catch_up(DORMANT_PROPOSE, today=TODAY) == 1
    assert job_catch_up(DORMANT_PROPOSE, today=TODAY) is None  # done already


@pytest.fixture
def queue(custodian1):
    people = [_old(name=f"休眠客户{n}") for n in range(3)]
    dormant_propose(today=TODAY)
    return people


def test_the_queue_lists_the_proposed_with_constant_queries(
    queue, custodian1, client_as, django_assert_max_num_queries
):
    client = client_as(custodian1)
    with django_assert_max_num_queries(12) as few:
        page = client.get(reverse("privacy:dormant_queue")).content.decode()
    for person in queue:
        assert person.name in page
    more = [_old() for _ in range(5)]
    dormant_propose(today=TODAY + datetime.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("privacy:dormant_queue")).content.decode()
    assert all(person.name in page for person in more)


def test_confirming_anonymises_the_selected_and_closes_their_proposals(
    queue, custodian1, client_as
):
    client = client_as(custodian1)
    ids = list(DormantProposal.objects.filter(customer__in=queue[:2]).values_list("pk", flat=True))
    response = client.post(
        reverse("privacy:dormant_queue"),
        {"selected": ids, "action": "anonymise", "understood": "on"},
        follow=True,
    )
    assert "2 anonymised" in response.content.decode()
    anonymised = Customer.all_objects.filter(anonymised_at__isnull=False)
    assert set(anonymised.values_list("pk", flat=True)) == {queue[0].pk, queue[1].pk}
    assert not anonymised.filter(name__startswith="休眠客户").exists()
    assert _proposed() == {queue[2].pk}
    decided = DormantProposal.objects.get(customer=queue[0])
    assert decided.status == ProposalStatus.ANONYMISED and decided.decided_by == custodian1
    assert "5 years" in decided.decision_reason


def test_without_the_confirmation_nothing_is_anonymised(queue, custodian1, client_as):
    ids = list(DormantProposal.objects.values_list("pk", flat=True))
    client_as(custodian1).post(
        reverse("privacy:dormant_queue"), {"selected": ids, "action": "anonymise"}
    )
    assert not Customer.all_objects.filter(anonymised_at__isnull=False).exists()


def test_keeping_needs_a_reason_and_is_not_proposed_again_for_a_year(queue, custodian1, client_as):
    client = client_as(custodian1)
    proposal = DormantProposal.objects.get(customer=queue[0])
    client.post(reverse("privacy:dormant_queue"), {"selected": [proposal.pk], "action": "keep"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    client.post(
        reverse("privacy:dormant_queue"),
        {"selected": [proposal.pk], "action": "keep", "reason": "客户来电表示明年出游"},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.KEPT
    # The decision is on the customer's audit trail: who kept them, why, until when.
    entry = AuditEntry.objects.get(customer=queue[0], detail__dormant="kept")
    assert (entry.actor, entry.action) == (custodian1, AuditAction.CHANGE)
    assert entry.detail["reason"] == "客户来电表示明年出游"
    assert proposal.keep_until == timezone.localdate().replace(year=timezone.localdate().year + 1)
    dormant_propose(today=proposal.keep_until - datetime.timedelta(days=1))
    assert queue[0].pk not in _proposed()
    dormant_propose(today=proposal.keep_until)
    assert queue[0].pk in _proposed()


def test_bulk_confirm_past_the_deletion_limit_is_refused_whole_and_alerts(
    queue, custodian1, client_as
):
    policy = CustodyPolicy.current()
    policy.deletion_limit = 2
    policy.save()
    ids = list(DormantProposal.objects.values_list("pk", flat=True))
    response = client_as(custodian1).post(
        reverse("privacy:dormant_queue"),
        {"selected": ids, "action": "anonymise", "understood": "on"},
        follow=True,
    )
    assert "Deletion refused" in response.content.decode()
    assert not Customer.all_objects.filter(anonymised_at__isnull=False).exists()
    assert SecurityAlert.objects.filter(actor=custodian1).exists()


def test_a_person_under_legal_hold_is_proposed_but_left_as_is_when_confirmed(custodian1, client_as):
    held = _old(name="诉讼中客户")
    booking = BookingFactory(
        customer=held,
        start_date=datetime.date(2019, 3, 1),
        end_date=datetime.date(2019, 3, 5),
        payment_due_date=None,
        paid_date=datetime.date(2019, 2, 1),
    )
    tour = TourGroupFactory(
        bookings=[booking], start_date=booking.start_date, end_date=booking.end_date
    )
    BusinessArchiveFactory(tour=tour, legal_hold=True, legal_hold_reason="诉讼保全")
    Customer.all_objects.filter(pk=held.pk).update(created_at=_at(datetime.date(2018, 1, 1)))
    free = _old(name="普通休眠客户")
    dormant_propose(today=TODAY)
    assert _proposed() == {held.pk, free.pk}
    client = client_as(custodian1)
    page = client.get(reverse("privacy:dormant_queue")).content.decode()
    assert "legal hold" in page
    response = client.post(
        reverse("privacy:dormant_queue"),
        {
            "selected": list(DormantProposal.objects.values_list("pk", flat=True)),
            "action": "anonymise",
            "understood": "on",
        },
        follow=True,
    )
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.anonymised_at is None and held.name == "诉讼中客户"
    assert free.anonymised_at is not None
    assert "诉讼保全" in response.content.decode()
    assert _proposed() == {held.pk}


@pytest.mark.parametrize("who", ["sales1", "lead1", "finance1"])
def test_the_queue_is_404_outside_custodians_and_managers(who, staff, queue, client_as):
    client = client_as(staff[who])
    ids = list(DormantProposal.objects.values_list("pk", flat=True))
    assert client.get(reverse("privacy:dormant_queue")).status_code == 404
    response = client.post(
        reverse("privacy:dormant_queue"),
        {"selected": ids, "action": "anonymise", "understood": "on"},
    )
    assert response.status_code == 404
    assert not Customer.all_objects.filter(anonymised_at__isnull=False).exists()


def test_the_manager_sees_the_queue(queue, manager1, client_as):
    assert client_as(manager1).get(reverse("privacy:dormant_queue")).status_code == 200
