"""My follow-ups through the API (the user's own, as on My day) and their completion;
contact records and feedback logged through the pages' doors (contact rules, frequency
cap, the feedback deadline)."""

import datetime

import pytest
from django.urls import reverse

from customers.models import AuditAction, AuditEntry, ContactRecord, ServiceRecord
from followups.models import Followup, FollowupKind, FollowupStatus
from tests.factories import BookingFactory, ContactRecordFactory, CustomerFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(at(TODAY, 9), tick=False)


def followup(owner, *, due_on=TODAY, kind=FollowupKind.REGULAR, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(owner=owner)
    return Followup.objects.create(
        customer=customer,
        owner=owner,
        kind=kind,
        occasion_key=f"test:{customer.pk}:{kind}:{due_on}",
        facts={"last": None, "grade": "C"},
        channel=fields.pop("channel", "phone"),
        planned_on=due_on,
        due_on=due_on,
        **fields,
    )


# --- My follow-ups -----------------------------------------------------------------------


def test_my_follow_ups_are_my_open_ones_in_due_order(api_as, sales1, sales2):
    late = followup(sales1, due_on=TODAY - 2 * DAY)
    later = followup(sales1, due_on=TODAY + 9 * DAY)
    now = followup(sales1)
    done = followup(sales1, status=FollowupStatus.DONE)
    followup(sales2)  # a team mate's

    api = api_as(sales1)
    listed = api.get(reverse("api:my-followups"))
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["id"] for row in rows] == [late.pk, now.pk, later.pk]
    assert rows[0]["customer"] == {"id": late.customer.pk, "name": late.customer.name}
    assert rows[0]["reason"]
    due = api.get(reverse("api:my-followups"), {"due_to": TODAY.isoformat()})
    assert [row["id"] for row in due.json()["results"]] == [late.pk, now.pk]
    finished = api.get(reverse("api:my-followups"), {"status": "done"})
    assert [row["id"] for row in finished.json()["results"]] == [done.pk]
    assert api.get(reverse("api:my-followups"), {"status": "nope"}).status_code == 400


def test_a_team_leads_list_is_their_own_work_not_the_teams(api_as, lead1, sales1):
    followup(sales1)
    mine = followup(lead1)
    rows = api_as(lead1).get(reverse("api:my-followups")).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]


# who -> status of reading / completing sales1's follow-up
FOLLOWUP_MATRIX = {
    "sales1": 200,
    "lead1": 200,  # the team lead may step in
    "manager1": 200,
    "sales2": 404,
    "sales3": 404,
    "custodian1": 404,
    "finance1": 404,
}


@pytest.mark.parametrize("role", sorted(FOLLOWUP_MATRIX))
def test_scoping_matrix_for_follow_ups(role, staff, api_as, sales1):
    item = followup(sales1)
    expected = FOLLOWUP_MATRIX[role]
    api = api_as(staff[role])
    detail = api.get(reverse("api:followup-detail", kwargs={"pk": item.pk}))
    done = api.post(
        reverse("api:followup-complete", kwargs={"pk": item.pk}),
        {"outcome": "reached"},
        format="json",
    )
    assert detail.status_code == expected
    # Custodians and finance cannot even hold followups:write on a token.
    writes = expected if role not in ("custodian1", "finance1") else 403
    assert done.status_code == writes
    item.refresh_from_db()
    assert (item.status == FollowupStatus.DONE) == (writes == 200)


