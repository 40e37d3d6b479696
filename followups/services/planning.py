# ruff: noqa: S608 - SQL is assembled from fixed fragments; every value is a parameter.
"""The daily planning job: a handful of INSERT … SELECT statements, one per rule, then a
bounded number of set-based passes for the frequency cap (followups.services.cap) and
the early warnings (followups.services.warnings). No Python loop over customers; the
only loops are over the days of a short window (greetings, standing visits) and the
cap passes, whose count is bounded by the follow-ups one customer gets in one run."""

import datetime
from dataclasses import dataclass

from borax.calendars.lunardate import LunarDate
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.dbstats import tables_analyze
from customers.models import BookingStatus, CustomerKind, CustomerStatus, ServiceKind
from customers.services.custody import managers_to_notify
from customers.services.outbox import message_queue
from followups import sql
from followups.models import (
    Followup,
    FollowupKind,
    FollowupPolicy,
    FollowupStatus,
    Occasion,
    PlanningRun,
)
from followups.services.cap import frequency_cap_apply, regular_contacts_supersede
from followups.services.warnings import warnings_raise
from privacy.selectors import marketing_allowed_sql

# A first run (or a run after a gap) plans post-trip visits for trips that ended this
# many days back at most; older trips are past the point of a "how was it" call.
POST_TRIP_LOOKBACK_DAYS = 14
# Customers who are still ours: retired, lost and deleted customers get no follow-ups.
LIVE_CUSTOMER = (
    "c.deleted_at IS NULL AND c.anonymised_at IS NULL AND c.status IN "
    f"('{CustomerStatus.ACTIVE.value}', '{CustomerStatus.DORMANT.value}')"
)
CLIENT_KINDS = f"('{CustomerKind.INDIVIDUAL.value}', '{CustomerKind.CORPORATE.value}')"
FEEDBACK_KINDS = (ServiceKind.COMPLAINT, ServiceKind.REQUEST, ServiceKind.SUGGESTION)

INSERT_COLUMNS = (
    "customer_id, owner_id, kind, occasion, occasion_key, facts, channel, planned_on, "
    "due_on, cap_days, booking_id, service_record_id, standing_visit_id, status, "
    "appointment_at, appointment_note, note, run_id, created_at"
)

# Festivals greeted for key accounts and grade A/B customers, with a suggested channel.
LUNAR_FESTIVALS = {
    Occasion.SPRING_FESTIVAL: (1, 1, "card"),
    Occasion.DRAGON_BOAT: (5, 5, "wechat"),
    Occasion.MID_AUTUMN: (8, 15, "card"),
}
SOLAR_FESTIVALS = {
    Occasion.NEW_YEAR: (1, 1, "email"),
    Occasion.NATIONAL_DAY: (10, 1, "sms"),
}


def festival_dates(year: int) -> dict[str, tuple[datetime.date, str]]:
    """The solar date of each greeted festival in `year`, lunar ones converted."""
    dates = {
        occasion: (LunarDate(year, month, day).to_solar_date(), channel)
        for occasion, (month, day, channel) in LUNAR_FESTIVALS.items()
    }
    for occasion, (month, day, channel) in SOLAR_FESTIVALS.items():
        dates[occasion] = (datetime.date(year, month, day), channel)
    return dates


