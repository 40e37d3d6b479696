"""Calendar feed, key-account records, feedback flow, events and catalogue mailings."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from customers.models import AuditEntry, ContactRecord, ServiceRecord
from followups.models import (
    CatalogueMailing,
    CustomerEvent,
    EventInvitation,
    Followup,
    FollowupKind,
    FollowupStatus,
    KeyAccountRecord,
    MailingRecipient,
)
from followups.services import calendar_feed_issue
from tests.factories import CustomerFactory, DestinationFactory, ServiceRecordFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def followup(owner, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(owner=owner)
    due = fields.pop("due_on", TODAY)
    return Followup.objects.create(
        customer=customer,
        owner=owner,
        kind=fields.pop("kind", FollowupKind.REGULAR),
        occasion_key=f"t:{customer.pk}:{due}",
        facts={"last": None, "grade": "C"},
        channel="phone",
        planned_on=due,
        due_on=due,
        **fields,
    )


# --- Calendar -----------------------------------------------------------------------------


def test_calendar_feed_parses_and_revoking_kills_it(sales1, sales3, client_as, frozen):
    mine = followup(sales1)
    visit = followup(
        sales1,
        kind=FollowupKind.KEY_ACCOUNT,
        due_on=TODAY + DAY,
        appointment_at=at(TODAY + DAY, 15),
        appointment_confirmed_at=at(TODAY),
    )
    theirs = followup(sales3)
    client = client_as(sales1)
    page = client.post(reverse("followups:calendar"), {"action": "issue"})
    url = page.context["feed_url"]
    assert url and "/followups/calendar/" in url
    client.logout()
    feed = client.get(url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"followup-{mine.pk}@travel-crm", f"followup-{visit.pk}@travel-crm"}
    assert f"followup-{theirs.pk}@travel-crm" not in events
    timed = events[f"followup-{visit.pk}@travel-crm"]["dtstart"].dt
    assert timed == at(TODAY + DAY, 15)
    assert events[f"followup-{mine.pk}@travel-crm"]["dtstart"].dt == TODAY
    client_as(sales1).post(reverse("followups:calendar"), {"action": "revoke"})
    assert client.get(url).status_code == 404


def test_a_new_calendar_token_replaces_the_old_and_only_its_hash_is_kept(sales1, client):
    first = calendar_feed_issue(user=sales1)
    second = calendar_feed_issue(user=sales1)
    assert client.get(reverse("followups:calendar_feed", args=[first])).status_code == 404
    assert client.get(reverse("followups:calendar_feed", args=[second])).status_code == 200
    assert sales1.calendar_feed.token_hash != second
    assert client.get(reverse("followups:calendar_feed", args=["guess"])).status_code == 404


# --- Key-account communication record ------------------------------------------------------


def test_key_account_record_linked_to_the_visit_and_printable(sales1, sales3, client_as, frozen):
    key = CustomerFactory(owner=sales1, is_key_account=True, name="华夏集团")
    visit = followup(sales1, customer=key, kind=FollowupKind.KEY_ACCOUNT)
    client = client_as(sales1)
    url = reverse("followups:key_record_new", args=[key.pk]) + f"?followup={visit.pk}"
    response = client.post(
        url,
        {
            "visit_date": "2026-11-23",
            "agency_attendees": "王磊",
            "customer_attendees": "李总、行政张经理",
            "topics": "明年春季员工旅游",
            "opinions": "希望酒店升级",
            "issues": "上次接机延误",
            "commitments": "两周内给出三套方案",
            "next_visit_on": "2026-12-21",
        },
    )
    record = KeyAccountRecord.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.followup == visit and record.recorded_by == sales1
    printable = client.get(record.get_absolute_url()).text
    # A Print button; the print styles live in static/css/app.css (no inline <style>: CSP).
    assert "data-print" in printable and "两周内给出三套方案" in printable
    customer_page = client.get(reverse("customers:detail", args=[key.pk])).text
    assert record.get_absolute_url() in customer_page
    assert client_as(sales3).get(record.get_absolute_url()).status_code == 404
    assert client_as(sales3).get(url).status_code == 404


def test_key_account_record_next_visit_after_this_one(sales1, client_as):
    key = CustomerFactory(owner=sales1, is_key_account=True)
    page = client_as(sales1).post(
        reverse("followups:key_record_new", args=[key.pk]),
        {
            "visit_date": "2026-11-23",
            "agency_attendees": "王磊",
            "customer_attendees": "李总",
            "topics": "方案",
            "next_visit_on": "2026-11-20",
        },
    )
    assert page.status_code == 200
    assert "The next visit comes after this one." in page.text
    assert not KeyAccountRecord.objects.exists()


# --- Feedback -----------------------------------------------------------------------------


def test_feedback_flow_from_reception_to_archive(sales1, manager1, sales2, client_as, frozen):
    customer = CustomerFactory(owner=sales1, name="赵先生")
    client = client_as(sales1)
    response = client.post(
        reverse("followups:feedback_new", args=[customer.pk]),
        {
            "kind": "complaint",
            "source_channel": "phone",
            "occurred_at": "2026-11-23T09:00",
            "summary": "导游强制购物",
            "details": "云南团第三天",
        },
    )
    record = ServiceRecord.objects.get()
    assert response.url == reverse("followups:feedback_detail", args=[record.pk])
    assert record.respond_by == at(TODAY, 9) + datetime.timedelta(hours=48)
    task = Followup.objects.get(kind=FollowupKind.FEEDBACK)
    assert (task.owner, task.due_on) == (sales1, TODAY + 2 * DAY)
    # A rep cannot assign; the manager can, and the task follows the assignee.
    client.post(
        reverse("followups:feedback_action", args=[record.pk, "assign"]), {"assignee": sales2.pk}
    )
    record.refresh_from_db()
    assert record.assigned_to is None
    client_as(manager1).post(
        reverse("followups:feedback_action", args=[record.pk, "assign"]), {"assignee": sales2.pk}
    )
    task.refresh_from_db()
    assert task.owner == sales2
    # Closing before answering is refused with a message.
    client = client_as(sales2)
    page = client.post(reverse("followups:feedback_action", args=[record.pk, "close"]), follow=True)
    assert "Record the response and the handling before closing." in page.text
    client.post(
        reverse("followups:feedback_action", args=[record.pk, "respond"]),
        {"response": "已致歉，退还购物款"},
    )
    client.post(
        reverse("followups:feedback_action", args=[record.pk, "handle"]),
        {"resolution": "退款500元", "correction": "该地接社列入观察名单"},
    )
    client.post(reverse("followups:feedback_action", args=[record.pk, "close"]))
    record.refresh_from_db()
    assert record.status == "resolved" and record.closed_at and record.responded_at
    assert record.correction == "该地接社列入观察名单"
    task.refresh_from_db()
    assert task.status == FollowupStatus.DONE
    assert "已致歉" in ContactRecord.objects.get(customer=customer).notes
    timeline = client_as(sales1).get(reverse("customers:detail", args=[customer.pk])).text
    assert "导游强制购物" in timeline and "该地接社列入观察名单" in timeline
    assert AuditEntry.objects.filter(object_type="servicerecord").count() >= 4
    assert ServiceRecord.objects.filter(kind="complaint", customer=customer).count() == 1


def test_feedback_list_scoped_with_an_overdue_badge(sales1, sales3, manager1, client_as, frozen):
    mine = ServiceRecordFactory(
        customer=CustomerFactory(owner=sales1),
        summary="退款慢",
        occurred_at=at(TODAY - 3 * DAY),
        respond_by=at(TODAY - DAY),
    )
    theirs = ServiceRecordFactory(
        customer=CustomerFactory(owner=sales3),
        summary="座位不好",
        occurred_at=at(TODAY - 3 * DAY),
        respond_by=at(TODAY - DAY),
    )
    rep_page = client_as(sales1).get(reverse("followups:feedback") + "?show=overdue").text
    assert "退款慢" in rep_page and "座位不好" not in rep_page
    assert (
        client_as(sales1).get(reverse("followups:feedback_detail", args=[theirs.pk])).status_code
        == 404
    )
    manager_page = client_as(manager1).get(reverse("followups:feedback")).text
    assert 'data-testid="overdue-badge"' in manager_page
    assert "2 overdue" in manager_page
    assert mine.pk


def test_customer_service_form_leaves_the_deadline_to_the_daily_job(sales1, client_as):
    customer = CustomerFactory(owner=sales1)
    client_as(sales1).post(
        reverse("customers:service_add", args=[customer.pk]),
        {
            "kind": "suggestion",
            "source_channel": "wechat",
            "occurred_at": "2026-11-23T09:00",
            "summary": "希望多些亲子团",
            "status": "open",
        },
    )
    record = ServiceRecord.objects.get()
    assert (record.source_channel, record.respond_by) == ("wechat", None)


# --- Events -------------------------------------------------------------------------------


def test_event_invitations_by_filters_without_duplicates(manager1, sales1, sales3, client_as):
    japan = DestinationFactory(name="日本")
    a_east = CustomerFactory(owner=sales1)
    a_north = CustomerFactory(owner=sales3)
    key_c = CustomerFactory(owner=sales1, is_key_account=True)
    lost = CustomerFactory(owner=sales1, status="lost", churn_reason="price")
    type(a_east).objects.filter(pk__in=[a_east.pk, a_north.pk, lost.pk]).update(grade="A")
    type(a_east).objects.filter(pk=key_c.pk).update(grade="C")
    a_east.desired_destinations.add(japan)
    client = client_as(manager1)
    client.post(
        reverse("followups:events"),
        {"name": "VIP 答谢晚宴", "starts_at": "2026-12-20T18:30", "venue": "国贸大酒店"},
    )
    event = CustomerEvent.objects.get()
    url = event.get_absolute_url()
    client.post(url, {"grades": ["A"], "team": sales1.team_id})
    assert set(event.invitations.values_list("customer_id", flat=True)) == {a_east.pk}
    client.post(url, {"grades": ["A"]})  # again, wider: no duplicate for a_east
    client.post(url, {"key_accounts_only": "on"})
    client.post(url, {"destinations": [japan.pk]})
    invited = list(event.invitations.values_list("customer_id", flat=True))
    assert sorted(invited) == sorted([a_east.pk, a_north.pk, key_c.pk])
    invitation = EventInvitation.objects.get(customer=a_north)
    client.post(reverse("followups:invitation_update", args=[invitation.pk]), {"reply": "accepted"})
    client.post(reverse("followups:invitation_update", args=[invitation.pk]), {"attended": "yes"})
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.attended) == ("accepted", True)
    assert invitation.replied_at is not None
    summary = client.get(url).text.split('data-testid="summary"')[1].split("</p>")[0]
    assert "Accepted: 1" in summary and "Attended: 1" in summary


def test_events_and_mailings_are_for_managers(sales1, lead1, client_as):
    for user in (sales1, lead1):
        client = client_as(user)
        assert client.get(reverse("followups:events")).status_code == 404
        assert client.get(reverse("followups:mailings")).status_code == 404


# --- Catalogue mailings ---------------------------------------------------------------------


def test_mailing_list_by_destination_with_address_check_and_cap(manager1, sales1, client_as):
    thailand = DestinationFactory(name="泰国")
    wants = [CustomerFactory(owner=sales1) for _ in range(3)]
    no_address = CustomerFactory(owner=sales1, postal_code="", name="缺邮编客户")
    other = CustomerFactory(owner=sales1)
    for customer in (*wants, no_address):
        customer.desired_destinations.add(thailand)
    client = client_as(manager1)
    client.post(
        reverse("followups:mailings"),
        {
            "title": "泰国新线目录",
            "product": "普吉岛六日游",
            "mailed_on": "2026-09-01",
            "destination_choices": [thailand.pk],
        },
    )
    september = CatalogueMailing.objects.get()
    assert set(september.recipients.values_list("customer_id", flat=True)) == {c.pk for c in wants}
    detail = client.get(september.get_absolute_url()).text
    assert "缺邮编客户" in detail.split('data-testid="incomplete"')[1]
    assert other.pk not in september.recipients.values_list("customer_id", flat=True)
    # Within 90 days: nobody gets a second catalogue; the cap count says so.
    new = CustomerFactory(owner=sales1)
    new.desired_destinations.add(thailand)
    client.post(
        reverse("followups:mailings"),
        {"title": "泰国冬季目录", "mailed_on": "2026-11-20", "destination_choices": [thailand.pk]},
    )
    november = CatalogueMailing.objects.get(title="泰国冬季目录")
    assert list(november.recipients.values_list("customer_id", flat=True)) == [new.pk]
    assert november.skipped_by_cap == 3
    csv_text = client.get(reverse("followups:mailing_csv", args=[september.pk])).content.decode()
    assert csv_text.count("\n") == 4 and wants[0].street_address in csv_text
    labels = client.get(reverse("followups:mailing_labels", args=[september.pk])).text
    assert labels.count('class="label"') == 3 and "css/labels.css" in labels
    assert MailingRecipient.objects.filter(customer=wants[0]).count() == 1


def test_feedback_and_event_pages_query_counts(
    manager1, sales1, client_as, frozen, django_assert_max_num_queries
):
    client = client_as(manager1)
    event = CustomerEvent.objects.create(
        name="答谢会", starts_at=at(TODAY + 30 * DAY), venue="酒店", created_by=manager1
    )

    def add(n):
        for _ in range(n):
            customer = CustomerFactory(owner=sales1)
            ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - DAY))
            EventInvitation.objects.create(
                event=event, customer=customer, invited_by=manager1, invited_at=at(TODAY)
            )

    add(2)
    urls = [reverse("followups:feedback") + "?show=all", event.get_absolute_url()]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    add(15)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
