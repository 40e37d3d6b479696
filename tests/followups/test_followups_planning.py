"""The daily planning job, rule by rule at its boundaries, with a frozen clock."""

import datetime
import itertools
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from customers.models import ContactRecord, MessageStatus, OutboundMessage, ServiceRecord
from customers.services.outbox_sending import messages_send_due
from followups.models import (
    FeedbackAlert,
    Followup,
    FollowupKind,
    FollowupPolicy,
    FollowupStatus,
    PlanningRun,
    StandingVisit,
)
from followups.services import planning_run
from followups.services.planning import anniversary_windows, festival_dates
from tests.factories import (
    BookingFactory,
    ContactRecordFactory,
    CustomerFactory,
    OrganisationFactory,
    ServiceRecordFactory,
)
from tests.followups.conftest import TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def plan(today=TODAY, **kwargs):
    return planning_run(today=today, now=at(today, 6), **kwargs)


def of_kind(kind, **filters):
    return Followup.objects.filter(kind=kind, **filters)


def quiet_customer(owner, **fields):
    """A customer with nothing due except what the test adds: contacted 20 days ago (no
    regular contact due, no cap in the way), no birthday on file."""
    customer = CustomerFactory(owner=owner, birthday=None, id_number="", sex="", **fields)
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 20 * DAY))
    return customer


# --- Post-trip visits ---------------------------------------------------------------------


def test_post_trip_visit_due_three_days_after_the_trip_ends(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    ended_today = BookingFactory(customer=customer, start_date=TODAY - 4 * DAY, end_date=TODAY)
    ends_tomorrow = BookingFactory(customer=customer, start_date=TODAY - DAY, end_date=TODAY + DAY)
    cancelled = BookingFactory(
        customer=customer, start_date=TODAY - 5 * DAY, end_date=TODAY - 2 * DAY,
        status="cancelled", paid_date=None,
    )  # fmt: skip
    plan()
    visits = of_kind(FollowupKind.POST_TRIP)
    assert [(v.booking_id, v.due_on) for v in visits] == [(ended_today.pk, TODAY + 3 * DAY)]
    visit = visits.get()
    assert visit.owner == sales1
    assert "三亚五日游" in visit.reason
    assert not of_kind(FollowupKind.POST_TRIP, booking__in=[ends_tomorrow, cancelled]).exists()


def test_post_trip_lookback_boundary(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    in_window = BookingFactory(customer=customer, start_date=TODAY - 20 * DAY,
                               end_date=TODAY - 14 * DAY)  # fmt: skip
    too_old = BookingFactory(customer=customer, start_date=TODAY - 20 * DAY,
                             end_date=TODAY - 15 * DAY)  # fmt: skip
    plan()
    planned = set(of_kind(FollowupKind.POST_TRIP).values_list("booking_id", flat=True))
    assert planned == {in_window.pk}
    assert too_old.pk not in planned


# --- Regular contact ----------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "cadence"), [("A", 30), ("B", 45), ("C", 60), ("", 60)])
def test_regular_contact_when_the_last_contact_is_older_than_the_cadence(
    sales1, frozen, no_plan_ahead, grade, cadence
):
    due = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    not_yet = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    Customer = type(due)
    Customer.objects.filter(pk__in=[due.pk, not_yet.pk]).update(grade=grade)
    ContactRecordFactory(customer=due, contacted_at=at(TODAY - cadence * DAY))
    ContactRecordFactory(customer=not_yet, contacted_at=at(TODAY - (cadence - 1) * DAY))
    plan()
    regular = of_kind(FollowupKind.REGULAR)
    assert list(regular.values_list("customer_id", "due_on")) == [(due.pk, TODAY)]
    assert f"grade {grade or 'C'}".replace("grade", "") in regular.get().reason


def test_regular_contact_planned_a_week_ahead_by_default(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    type(customer).objects.filter(pk=customer.pk).update(grade="A")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 23 * DAY))
    plan()
    assert of_kind(FollowupKind.REGULAR).get().due_on == TODAY + 7 * DAY


def test_no_regular_contact_for_retired_lost_or_deleted_customers(sales1, frozen, no_plan_ahead):
    old = at(TODAY - 400 * DAY)
    retired = CustomerFactory(owner=sales1, status="retired")
    lost = CustomerFactory(owner=sales1, status="lost", churn_reason="price")
    deleted = CustomerFactory(owner=sales1, deleted_at=old)
    for customer in (retired, lost, deleted):
        ContactRecordFactory(customer=customer, contacted_at=old)
    BookingFactory(customer=lost, start_date=TODAY - 5 * DAY, end_date=TODAY - DAY)
    plan()
    assert not Followup.objects.filter(customer__in=[retired, lost, deleted]).exists()


def test_an_open_regular_contact_is_superseded_by_a_contact_logged_elsewhere(
    sales1, frozen, no_plan_ahead, time_machine
):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 90 * DAY))
    plan()
    followup = of_kind(FollowupKind.REGULAR).get()
    time_machine.move_to(at(TODAY, 15), tick=False)
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY, 15))
    plan(TODAY + DAY)
    followup.refresh_from_db()
    assert followup.status == FollowupStatus.SUPERSEDED
    assert of_kind(FollowupKind.REGULAR, status=FollowupStatus.OPEN).count() == 0