def anniversary_windows(
    today: datetime.date, lead_days: int
) -> list[tuple[int, int, datetime.date]]:
    """(month, day, date) for each day from today to today + lead: the anniversaries that
    fall in the window. In a non-leap year, 29 February anniversaries are kept on the
    28th."""
    windows = []
    for offset in range(lead_days + 1):
        day = today + datetime.timedelta(days=offset)
        windows.append((day.month, day.day, day))
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            windows.append((2, 29, day))
    return windows


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass
class _Run:
    run: PlanningRun
    policy: FollowupPolicy
    today: datetime.date
    now: datetime.datetime

    def execute(self, statement: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(statement, sql.adapt_params(params))
            return max(cursor.rowcount, 0)

    def insert(self, select_sql: str, params: list, *, with_sql: str = "", with_params=()) -> int:
        """INSERT … SELECT into follow-ups; rows already planned are left alone."""
        # The WITH goes inside the INSERT: Python's sqlite3 (before 3.12) reports no row
        # count for a statement that starts with WITH.
        prefix = f"WITH {with_sql} " if with_sql else ""
        statement = (
            f"INSERT INTO followups_followup ({INSERT_COLUMNS}) {prefix}{select_sql} "
            "ON CONFLICT (customer_id, kind, occasion_key) DO NOTHING"
        )
        return self.execute(statement, [*with_params, *params])

    def tail(self, *, booking="NULL", service="NULL", standing="NULL", appointment="NULL"):
        """The columns after due_on that most rules fill the same way, and their params."""
        return (
            f"NULL, {booking}, {service}, {standing}, '{FollowupStatus.OPEN.value}', "
            f"{appointment}, '', '', %s, %s"
        ), [self.run.pk, self.now]


def planning_run(
    *, today: datetime.date, now: datetime.datetime | None = None
) -> PlanningRun | None:
    """Plan the follow-ups due around `today` (Asia/Shanghai). Claims the date first: a
    second run for the same date, or one running at the same moment (it waits on the
    unique index, then finds the claim), does nothing and returns None."""
    now = now or timezone.now()
    with transaction.atomic():
        run, created = PlanningRun.objects.get_or_create(run_date=today)
        if not created:
            return None
        work = _Run(run=run, policy=FollowupPolicy.in_force(today=today), today=today, now=now)
        # Follow-ups store facts, not sentences: the reason is rendered in the reader's
        # language when displayed (followups.models.reasons).
        follow_customer_owners()  # the safety net; the receiver did it at the change
        counts = {
            FollowupKind.POST_TRIP.value: _plan_post_trip(work),
            FollowupKind.REGULAR.value: _plan_regular(work),
            FollowupKind.KEY_ACCOUNT.value: _plan_key_account(work),
            FollowupKind.WEEKLY_VISIT.value: _plan_standing_visits(work),
            FollowupKind.GREETING.value: _plan_greetings(work),
            FollowupKind.FEEDBACK.value: _plan_feedback(work),
        }
        # A backlog run can double the table, and the cap's statements below read what
        # was just planned: they are planned on fresh statistics (ANALYZE inside the
        # transaction counts its own rows; the statistics commit with them). Measured at
        # a million customers: on stale ones the cap's UPDATE joined every open
        # follow-up with every customer planned for, row by row (over 10 minutes a pass).
        # Later, fresh statistics keep My day's "due today" on the (owner, status,
        # due_on) index (bench/followups.py, 20,000 customers: a first run of 18,932 rows
        # left them stale and the next day's regular-contact INSERT took 18 s, not 0.1 s).
        tables_analyze(Followup, changed_rows=sum(counts.values()))
        # The cap, for the customers planned for (what was planned today and what they
        # already had: a post-trip visit goes ahead of a routine call planned earlier)
        # and those contacted since yesterday (contacts the signal did not announce).
        since = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time())
        )
        moved = frequency_cap_apply(
            cap=work.policy.frequency_cap_days, run_id=run.pk, contacts_since=since
        )
        run.moved_by_cap = len(moved)
        run.overdue_feedback = _flag_overdue_feedback(work)
        warned = warnings_raise(run=run, policy=work.policy, today=today, now=now)
        run.warnings_raised = warned["raised_spend"] + warned["raised_complaints"]
        run.created_counts = counts
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "created_counts",
                "moved_by_cap",
                "overdue_feedback",
                "warnings_raised",
                "finished_at",
            ]
        )
        if run.overdue_feedback:
            _alert_managers(run)
    return run