def test_completing_writes_the_contact_on_the_timeline(api_as, sales1):
    item = followup(sales1)
    response = api_as(sales1).post(
        reverse("api:followup-complete", kwargs={"pk": item.pk}),
        {"outcome": "interested", "notes": "想去日本赏樱", "next_step": "寄日本线路"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["followup"]["status"] == "done"
    record = ContactRecord.objects.get(customer=item.customer)
    assert body["contact_record"]["id"] == record.pk
    assert (record.outcome, record.channel, record.notes, record.by) == (
        "interested",
        "phone",
        "想去日本赏樱",
        sales1,
    )
    item.refresh_from_db()
    assert item.contact_record == record

    again = api_as(sales1).post(
        reverse("api:followup-complete", kwargs={"pk": item.pk}),
        {"outcome": "reached"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "This follow-up is no longer open."
    assert ContactRecord.objects.count() == 1


def test_a_visit_without_an_appointment_is_refused(api_as, sales1):
    item = followup(sales1, kind=FollowupKind.KEY_ACCOUNT, channel="visit")
    response = api_as(sales1).post(
        reverse("api:followup-complete", kwargs={"pk": item.pk}),
        {"outcome": "reached"},
        format="json",
    )
    assert response.status_code == 400
    assert "appointment" in response.json()["detail"]
    item.refresh_from_db()
    assert item.status == FollowupStatus.OPEN


@pytest.mark.parametrize(
    "payload", [{}, {"outcome": "maybe"}, {"outcome": "reached", "channel": "pigeon"}]
)
def test_a_completion_needs_a_known_outcome(api_as, sales1, payload):
    item = followup(sales1)
    response = api_as(sales1).post(
        reverse("api:followup-complete", kwargs={"pk": item.pk}), payload, format="json"
    )
    assert response.status_code == 400


def test_the_list_takes_a_constant_number_of_queries(api_as, sales1, django_assert_num_queries):
    api = api_as(sales1)
    followup(sales1)
    api.get(reverse("api:my-followups"))  # the token's first use, the policy's first read
    for count in (1, 8):
        for _ in range(count):
            followup(sales1, customer=CustomerFactory(owner=sales1))
        with django_assert_num_queries(9):
            assert api.get(reverse("api:my-followups")).status_code == 200


# --- Contact records ---------------------------------------------------------------------


def contact_url(customer):
    return reverse("api:customer-contact-records", kwargs={"pk": customer.pk})


def service_url(customer):
    return reverse("api:customer-service-records", kwargs={"pk": customer.pk})


def test_a_contact_is_logged_and_moves_planned_follow_ups_within_the_cap(
    api_as, sales1, customer_of_sales1, django_capture_on_commit_callbacks
):
    planned = followup(
        sales1, customer=customer_of_sales1, due_on=TODAY + 3 * DAY, kind=FollowupKind.POST_TRIP
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(sales1).post(
            contact_url(customer_of_sales1),
            {"channel": "phone", "outcome": "reached", "notes": "问候"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    record = ContactRecord.objects.get()
    assert (record.by, record.notes, record.customer) == (sales1, "问候", customer_of_sales1)
    assert response.json()["by"]["id"] == sales1.pk
    planned.refresh_from_db()
    # The post-trip visit planned in 3 days moves to the first day the cap allows.
    assert (planned.due_on, planned.cap_days) == (TODAY + 14 * DAY, 14)


def test_a_contact_in_the_future_or_a_visit_without_appointment_is_refused(
    api_as, sales1, customer_of_sales1
):
    api = api_as(sales1)
    future = api.post(
        contact_url(customer_of_sales1),
        {"channel": "phone", "outcome": "reached", "contacted_at": "2030-01-01T10:00:00+08:00"},
        format="json",
    )
    visit = api.post(
        contact_url(customer_of_sales1), {"channel": "visit", "outcome": "reached"}, format="json"
    )
    assert future.status_code == 400
    assert future.json()["errors"][0]["field"] == "contacted_at"
    assert visit.status_code == 400
    assert "appointment" in visit.json()["detail"]
    assert not ContactRecord.objects.exists()


def test_a_customers_contact_records_are_listed_newest_first(api_as, sales1, customer_of_sales1):
    old = ContactRecordFactory(customer=customer_of_sales1, contacted_at=at(TODAY - 5 * DAY))
    new = ContactRecordFactory(customer=customer_of_sales1, contacted_at=at(TODAY - DAY))
    response = api_as(sales1).get(contact_url(customer_of_sales1))
    assert [row["id"] for row in response.json()["results"]] == [new.pk, old.pk]
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (export.object_type, export.customer_id) == (
        "contact_record_list",
        customer_of_sales1.pk,
    )
    assert export.detail["customer_rows"] == 1
    assert export.detail["rows"] == 2


# who -> (read status, write status) on sales1's customer's records
RECORDS_MATRIX = {
    "sales1": (200, 201),
    "sales2": (404, 404),
    "lead1": (200, 201),
    "sales3": (404, 404),
    "manager1": (200, 201),
    "custodian1": (200, 403),  # reads every archive; no records:write on its token
    "finance1": (200, 403),
}


@pytest.mark.parametrize("role", sorted(RECORDS_MATRIX))
def test_scoping_matrix_for_records(role, staff, api_as, customer_of_sales1):
    read, write = RECORDS_MATRIX[role]
    api = api_as(staff[role])
    assert api.get(contact_url(customer_of_sales1)).status_code == read
    assert api.get(service_url(customer_of_sales1)).status_code == read
    logged = api.post(
        contact_url(customer_of_sales1), {"channel": "phone", "outcome": "reached"}, format="json"
    )
    feedback = api.post(
        service_url(customer_of_sales1), {"kind": "suggestion", "summary": "建议"}, format="json"
    )
    assert (logged.status_code, feedback.status_code) == (write, write)


def test_a_special_access_reader_reads_records_but_may_not_log(
    api_as, sales3, manager1, customer_of_sales1
):
    from django.utils import timezone

    from customers.models import AccessRequest, AccessRequestStatus

    AccessRequest.objects.create(
        requester=sales3,
        customer=customer_of_sales1,
        reason="核对",
        status=AccessRequestStatus.APPROVED,
        decided_by=manager1,
        expires_at=timezone.now() + DAY,
    )
    api = api_as(sales3)
    assert api.get(contact_url(customer_of_sales1)).status_code == 200
    logged = api.post(
        contact_url(customer_of_sales1), {"channel": "phone", "outcome": "reached"}, format="json"
    )
    assert logged.status_code == 403


# --- Feedback ----------------------------------------------------------------------------


def test_a_complaint_gets_its_deadline_and_goes_on_the_owners_day(
    api_as, sales1, customer_of_sales1
):
    booking = BookingFactory(customer=customer_of_sales1)
    response = api_as(sales1, language="zh-hans").post(
        service_url(customer_of_sales1),
        {
            "kind": "complaint",
            "source_channel": "phone",
            "booking": booking.pk,
            "summary": "导游迟到",
            "details": "第二天导游迟到一小时",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    record = ServiceRecord.objects.get()
    assert record.recorded_by == sales1
    assert record.respond_by is not None
    assert response.json()["respond_by"] is not None
    todo = Followup.objects.get(kind=FollowupKind.FEEDBACK)
    assert (todo.owner, todo.service_record) == (sales1, record)


def test_feedback_about_another_customers_booking_is_refused(api_as, sales1, customer_of_sales1):
    other = BookingFactory(customer=CustomerFactory(owner=sales1))
    response = api_as(sales1).post(
        service_url(customer_of_sales1),
        {"kind": "complaint", "booking": other.pk, "summary": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "booking"
    assert not ServiceRecord.objects.exists()