# --- Key accounts and standing visits ---------------------------------------------------------


def test_key_account_monthly_visit_once_a_month(sales1, frozen):
    key = quiet_customer(sales1, is_key_account=True)
    quiet_customer(sales1)
    plan()
    visit = of_kind(FollowupKind.KEY_ACCOUNT).get()
    assert (visit.customer, visit.occasion_key, visit.channel) == (key, "month:2026-11", "visit")
    assert visit.due_on == TODAY  # past the 10th: due now
    plan(TODAY + DAY)
    assert of_kind(FollowupKind.KEY_ACCOUNT).count() == 1
    plan(datetime.date(2026, 12, 1))
    december = of_kind(FollowupKind.KEY_ACCOUNT, occasion_key="month:2026-12").get()
    assert december.due_on == datetime.date(2026, 12, 10)


def test_standing_weekly_visit_is_a_confirmed_appointment(sales1, frozen):
    key = quiet_customer(sales1, is_key_account=True)
    StandingVisit.objects.create(customer=key, weekday=2, time=datetime.time(9, 30),
                                 route="国贸 → 望京", created_by=sales1)  # fmt: skip
    plan()
    weekly = of_kind(FollowupKind.WEEKLY_VISIT).order_by("due_on")
    wednesdays = [TODAY + 2 * DAY, TODAY + 9 * DAY]
    assert [v.due_on for v in weekly] == wednesdays[:1]
    visit = weekly.get()
    assert visit.appointment_at == at(TODAY + 2 * DAY, 9, 30)
    assert visit.has_confirmed_appointment
    assert "国贸 → 望京" in visit.reason
    # A standing visit replaces the monthly key-account visit.
    assert not of_kind(FollowupKind.KEY_ACCOUNT).exists()


# --- Greetings ----------------------------------------------------------------------------


def test_birthday_greeting_three_days_ahead(sales1, frozen):
    in_window = quiet_customer(sales1)
    too_far = quiet_customer(sales1)
    type(in_window).objects.filter(pk=in_window.pk).update(birthday=datetime.date(1980, 11, 26))
    type(too_far).objects.filter(pk=too_far.pk).update(birthday=datetime.date(1980, 11, 27))
    type(too_far).objects.filter(is_key_account=False).update(grade="C")
    plan()
    greeting = of_kind(FollowupKind.GREETING).get()
    assert greeting.customer == in_window
    assert (greeting.due_on, greeting.occasion, greeting.occasion_key) == (
        datetime.date(2026, 11, 26), "birthday", "birthday:2026",
    )  # fmt: skip


def test_birthday_from_the_id_number_when_none_is_entered(sales1, frozen):
    # The number is encrypted at rest, so the birthday it gives is filled in as the
    # archive is saved (customer_prepare), through the same door pages and imports use.
    from customers.services import customer_update
    from tests.factories import make_id_number

    customer = quiet_customer(sales1)
    customer.id_number = make_id_number(901, datetime.date(1979, 11, 25))
    customer_update(actor=sales1, customer=customer)
    plan()
    assert of_kind(FollowupKind.GREETING).get().due_on == datetime.date(2026, 11, 25)


def test_birthdays_across_the_year_end(sales1, time_machine):
    time_machine.move_to(at(datetime.date(2026, 12, 30), 6), tick=False)
    customer = CustomerFactory(
        owner=sales1, birthday=datetime.date(1990, 1, 2), id_number="", sex=""
    )
    plan(datetime.date(2026, 12, 30))
    greeting = of_kind(FollowupKind.GREETING, customer=customer).get()
    assert (greeting.due_on, greeting.occasion_key) == (datetime.date(2027, 1, 2), "birthday:2027")


