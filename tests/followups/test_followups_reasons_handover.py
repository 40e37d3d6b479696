"""Reasons are rendered in the reader's language (never stored as prose), and open
follow-ups follow the customer's owner through a handover or a reassignment."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from customers.models import ServiceRecord
from customers.services import customer_update
from customers.services.handover import employee_depart
from followups.models import Followup, FollowupKind, FollowupStatus, reasons
from followups.selectors import backlog_by_rep, due_count_for, followup_list_visible, my_day
from followups.services import calendar_feed_issue, feedback_receive, planning_run
from tests.factories import BookingFactory, ContactRecordFactory, CustomerFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)

TRIP_ENDED = "Trip ended %(date)s · %(product)s"
CAPPED = "Moved from %(date)s by the %(days)d-day frequency cap: another contact is too close."
# What the founder's catalogue will say; the test installs it for zh-hans only.
CHINESE = {
    TRIP_ENDED: "行程结束于 %(date)s · %(product)s",
    CAPPED: "因 %(days)d 天频率上限自 %(date)s 顺延：与另一次联系间隔太近。",
}


@pytest.fixture
def zh_catalogue(monkeypatch):
    """The zh-hans catalogue with the reason strings merged, as after the founder merges
    /tmp/i18n/followups.json: gettext answers from it only while zh-hans is active."""
    real = reasons.gettext

    def gettext(message):
        if translation.get_language() == "zh-hans" and message in CHINESE:
            return CHINESE[message]
        return real(message)

    monkeypatch.setattr(reasons, "gettext", gettext)


def _capped_post_trip_visit(owner):
    customer = CustomerFactory(owner=owner, birthday=None, id_number="", sex="", name="钱女士")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 5 * DAY))
    BookingFactory(
        customer=customer,
        product="三亚五日游",
        start_date=TODAY - 8 * DAY,
        end_date=TODAY - 3 * DAY,
    )
    planning_run(today=TODAY)
    return Followup.objects.get(customer=customer, kind=FollowupKind.POST_TRIP)


def _stored_text() -> str:
    """Every stored value of every follow-up row, as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM followups_followup")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_reason_is_rendered_in_the_page_language(sales1, client_as, frozen, zh_catalogue):
    visit = _capped_post_trip_visit(sales1)
    planned = TODAY.isoformat()
    english = f"Trip ended {(TODAY - 3 * DAY).isoformat()} · 三亚五日游"
    chinese = f"行程结束于 {(TODAY - 3 * DAY).isoformat()} · 三亚五日游"
    # The row holds the facts, not the sentence, in any language.
    assert visit.facts == {"end": (TODAY - 3 * DAY).isoformat(), "product": "三亚五日游"}
    assert visit.cap_days == 14 and visit.planned_on == TODAY
    stored = _stored_text()
    assert "Trip ended" not in stored and "行程结束于" not in stored
    assert "frequency cap" not in stored and "频率上限" not in stored

    client = client_as(sales1)
    detail = client.get(reverse("followups:detail", args=[visit.pk])).text
    assert english in detail
    assert f"Moved from {planned} by the 14-day frequency cap" in detail
    # The same follow-up on a Chinese page.
    client.cookies["django_language"] = "zh-hans"
    detail = client.get(reverse("followups:detail", args=[visit.pk])).text
    assert chinese in detail and english not in detail
    assert f"因 14 天频率上限自 {planned} 顺延" in detail
    customer_page = client.get(reverse("customers:detail", args=[visit.customer_id])).text
    assert chinese in customer_page
    # My day renders it too (the visit is due in a week because the cap moved it).
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        assert visit.reason == english


