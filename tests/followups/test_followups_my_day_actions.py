"""My day's quick actions: snooze (its rules, the audit entry, the frequency cap still
holding) and the bulk actions for greetings (scoped: another rep's items are 404 and
nothing changes); the page's query count; the demo opening with a few overdue items."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from customers.models import AuditEntry, ContactRecord, ServiceRecord
from followups.models import Followup, FollowupKind, FollowupStatus
from followups.services import (
    followup_confirm_appointment,
    followup_snooze,
    greetings_mark_sent,
)
from followups.services.day import SNOOZE_MAX_DAYS
from tests.factories import BookingFactory, CustomerFactory
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def item(owner, *, due_on=TODAY, kind=FollowupKind.REGULAR, facts=None, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(owner=owner)
    return Followup.objects.create(
        customer=customer,
        owner=owner,
        kind=kind,
        occasion_key=fields.pop("key", f"test:{customer.pk}:{kind}"),
        facts=facts if facts is not None else {"last": None, "grade": "C"},
        channel=fields.pop("channel", "phone"),
        planned_on=due_on,
        due_on=due_on,
        **fields,
    )


def greeting(owner, *, day=TODAY + 2 * DAY, **fields):
    return item(
        owner, due_on=day, kind=FollowupKind.GREETING, occasion="birthday",
        facts={"day": day.isoformat()}, channel="wechat", **fields,
    )  # fmt: skip


# --- Snooze ---------------------------------------------------------------------------


def test_snooze_moves_the_day_with_a_reason_and_is_audited(sales1, frozen):
    regular = item(sales1, due_on=TODAY - DAY)
    followup_snooze(
        actor=sales1, followup=regular, until=TODAY + 3 * DAY, reason="客户出差", today=TODAY
    )
    regular.refresh_from_db()
    assert (regular.due_on, regular.note, regular.status) == (
        TODAY + 3 * DAY,
        "客户出差",
        FollowupStatus.OPEN,
    )
    entry = AuditEntry.objects.get(object_type="followup", object_id=str(regular.pk))
    assert entry.actor == sales1 and entry.customer == regular.customer
    assert entry.detail == {
        "due_on": [(TODAY - DAY).isoformat(), (TODAY + 3 * DAY).isoformat()],
        "reason": "客户出差",
        "snoozed": True,
    }


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        (TODAY + DAY, "  ", "Say why it waits."),
        (TODAY, "客户出差", "tomorrow or after"),
        (TODAY - DAY, "客户出差", "tomorrow or after"),
        (TODAY + (SNOOZE_MAX_DAYS + 1) * DAY, "客户出差", "14 days at most"),
    ],
)
def test_snooze_refuses_what_the_rules_do_not_allow(sales1, frozen, until, reason, message):
    regular = item(sales1)
    with pytest.raises(ValidationError, match=message):
        followup_snooze(actor=sales1, followup=regular, until=until, reason=reason, today=TODAY)
    regular.refresh_from_db()
    assert regular.due_on == TODAY
    assert not AuditEntry.objects.filter(object_type="followup").exists()


def test_a_greeting_waits_no_later_than_its_day(sales1, frozen):
    birthday = greeting(sales1, day=TODAY + 2 * DAY)
    with pytest.raises(ValidationError, match="by its day"):
        followup_snooze(
            actor=sales1, followup=birthday, until=TODAY + 3 * DAY, reason="x", today=TODAY
        )
    # Snoozing within the day is fine... and a day not later than the due day is refused.
    with pytest.raises(ValidationError, match="choose a later day"):
        followup_snooze(
            actor=sales1, followup=birthday, until=TODAY + 2 * DAY, reason="x", today=TODAY
        )


def test_feedback_waits_no_later_than_its_deadline(sales1, frozen):
    customer = CustomerFactory(owner=sales1)
    record = ServiceRecord.objects.create(
        customer=customer, kind="complaint", summary="导游迟到", occurred_at=at(TODAY, 9),
        respond_by=at(TODAY + 2 * DAY, 9), recorded_by=sales1,
    )  # fmt: skip
    answer = item(sales1, customer=customer, kind=FollowupKind.FEEDBACK, service_record=record)
    with pytest.raises(ValidationError, match="response deadline"):
        followup_snooze(
            actor=sales1, followup=answer, until=TODAY + 3 * DAY, reason="x", today=TODAY
        )
    followup_snooze(actor=sales1, followup=answer, until=TODAY + 2 * DAY, reason="x", today=TODAY)
    answer.refresh_from_db()
    assert answer.due_on == TODAY + 2 * DAY


def test_an_agreed_visit_is_not_snoozed(sales1, frozen):
    key = CustomerFactory(owner=sales1, is_key_account=True)
    visit = item(sales1, customer=key, kind=FollowupKind.KEY_ACCOUNT, channel="visit")
    followup_confirm_appointment(
        actor=sales1, followup=visit, appointment_at=at(TODAY + DAY, 15), note="王总确认"
    )
    with pytest.raises(ValidationError, match="customer expects it"):
        followup_snooze(
            actor=sales1, followup=visit, until=TODAY + 3 * DAY, reason="x", today=TODAY
        )


def test_the_frequency_cap_still_holds_after_a_snooze(sales1, frozen):
    """A regular contact snoozed to two days after a planned post-trip visit would make
    two calls within 14 days: the cap moves it to the first allowed day."""
    customer = CustomerFactory(owner=sales1)
    item(sales1, customer=customer, kind=FollowupKind.POST_TRIP, due_on=TODAY + DAY)
    regular = item(sales1, customer=customer, due_on=TODAY)
    followup_snooze(actor=sales1, followup=regular, until=TODAY + 3 * DAY, reason="x", today=TODAY)
    regular.refresh_from_db()
    assert regular.due_on == TODAY + DAY + 14 * DAY
    assert regular.cap_days == 14


def test_snooze_from_my_day_and_out_of_scope_is_404(sales1, sales3, client_as, frozen):
    mine, theirs = item(sales1), item(sales3)
    client = client_as(sales1)
    url = reverse("followups:snooze", args=[mine.pk])
    response = client.post(url, {"days": "3", "reason": "客户出差"}, follow=True)
    mine.refresh_from_db()
    assert mine.due_on == TODAY + 3 * DAY
    assert f"{mine.customer.name} waits until {TODAY + 3 * DAY:%Y-%m-%d}." in response.text
    client.post(url, {"days": "1", "reason": ""})  # no reason: nothing moves
    mine.refresh_from_db()
    assert mine.due_on == TODAY + 3 * DAY
    refused = client.post(
        reverse("followups:snooze", args=[theirs.pk]), {"days": "1", "reason": "x"}
    )
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.due_on == TODAY


# --- Greetings in bulk ---------------------------------------------------------------


def test_greetings_marked_sent_in_bulk_are_contacts_on_the_timeline(sales1, client_as, frozen):
    first, second, untouched = greeting(sales1), greeting(sales1), greeting(sales1)
    response = client_as(sales1).post(
        reverse("followups:greetings_bulk"),
        {"action": "sent", "selected": [first.pk, second.pk]},
        follow=True,
    )
    assert "2 greetings marked sent." in response.text
    for done in (first, second):
        done.refresh_from_db()
        assert done.status == FollowupStatus.DONE and done.completed_by == sales1
        record = ContactRecord.objects.get(customer=done.customer)
        assert (record.channel, record.outcome, done.contact_record) == (
            "wechat",
            "reached",
            record,
        )
    untouched.refresh_from_db()
    assert untouched.status == FollowupStatus.OPEN


def test_greetings_moved_in_bulk_need_a_date_and_a_reason(sales1, client_as, frozen):
    first, second = greeting(sales1), greeting(sales1)
    client = client_as(sales1)
    url = reverse("followups:greetings_bulk")
    client.post(url, {"action": "reschedule", "selected": [first.pk, second.pk]})
    client.post(
        url, {"action": "reschedule", "selected": [first.pk], "due_on": "2026-11-30", "reason": ""}
    )
    first.refresh_from_db()
    assert first.due_on == TODAY + 2 * DAY  # neither a date nor a reason: nothing moved
    client.post(
        url,
        {"action": "reschedule", "selected": [first.pk, second.pk], "due_on": "2026-11-30",
         "reason": "统一周一寄贺卡"},
    )  # fmt: skip
    for moved in (first, second):
        moved.refresh_from_db()
        assert (moved.due_on, moved.note) == (datetime.date(2026, 11, 30), "统一周一寄贺卡")
    assert AuditEntry.objects.filter(object_type="followup", action="change").count() == 2


@pytest.mark.parametrize("action", ["sent", "reschedule"])
def test_a_rep_cannot_act_on_another_reps_greetings(sales1, sales3, client_as, frozen, action):
    mine, theirs = greeting(sales1), greeting(sales3)
    response = client_as(sales1).post(
        reverse("followups:greetings_bulk"),
        {"action": action, "selected": [mine.pk, theirs.pk], "due_on": "2026-11-30",
         "reason": "x"},
    )  # fmt: skip
    assert response.status_code == 404
    for untouched in (mine, theirs):
        untouched.refresh_from_db()
        assert (untouched.status, untouched.due_on) == (FollowupStatus.OPEN, TODAY + 2 * DAY)
    assert not ContactRecord.objects.exists()


def test_bulk_actions_are_for_greetings_only(sales1, client_as, frozen):
    regular = item(sales1)
    response = client_as(sales1).post(
        reverse("followups:greetings_bulk"), {"action": "sent", "selected": [regular.pk]}
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="Only greetings"):
        greetings_mark_sent(actor=sales1, followups=[regular])
    regular.refresh_from_db()
    assert regular.status == FollowupStatus.OPEN


def test_a_team_lead_marks_the_teams_greetings_sent(sales1, lead1, client_as, frozen):
    theirs = greeting(sales1)
    client_as(lead1).post(
        reverse("followups:greetings_bulk"), {"action": "sent", "selected": [theirs.pk]}
    )
    theirs.refresh_from_db()
    assert theirs.status == FollowupStatus.DONE and theirs.completed_by == lead1


# --- The page -------------------------------------------------------------------------


def test_my_day_runs_the_same_queries_however_many_items(
    sales1, client_as, frozen, django_assert_max_num_queries
):
    client = client_as(sales1)
    item(sales1, due_on=TODAY - DAY)
    with django_assert_max_num_queries(14) as few:
        one = client.get(reverse("followups:my_day"))
    kinds = [FollowupKind.POST_TRIP, FollowupKind.REGULAR, FollowupKind.KEY_ACCOUNT,
             FollowupKind.FEEDBACK]  # fmt: skip
    for n in range(30):
        customer = CustomerFactory(owner=sales1, grade="ABC"[n % 3], is_key_account=n % 5 == 0)
        BookingFactory(customer=customer)
        item(sales1, customer=customer, kind=kinds[n % 4], due_on=TODAY + (n % 9 - 3) * DAY)
        greeting(sales1, customer=customer, day=TODAY + (n % 5) * DAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("followups:my_day"))
    # All 61 are due within the week (-3..+5 days, greetings 0..4 days ahead).
    assert page.text.count('data-testid="item"') == 61
    # The menus' forms and the outcome buttons' token are written once, not once an item
    # (a phone downloads each byte): one snooze form, one form for the one-tap outcomes;
    # one token more than with a single call (the greetings' bulk form).
    assert page.text.count('data-part="snooze"') == 1
    buttons = page.text.count('data-testid="complete-') + page.text.count('data-testid="no-answer-')
    assert page.text.count('form="myday-complete"') == buttons > 61
    assert page.text.count("csrfmiddlewaretoken") == one.text.count("csrfmiddlewaretoken") + 1
    assert len(page.content) < 61 * 2_600


# --- The demo -------------------------------------------------------------------------


def test_the_demo_opens_with_a_few_overdue_items_per_rep():
    """A realistic agency is mostly on time: each rep has a few overdue follow-ups (before,
    every customer whose last contact was past the cadence was overdue: 7 to 11 per rep
    at this size), and more is due today and this week than is overdue."""
    call_command("load_demo", customers=100, bookings_per_customer=3)
    today = timezone.localdate()
    per_rep = (
        Followup.objects.filter(status=FollowupStatus.OPEN)
        .values("owner__username")
        .annotate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            current=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + 6 * DAY)),
        )
    )
    assert len(per_rep) == 5
    for rep in per_rep:
        assert rep["overdue"] <= 5, list(per_rep)
    assert sum(rep["current"] for rep in per_rep) > sum(rep["overdue"] for rep in per_rep)