def test_29_february_birthday_greeted_on_the_28th_in_a_common_year(sales1, time_machine):
    time_machine.move_to(at(datetime.date(2027, 2, 25), 6), tick=False)
    customer = CustomerFactory(
        owner=sales1, birthday=datetime.date(1988, 2, 29), id_number="", sex=""
    )
    plan(datetime.date(2027, 2, 25))
    assert of_kind(FollowupKind.GREETING, customer=customer).get().due_on == datetime.date(
        2027, 2, 28
    )
    assert (2, 29, datetime.date(2027, 2, 28)) in anniversary_windows(datetime.date(2027, 2, 25), 3)
    assert (2, 29, datetime.date(2028, 2, 28)) not in anniversary_windows(
        datetime.date(2028, 2, 25), 3
    )


def test_wedding_and_founding_anniversaries(sales1, frozen):
    couple = quiet_customer(sales1, wedding_anniversary=datetime.date(2010, 11, 24))
    company = OrganisationFactory(owner=sales1, founding_date=datetime.date(2001, 11, 25))
    ContactRecordFactory(customer=company, contacted_at=at(TODAY - DAY))
    plan()
    greetings = {g.occasion: g for g in of_kind(FollowupKind.GREETING)}
    assert greetings["wedding"].customer == couple
    assert greetings["wedding"].due_on == datetime.date(2026, 11, 24)
    assert greetings["founding"].customer == company
    assert greetings["founding"].channel == "card"


@pytest.mark.parametrize(
    ("year", "spring", "dragon_boat", "mid_autumn"),
    [
        (2026, datetime.date(2026, 2, 17), datetime.date(2026, 6, 19), datetime.date(2026, 9, 25)),
        (2027, datetime.date(2027, 2, 6), datetime.date(2027, 6, 9), datetime.date(2027, 9, 15)),
    ],
)
def test_lunar_festival_dates(year, spring, dragon_boat, mid_autumn):
    dates = festival_dates(year)
    assert dates["spring_festival"][0] == spring
    assert dates["dragon_boat"][0] == dragon_boat
    assert dates["mid_autumn"][0] == mid_autumn
    assert dates["national_day"][0] == datetime.date(year, 10, 1)


def test_spring_festival_greetings_for_key_accounts_and_grades_a_b(sales1, time_machine):
    today = datetime.date(2027, 2, 3)
    time_machine.move_to(at(today, 6), tick=False)
    key = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="", is_key_account=True)
    grade_b = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    grade_c = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    type(key).objects.filter(pk=grade_b.pk).update(grade="B")
    type(key).objects.filter(pk=grade_c.pk).update(grade="C")
    plan(today)
    festival = of_kind(FollowupKind.GREETING, occasion="spring_festival")
    assert set(festival.values_list("customer_id", flat=True)) == {key.pk, grade_b.pk}
    assert set(festival.values_list("due_on", flat=True)) == {datetime.date(2027, 2, 6)}
    plan(today - DAY)  # one day further away than the lead: nothing new
    assert festival.count() == 2


# --- The frequency cap --------------------------------------------------------------------


def test_cap_moves_a_post_trip_visit_after_a_recent_contact(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 5 * DAY))
    BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    run = plan()
    visit = of_kind(FollowupKind.POST_TRIP).get()
    assert visit.planned_on == TODAY
    assert visit.due_on == TODAY - 5 * DAY + 14 * DAY  # the first allowed day
    assert "14-day frequency cap" in visit.cap_note
    assert run.moved_by_cap == 1


def test_cap_spaces_two_new_follow_ups_of_one_customer(sales1, frozen):
    customer = CustomerFactory(
        owner=sales1, birthday=None, id_number="", sex="", is_key_account=True
    )
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 100 * DAY))
    BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    plan()
    due = sorted(Followup.objects.filter(customer=customer).values_list("due_on", flat=True))
    assert len(due) == 3  # post-trip, regular, key-account: none dropped
    assert all(later - earlier >= 14 * DAY for earlier, later in itertools.pairwise(due))
    assert due[0] == TODAY


def test_complaints_and_greetings_are_never_capped(sales1, frozen):
    customer = CustomerFactory(
        owner=sales1, birthday=datetime.date(1980, 11, 25), id_number="", sex=""
    )
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - DAY))
    ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - DAY), kind="complaint")
    plan()
    complaint = of_kind(FollowupKind.FEEDBACK).get()
    assert complaint.due_on == complaint.planned_on == TODAY + DAY  # 48 h after it came in
    assert complaint.cap_note == ""
    assert of_kind(FollowupKind.GREETING).get().due_on == datetime.date(2026, 11, 25)


# --- Idempotence and claim-a-row ----------------------------------------------------------


def test_job_twice_creates_no_duplicates(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=datetime.date(1980, 11, 25),
                               is_key_account=True)  # fmt: skip
    BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 3 * DAY)
    first = plan()
    count = Followup.objects.count()
    assert first.created_total == count >= 3
    assert plan() is None  # the date is claimed
    PlanningRun.objects.all().delete()  # even a forced re-run plans nothing twice
    again = plan()
    assert again.created_total == 0
    assert Followup.objects.count() == count