def follow_customer_owners(*, customer_ids=None) -> int:
    """Open follow-ups follow the customer's current owner: after a departure handover
    or a manager reassigning a customer, the new owner gets the open work. The one
    exception is feedback assigned to someone (feedback_assign): it stays with that
    assignee while they are active. One UPDATE … FROM, which the reads rely on (they
    filter by `owner` alone).

    With `customer_ids` (the `customers_reassigned` receiver, right after the change
    commits) only those customers' follow-ups, plus the feedback an account no longer
    active still holds (assigned to the rep who just left, whose customer did not
    change hands); without (the planning job's opening pass, the safety net for an
    owner written some other way) all of them."""
    users = get_user_model()._meta.db_table
    open_ = FollowupStatus.OPEN.value
    targets, target_params, on_target = "", [], ""
    if customer_ids is not None:
        # The rows to look at, each half from an index: (owner, status, due_on) for the
        # feedback the few inactive accounts hold, and (customer, status, due_on). No OR,
        # no scan, and estimates small enough to plan in a few milliseconds.
        targets = (
            f", (SELECT h.id FROM followups_followup h JOIN {users} i ON i.id = h.owner_id"
            f" WHERE NOT i.is_active AND h.status = '{open_}'"
            f" AND h.kind = '{FollowupKind.FEEDBACK.value}'"
        )
        if customer_ids:
            ids_sql, target_params = sql.in_ids("t.customer_id", customer_ids)
            targets += (
                f" UNION SELECT t.id FROM followups_followup t WHERE {ids_sql}"
                f" AND t.status = '{open_}'"
            )
        targets += ") w"
        on_target = "AND w.id = f.id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE followups_followup AS f SET owner_id = c.owner_id
            FROM customers_customer c {targets}
            WHERE c.id = f.customer_id AND f.status = %s AND f.owner_id <> c.owner_id
              {on_target}
              AND NOT (f.kind = %s AND EXISTS (
                  SELECT 1 FROM customers_servicerecord s JOIN {users} u
                    ON u.id = s.assigned_to_id
                  WHERE s.id = f.service_record_id AND s.assigned_to_id = f.owner_id
                    AND u.is_active))
            """,
            [*target_params, open_, FollowupKind.FEEDBACK.value],
        )
        return max(cursor.rowcount, 0)


def customers_reassigned_receiver(sender, *, customer_ids, actor=None, **kwargs) -> None:
    """Receiver of customers.signals.customers_reassigned (connected in
    FollowupsConfig.ready): the new owner has the open work the moment the handover or
    the owner change commits. Idempotent."""
    follow_customer_owners(customer_ids=customer_ids)


def _plan_post_trip(work: _Run) -> int:
    """旅游结束后回访: due N days after the trip ends, for trips that ended by today."""
    due = sql.add_days("b.end_date", "%s")
    tail, tail_params = work.tail(booking="b.id")
    statement = f"""
        SELECT c.id, c.owner_id, %s, '', 'booking:' || {sql.as_text("b.id")},
               {sql.json_object([("end", "b.end_date"), ("product", "b.product")])}, 'phone',
               {due}, {due}, {tail}
        FROM customers_booking b JOIN customers_customer c ON c.id = b.customer_id
        WHERE b.end_date <= %s AND b.end_date >= %s AND b.status IN (%s, %s)
          AND {LIVE_CUSTOMER}
    """
    days = work.policy.post_trip_days
    params = [
        FollowupKind.POST_TRIP.value,
        days,
        days,
        *tail_params,
        work.today,
        work.today - datetime.timedelta(days=POST_TRIP_LOOKBACK_DAYS),
        BookingStatus.BOOKED.value,
        BookingStatus.PAID.value,
    ]
    return work.insert(statement, params)


def _cadence_sql() -> str:
    return "CASE c.grade WHEN 'A' THEN %s WHEN 'B' THEN %s ELSE %s END"


def _plan_regular(work: _Run) -> int:
    """不定期回访: the last contact is older than the grade's cadence (blank grade = C).
    Planned up to `plan_ahead_days` early so it shows in the week; an open one is
    superseded when a contact is logged another way."""
    policy = work.policy
    cadence = [policy.cadence_a_days, policy.cadence_b_days, policy.cadence_c_days]
    regular_contacts_supersede()
    since = f"COALESCE(last.last_day, {sql.local_date('c.created_at')})"
    grade = "COALESCE(NULLIF(c.grade, ''), 'C')"
    due_base = sql.add_days(since, _cadence_sql())
    tail, tail_params = work.tail()
    statement = f"""
        SELECT c.id, c.owner_id, %s, '',
               'since:' || COALESCE({sql.as_text("last.last_day")}, 'none'),
               {sql.json_object([("last", "last.last_day"), ("grade", grade)])},
               'phone', {sql.greatest(due_base, "%s")}, {sql.greatest(due_base, "%s")}, {tail}
        FROM customers_customer c
        LEFT JOIN (
            SELECT r.customer_id, MAX({sql.local_date("r.contacted_at")}) AS last_day
            FROM customers_contactrecord r GROUP BY r.customer_id
        ) last ON last.customer_id = c.id
        WHERE {LIVE_CUSTOMER} AND c.kind IN {CLIENT_KINDS}
          AND {due_base} <= %s
          AND {marketing_allowed_sql(customer="c", channel_sql="'phone'")}
          AND NOT EXISTS (SELECT 1 FROM followups_followup o
                          WHERE o.customer_id = c.id AND o.status = %s AND o.kind = %s)
    """
    params = [
        FollowupKind.REGULAR.value,
        *cadence,
        work.today,
        *cadence,
        work.today,
        *tail_params,
        *cadence,
        work.today + datetime.timedelta(days=policy.plan_ahead_days),
        FollowupStatus.OPEN.value,
        FollowupKind.REGULAR.value,
    ]
    return work.insert(statement, params)


def _plan_key_account(work: _Run) -> int:
    """大客户月度拜访: one on-site visit a month for each key account, due by the policy's
    day of the month; accounts with a standing weekly visit are already seen weekly."""
    today = work.today
    month_start = today.replace(day=1)
    due = max(today, today.replace(day=work.policy.key_account_visit_day))
    tail, tail_params = work.tail()
    facts = sql.json_object([("month", sql.text_param())])
    statement = f"""
        SELECT c.id, c.owner_id, %s, '', %s, {facts}, 'visit', %s, %s, {tail}
        FROM customers_customer c
        WHERE {LIVE_CUSTOMER} AND c.is_key_account
          AND NOT EXISTS (SELECT 1 FROM followups_standingvisit s
                          WHERE s.customer_id = c.id AND s.active)
          AND NOT EXISTS (SELECT 1 FROM customers_contactrecord r
                          WHERE r.customer_id = c.id AND r.channel = 'visit'
                            AND r.contacted_at >= %s)
    """
    month_start_at = timezone.make_aware(datetime.datetime.combine(month_start, datetime.time()))
    params = [
        FollowupKind.KEY_ACCOUNT.value,
        f"month:{today:%Y-%m}",
        f"{today:%Y-%m}",
        due,
        due,
        *tail_params,
        month_start_at,
    ]
    return work.insert(statement, params)


def _plan_standing_visits(work: _Run) -> int:
    """Fixed weekly visits in the coming days, each a confirmed appointment."""
    days = [
        work.today + datetime.timedelta(days=offset)
        for offset in range(max(work.policy.plan_ahead_days, 6) + 1)
    ]
    with_sql, with_params = sql.values_table(
        "w", ["wd", "day"], [(day.weekday(), day) for day in days], ["int", "date"]
    )
    appointment = sql.local_timestamp("w.day", "s.time")
    tail, tail_params = work.tail(standing="s.id", appointment=appointment)
    statement = f"""
        SELECT c.id, c.owner_id, %s, '',
               'weekly:' || {sql.as_text("s.id")} || ':' || {sql.as_text("w.day")},
               {sql.json_object([("route", "s.route"), ("day", "w.day")])}, 'visit',
               w.day, w.day, {tail}
        FROM followups_standingvisit s
        JOIN w ON w.wd = s.weekday
        JOIN customers_customer c ON c.id = s.customer_id
        WHERE s.active AND {LIVE_CUSTOMER}
    """
    params = [FollowupKind.WEEKLY_VISIT.value, *tail_params]
    return work.insert(statement, params, with_sql=with_sql, with_params=with_params)


def _before_year(date_sql: str) -> str:
    """The date lies in an earlier year than the anniversary (not the day itself)."""
    return f"{sql.year_of(date_sql)} < CAST(w.y AS integer)"


def _plan_greetings(work: _Run) -> int:
    """节日问候, created `greeting_lead_days` ahead and due on the day itself."""
    lead = work.policy.greeting_lead_days
    windows = anniversary_windows(work.today, lead)
    with_sql, with_params = sql.values_table(
        "w",
        ["m", "d", "day", "y"],
        [(month, day, date, str(date.year)) for month, day, date in windows],
        ["int", "int", "date", ""],
    )
    created = 0
    # Birthdays: the birthday column, which customer_prepare fills from the ID number
    # (the number itself is encrypted at rest and unreadable to SQL).
    anniversaries = [
        (
            Occasion.BIRTHDAY,
            sql.month_of("c.birthday"),
            sql.day_of("c.birthday"),
            "c.birthday IS NOT NULL",
            "CASE WHEN c.is_key_account OR c.grade = 'A' THEN 'card' ELSE 'wechat' END",
        ),
        (
            Occasion.WEDDING,
            sql.month_of("c.wedding_anniversary"),
            sql.day_of("c.wedding_anniversary"),
            f"c.wedding_anniversary IS NOT NULL AND {_before_year('c.wedding_anniversary')}",
            "'wechat'",
        ),
        (
            Occasion.FOUNDING,
            sql.month_of("c.founding_date"),
            sql.day_of("c.founding_date"),
            f"c.founding_date IS NOT NULL AND {_before_year('c.founding_date')}",
            "'card'",
        ),
    ]
    tail, tail_params = work.tail()
    for occasion, month_sql, day_sql, has_date, channel_sql in anniversaries:
        statement = f"""
            SELECT c.id, c.owner_id, %s, %s, %s || ':' || w.y,
                   {sql.json_object([("day", "w.day")])}, {channel_sql}, w.day, w.day, {tail}
            FROM customers_customer c JOIN w ON w.m = ({month_sql}) AND w.d = ({day_sql})
            WHERE {LIVE_CUSTOMER} AND {has_date}
              AND {marketing_allowed_sql(customer="c", channel_sql=channel_sql)}
        """
        params = [
            FollowupKind.GREETING.value,
            occasion.value,
            occasion.value,
            *tail_params,
        ]
        created += work.insert(statement, params, with_sql=with_sql, with_params=with_params)
    # Festivals: key accounts and grade A/B clients, the ones the agency keeps warm.
    horizon = work.today + datetime.timedelta(days=lead)
    festivals = [
        (occasion, date, channel)
        for year in {work.today.year, horizon.year}
        for occasion, (date, channel) in festival_dates(year).items()
        if work.today <= date <= horizon
    ]
    facts = sql.json_object([("day", sql.text_param())])
    for occasion, date, channel in festivals:
        statement = f"""
            SELECT c.id, c.owner_id, %s, %s, %s, {facts}, %s, %s, %s, {tail}
            FROM customers_customer c
            WHERE {LIVE_CUSTOMER} AND c.kind IN {CLIENT_KINDS}
              AND (c.is_key_account OR c.grade IN ('A', 'B'))
              AND {marketing_allowed_sql(customer="c", channel_sql=f"'{channel}'")}
        """
        params = [
            FollowupKind.GREETING.value,
            occasion.value,
            f"{occasion.value}:{date.year}",
            date.isoformat(),
            channel,
            date,
            date,
            *tail_params,
        ]
        created += work.insert(statement, params)
    return created


def _plan_feedback(work: _Run) -> int:
    """Feedback saved without a deadline (from the customer page) gets the policy's; each
    unanswered item is a follow-up for whoever it is assigned to (else the owner)."""
    hours = work.policy.feedback_response_hours
    kinds = [kind.value for kind in FEEDBACK_KINDS]
    work.execute(
        f"""
        UPDATE customers_servicerecord SET respond_by = {sql.add_hours("occurred_at", "%s")}
        WHERE respond_by IS NULL AND responded_at IS NULL AND status = 'open'
          AND kind IN (%s, %s, %s)
        """,
        [hours, *kinds],
    )
    return feedback_followups_insert(work, extra_where="", extra_params=[])


def feedback_followups_insert(work: "_Run", *, extra_where: str, extra_params: list) -> int:
    tail, tail_params = work.tail(service="s.id")
    due = sql.local_date("s.respond_by")
    statement = f"""
        SELECT c.id, COALESCE(s.assigned_to_id, c.owner_id), %s, '',
               'feedback:' || {sql.as_text("s.id")}, {sql.json_object([("summary", "s.summary")])},
               'phone',
               {due}, {due}, {tail}
        FROM customers_servicerecord s JOIN customers_customer c ON c.id = s.customer_id
        WHERE s.status = 'open' AND s.responded_at IS NULL AND s.respond_by IS NOT NULL
          AND c.deleted_at IS NULL AND c.anonymised_at IS NULL {extra_where}
    """
    params = [FollowupKind.FEEDBACK.value, *tail_params, *extra_params]
    return work.insert(statement, params)


def _flag_overdue_feedback(work: _Run) -> int:
    """Unanswered feedback past its deadline, alerted once each."""
    return work.execute(
        """
        INSERT INTO followups_feedbackalert (service_record_id, run_id, alerted_at)
        SELECT s.id, %s, %s FROM customers_servicerecord s
        WHERE s.status = 'open' AND s.responded_at IS NULL AND s.respond_by < %s
        ON CONFLICT (service_record_id) DO NOTHING
        """,
        [work.run.pk, work.now, work.now],
    )


def _alert_managers(run: PlanningRun) -> None:
    """One e-mail to the managers, in the office language, queued in the outbox in the
    run's transaction: sent after the commit, and again while mail is down."""
    recipients = list(managers_to_notify().values_list("email", flat=True).distinct())
    if not recipients:
        return
    alerts = run.feedback_alerts.select_related("service_record__customer").order_by("id")[:50]
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "%(count)d piece of feedback is past its response deadline",
            "%(count)d pieces of feedback are past their response deadline",
            run.overdue_feedback,
        ) % {"count": run.overdue_feedback}
        lines = [
            f"- {alert.service_record.customer.name}: {alert.service_record.summary} "
            f"({timezone.localtime(alert.service_record.respond_by):%Y-%m-%d %H:%M})"
            for alert in alerts
        ]
        advice = _("See Feedback, filter “overdue”, to assign and answer them.")
        message_queue(
            kind="followups.overdue_feedback",
            recipients=recipients,
            subject=subject,
            body="\n".join([subject, "", *lines, "", advice]),
            reference=f"planning_run:{run.pk}",
        )