def test_calendar_feed_is_written_in_the_office_language(sales1, client, frozen, zh_catalogue):
    visit = _capped_post_trip_visit(sales1)
    token = calendar_feed_issue(user=sales1)
    response = client.get(
        reverse("followups:calendar_feed", args=[token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    descriptions = {str(event["uid"]): str(event["description"]) for event in events}
    assert descriptions[f"followup-{visit.pk}@travel-crm"].startswith("行程结束于 ")


def test_every_kind_renders_a_reason_from_its_facts(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=datetime.date(1980, 11, 25))
    rows = [
        (FollowupKind.REGULAR, "", {"last": "2026-09-01", "grade": "B"}),
        (FollowupKind.REGULAR, "", {"last": None, "grade": "C"}),
        (FollowupKind.KEY_ACCOUNT, "", {"month": "2026-11"}),
        (FollowupKind.WEEKLY_VISIT, "", {"route": "国贸 → 望京", "day": "2026-11-25"}),
        (FollowupKind.GREETING, "birthday", {"day": "2026-11-25"}),
        (FollowupKind.GREETING, "mid_autumn", {"day": "2027-09-15"}),
        (FollowupKind.FEEDBACK, "", {"summary": "导游强制购物"}),
    ]
    with translation.override("en"):
        rendered = [
            Followup(customer=customer, kind=kind, occasion=occasion, facts=facts).reason
            for kind, occasion, facts in rows
        ]
    assert rendered == [
        "Last contact 2026-09-01 · grade B",
        "No contact on record · grade C",
        "Monthly key-account visit, 2026-11",
        "Standing weekly visit: 国贸 → 望京",
        "Birthday on 2026-11-25",
        "Mid-Autumn Festival on 2027-09-15",
        "Respond to feedback: 导游强制购物",
    ]


# --- Handover ---------------------------------------------------------------------------------


def _open_work(sales1, lead1):
    """sales1's customers with planned work, one finished visit, and a complaint assigned
    to the team lead."""
    regular = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="", name="孙先生")
    finished = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="", name="周先生")
    for customer in (regular, finished):
        ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 100 * DAY))
    traveller = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="", name="李女士")
    ContactRecordFactory(customer=traveller, contacted_at=at(TODAY - 20 * DAY))
    BookingFactory(customer=traveller, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    assigned = ServiceRecord(
        customer=traveller, kind="complaint", source_channel="phone",
        occurred_at=at(TODAY - DAY), summary="导游强制购物", recorded_by=sales1,
    )  # fmt: skip
    feedback_receive(actor=sales1, record=assigned, assigned_to=lead1, now=at(TODAY - DAY))
    planning_run(today=TODAY - DAY)
    done = Followup.objects.get(customer=finished, owner=sales1)
    done.status, done.completed_at, done.completed_by = FollowupStatus.DONE, at(TODAY), sales1
    done.save()
    open_ids = set(
        Followup.objects.filter(status=FollowupStatus.OPEN, owner=sales1).values_list(
            "pk", flat=True
        )
    )
    assert len(open_ids) >= 2  # the post-trip visit and the regular contact at least
    return open_ids, done, Followup.objects.get(kind=FollowupKind.FEEDBACK)


def _day_ids(rep, today=TODAY):
    day = my_day(owner=rep, today=today + 30 * DAY)  # everything open is "overdue" by then
    return {item.pk for item in day.overdue + day.today + day.week}


def test_handover_moves_open_follow_ups_to_the_new_owner_at_once(
    sales1, sales2, lead1, manager1, client_as, frozen, django_capture_on_commit_callbacks
):
    open_ids, done, complaint = _open_work(sales1, lead1)
    assert _day_ids(sales1) == open_ids
    with django_capture_on_commit_callbacks(execute=True):
        employee_depart(actor=manager1, employee=sales1, left_on=TODAY, to_owner=sales2)

    # Immediately, before any planning run: the handover's announcement moved the open
    # rows to the new owner (the reads filter by owner alone), the departed rep has none,
    # the complaint stays with the team lead it was assigned to, the finished visit stays
    # on sales1's record.
    assert set(Followup.objects.filter(pk__in=open_ids).values_list("owner_id", flat=True)) == {
        sales2.pk
    }
    done.refresh_from_db()
    complaint.refresh_from_db()
    assert done.owner == sales1 and complaint.owner == lead1
    assert _day_ids(sales2) == open_ids
    assert _day_ids(sales1) == set()
    assert complaint.pk in _day_ids(lead1) and complaint.pk not in _day_ids(sales2)
    later = TODAY + 30 * DAY  # the menu badge counts the same rows
    assert due_count_for(user=sales2, today=later) == len(open_ids)
    assert due_count_for(user=sales1, today=later) == 0
    page = client_as(sales2).get(reverse("followups:my_day"))
    assert "李女士" in page.text and "孙先生" in page.text
    for pk in open_ids:
        assert client_as(sales2).get(reverse("followups:detail", args=[pk])).status_code == 200
    backlog = {row["pk"]: row for row in backlog_by_rep(user=manager1, today=TODAY + 30 * DAY)}
    assert backlog[sales2.pk]["open_count"] == len(open_ids)
    assert sales1.pk not in backlog  # departed: no longer a rep

    # The next planning run's safety net finds nothing left to move and changes nothing.
    planning_run(today=TODAY)
    assert set(Followup.objects.filter(pk__in=open_ids).values_list("owner_id", flat=True)) == {
        sales2.pk
    }
    done.refresh_from_db()
    complaint.refresh_from_db()
    assert done.owner == sales1 and complaint.owner == lead1
    assert _day_ids(sales2) >= open_ids


def test_feedback_assigned_to_a_departed_rep_goes_to_the_customer_owner(
    sales1, sales2, manager1, frozen, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales2)
    record = ServiceRecord(
        customer=customer, kind="complaint", source_channel="phone",
        occurred_at=at(TODAY), summary="退款太慢", recorded_by=sales2,
    )  # fmt: skip
    feedback_receive(actor=sales2, record=record, assigned_to=sales1, now=at(TODAY))
    task = Followup.objects.get(kind=FollowupKind.FEEDBACK)
    assert task.owner == sales1 and task.pk in _day_ids(sales1)
    assert task.pk not in _day_ids(sales2)
    # sales1 owned no customers: the customer did not change hands, yet the task held
    # by the account that just closed goes to the customer's owner at once.
    with django_capture_on_commit_callbacks(execute=True):
        employee_depart(actor=manager1, employee=sales1, left_on=TODAY, to_owner=sales2)
    task.refresh_from_db()
    assert task.owner == sales2 and task.pk in _day_ids(sales2)
    planning_run(today=TODAY)
    task.refresh_from_db()
    assert task.owner == sales2


def test_reassigned_customer_takes_its_open_follow_ups_along(
    sales1, sales3, manager1, client_as, frozen, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 100 * DAY))
    planning_run(today=TODAY)
    item = Followup.objects.get(customer=customer)
    customer.owner = sales3
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(actor=manager1, customer=customer)
    item.refresh_from_db()
    assert item.owner == sales3
    assert item.pk in _day_ids(sales3) and item.pk not in _day_ids(sales1)
    assert not followup_list_visible(user=sales1).filter(pk=item.pk).exists()
    assert client_as(sales1).get(reverse("followups:detail", args=[item.pk])).status_code == 404
    nav = client_as(sales3).get(reverse("followups:my_day")).text
    assert customer.name in nav