def test_command_and_task(sales1, frozen, capsys):
    from followups.tasks import daily_planning_task

    CustomerFactory(owner=sales1, birthday=datetime.date(1980, 11, 25))
    call_command("plan_followups", "--today", "2026-11-23")
    assert "2026-11-23" in capsys.readouterr().out
    assert daily_planning_task("2026-11-23") is None
    assert daily_planning_task("2026-11-24") == 0


def test_policy_versions_apply_from_their_date(sales1, frozen, no_plan_ahead):
    FollowupPolicy.objects.create(effective_from=TODAY + DAY, post_trip_days=7)
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    early = BookingFactory(customer=customer, start_date=TODAY - 5 * DAY, end_date=TODAY)
    plan()
    assert of_kind(FollowupKind.POST_TRIP).get().due_on == TODAY + 3 * DAY
    late = BookingFactory(customer=customer, start_date=TODAY - 2 * DAY, end_date=TODAY + DAY)
    plan(TODAY + DAY)
    assert of_kind(FollowupKind.POST_TRIP, booking=late).get().planned_on == TODAY + 8 * DAY
    assert of_kind(FollowupKind.POST_TRIP, booking=early).get().planned_on == TODAY + 3 * DAY


# --- Feedback deadlines -------------------------------------------------------------------


def test_overdue_feedback_alerts_the_managers_once(
    sales1, manager1, frozen, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1)
    late = ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - 3 * DAY),
                                summary="导游迟到")  # fmt: skip
    on_time = ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - DAY))
    praise = ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - 9 * DAY), kind="praise")
    with django_capture_on_commit_callbacks(execute=True):
        run = plan()
    late.refresh_from_db()
    assert late.respond_by == at(TODAY - 3 * DAY) + datetime.timedelta(hours=48)
    assert ServiceRecord.objects.get(pk=praise.pk).respond_by is None
    assert run.overdue_feedback == 1
    assert list(FeedbackAlert.objects.values_list("service_record_id", flat=True)) == [late.pk]
    assert len(mail.outbox) == 1
    assert manager1.email in mail.outbox[0].to
    assert "导游迟到" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        second = plan(TODAY + DAY)
    assert second.overdue_feedback == 0
    assert len(mail.outbox) == 1  # alerted once; on_time is not late until tomorrow 10:00
    assert not FeedbackAlert.objects.filter(service_record=on_time).exists()


# --- Two workers at once ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_plan_one_set(sales1):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is only meaningful on PostgreSQL")
    for n in range(20):
        customer = CustomerFactory(owner=sales1, birthday=datetime.date(1980, 11, 24 + n % 3))
        BookingFactory(customer=customer, start_date=TODAY - 8 * DAY, end_date=TODAY - 2 * DAY)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(plan())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in results) == [False, True]
    assert PlanningRun.objects.count() == 1
    done = next(r for r in results if r is not None)
    assert Followup.objects.count() == done.created_total >= 40
    assert not ContactRecord.objects.exists()


def test_cap_counts_a_contact_logged_after_an_overdue_due_date(sales1, frozen):
    customer = CustomerFactory(owner=sales1, birthday=None, id_number="", sex="")
    BookingFactory(customer=customer, start_date=TODAY - 15 * DAY, end_date=TODAY - 10 * DAY)
    ContactRecordFactory(customer=customer, contacted_at=at(TODAY - 2 * DAY))
    plan()
    visit = of_kind(FollowupKind.POST_TRIP).get()
    assert visit.planned_on == TODAY - 7 * DAY
    assert visit.due_on == TODAY + 12 * DAY


def test_overdue_feedback_alert_waits_for_mail_and_goes_once(
    sales1, manager1, frozen, mail_server, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales1)
    ServiceRecordFactory(customer=customer, occurred_at=at(TODAY - 3 * DAY), summary="导游迟到")
    with django_capture_on_commit_callbacks(execute=True):
        run = plan()  # the mail server is down: the run commits all the same
    assert run.overdue_feedback == 1
    alert = OutboundMessage.objects.get(kind="followups.overdue_feedback")
    assert alert.status == MessageStatus.PENDING and alert.last_error
    mail_server.start()
    assert messages_send_due(now=timezone.now() + datetime.timedelta(minutes=10)).sent == 1
    [(to, message)] = mail_server.received.messages
    assert to == [manager1.email]
    assert "导游迟到" in message.get_payload(decode=True).decode()