def test_the_planning_run_moves_what_changed_hands_unannounced(sales1, sales3, frozen):
    """The planning job's opening UPDATE is the safety net for an owner written without
    the announcement (a bulk fix in the database): reads go by `owner`, so the work stays
    with the old owner until the next run, which moves it."""
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 100 * DAY))
    planning_run(today=TODAY - DAY)
    item = Followup.objects.get(customer=customer)
    type(customer).all_objects.filter(pk=customer.pk).update(owner=sales3)
    assert item.pk in _day_ids(sales1) and item.pk not in _day_ids(sales3)
    planning_run(today=TODAY)
    item.refresh_from_db()
    assert item.owner == sales3 and item.pk in _day_ids(sales3)
    assert item.pk not in _day_ids(sales1)


# --- The data migration ------------------------------------------------------------------------


@pytest.mark.consent_as_recorded  # the consent tables do not exist at 0002
@pytest.mark.django_db(transaction=True)
def test_migration_turns_stored_sentences_into_facts(sales1):
    """Rows planned before 0003 (a Chinese sentence in `reason`, the cap's note) get their
    facts from what they link to, and read in the reader's language afterwards."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("followups", "0002_policy_and_permissions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("followups", "Followup")
    customer = CustomerFactory(owner=sales1, grade="B")
    booking = BookingFactory(customer=customer, product="三亚五日游", end_date=TODAY - 3 * DAY)
    common = {"customer_id": customer.pk, "owner_id": sales1.pk, "channel": "phone"}
    trip = old.objects.create(
        **common, kind="post_trip", occasion_key=f"booking:{booking.pk}", booking_id=booking.pk,
        reason=f"行程结束于{booking.end_date} · 三亚五日游",
        planned_on=TODAY, due_on=TODAY + 9 * DAY,
        cap_note="按 14 天频率上限顺延：与另一次联系间隔太近。",
    )  # fmt: skip
    regular = old.objects.create(
        **common, kind="regular", occasion_key="since:2026-09-01", reason="上次联系2026-09-01",
        planned_on=TODAY, due_on=TODAY,
    )  # fmt: skip
    greeting = old.objects.create(
        **common, kind="greeting", occasion="mid_autumn", occasion_key="mid_autumn:2027",
        reason="中秋节 2027-09-15", planned_on=datetime.date(2027, 9, 15),
        due_on=datetime.date(2027, 9, 15),
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = Followup.objects.in_bulk([trip.pk, regular.pk, greeting.pk])
    assert rows[trip.pk].facts == {"end": (TODAY - 3 * DAY).isoformat(), "product": "三亚五日游"}
    assert rows[trip.pk].cap_days == 14
    assert rows[regular.pk].facts == {"last": "2026-09-01", "grade": "B"}
    assert rows[regular.pk].cap_days is None
    with translation.override("en"):
        assert rows[trip.pk].reason == f"Trip ended {TODAY - 3 * DAY} · 三亚五日游"
        assert rows[trip.pk].cap_note.startswith(f"Moved from {TODAY} by the 14-day")
        assert rows[regular.pk].reason == "Last contact 2026-09-01 · grade B"
        assert rows[greeting.pk].reason == "Mid-Autumn Festival on 2027-09-15"
