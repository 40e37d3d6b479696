# ruff: noqa: S608 - SQL is assembled from fixed fragments; every value is a parameter.
"""Early warnings 预警 (DOMAIN.md §3, the business-travel case), a step of the daily
planning job, and handling them.

Who: live grade A customers (Customer.grade) and key accounts.
What raises one:
- spend falling: net spend (amount less refunds, paid or refunded bookings by paid date,
  as the tier statistics count it) over the last 3 months — the window (today − 3
  months, today] — is below the same window a year earlier by MORE than the policy's
  `warning_fall_percent` (default 50: strictly below half; exactly half does not raise);
- spend rising, an opportunity: MORE than `warning_rise_percent` above it (default 100:
  strictly more than double; exactly double does not). Both need spend a year earlier
  (nothing to compare a first purchase with);
- a complaint (a service record of kind complaint) received in the last
  COMPLAINT_LOOKBACK_DAYS: one warning per complaint.

Once per episode (a spend kind): a warning is raised when the condition holds and every
earlier warning of that kind for the customer is both handled and ended; a run that no
longer finds the condition ends the episode (`condition_ended_on`). So an open warning
is never raised again, and a handled one comes back only after the figures recovered
and fell (or rose) again, as observed by the daily runs.

Set-based: one statement computes both windows for every eligible customer (one pass
over their bookings) into a temporary table, then one UPDATE ends episodes and two
INSERT … SELECT raise warnings. No Python loop over customers."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.audit import audit_record
from customers.models import AuditAction, BookingStatus, CustomerStatus, ServiceKind
from customers.selectors import customer_can_edit
from followups import sql
from followups.models import CustomerWarning, FollowupPolicy, WarningKind

WINDOW_MONTHS = 3
COMPLAINT_LOOKBACK_DAYS = 7
SPEND_CHANGES = "followups_spend_change"
ELIGIBLE = (
    "c.deleted_at IS NULL AND c.anonymised_at IS NULL AND c.status IN "
    f"('{CustomerStatus.ACTIVE.value}', '{CustomerStatus.DORMANT.value}') "
    "AND (c.grade = 'A' OR c.is_key_account)"
)
INSERT_COLUMNS = (
    "customer_id, kind, raised_on, run_id, window_from, window_to, spend_recent, "
    "spend_year_before, service_record_id, condition_ended_on, handled_at, handled_by_id, "
    "handled_note, created_at"
)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, kept within the month (31 May − 3 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def spend_windows(today: datetime.date) -> dict[str, datetime.date]:
    """Exclusive start, inclusive end of the recent window and of the one a year before."""
    year_before = months_before(today, 12)
    return {
        "recent_after": months_before(today, WINDOW_MONTHS),
        "recent_to": today,
        "prior_after": months_before(year_before, WINDOW_MONTHS),
        "prior_to": year_before,
    }


def _execute(statement: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.adapt_params(params))
        return max(cursor.rowcount, 0)


def spend_changes_sql(*, windows: dict, policy: FollowupPolicy) -> tuple[str, list]:
    """SELECT (customer_id, kind, recent_cents, prior_cents): the eligible customers
    whose spend change crosses a threshold, both windows from one pass over their
    bookings. Sums in whole cents, so the thresholds compare exactly on SQLite too."""
    net_cents = "CAST(ROUND((b.amount - b.refunded_amount) * 100) AS bigint)"
    date = sql.date_param()
    fall, rise = policy.warning_fall_percent, policy.warning_rise_percent
    statement = f"""
        SELECT customer_id,
               CASE WHEN recent_cents * 100 < prior_cents * (100 - %s) THEN %s ELSE %s END
                   AS kind,
               recent_cents, prior_cents
        FROM (
            SELECT c.id AS customer_id,
                   COALESCE(SUM(CASE WHEN b.paid_date > {date} THEN {net_cents} END), 0)
                       AS recent_cents,
                   COALESCE(SUM(CASE WHEN b.paid_date <= {date} THEN {net_cents} END), 0)
                       AS prior_cents
            FROM customers_customer c
            JOIN customers_booking b ON b.customer_id = c.id
            WHERE {ELIGIBLE} AND b.status IN (%s, %s)
              AND ((b.paid_date > {date} AND b.paid_date <= {date})
                   OR (b.paid_date > {date} AND b.paid_date <= {date}))
            GROUP BY c.id
        ) spend
        WHERE prior_cents > 0 AND (recent_cents * 100 < prior_cents * (100 - %s)
                                   OR recent_cents * 100 > prior_cents * (100 + %s))
    """
    params = [
        fall,
        WarningKind.SPEND_FALL.value,
        WarningKind.SPEND_RISE.value,
        windows["recent_after"],
        windows["prior_to"],
        BookingStatus.PAID.value,
        BookingStatus.REFUNDED.value,
        windows["recent_after"],
        windows["recent_to"],
        windows["prior_after"],
        windows["prior_to"],
        fall,
        rise,
    ]
    return statement, params


def warnings_raise(*, run, policy: FollowupPolicy, today: datetime.date, now) -> dict[str, int]:
    """The planning job's warning step (inside its transaction). Returns the warnings
    raised by kind and how many spend episodes ended."""
    windows = spend_windows(today)
    select, params = spend_changes_sql(windows=windows, policy=policy)
    _execute(f"DROP TABLE IF EXISTS {SPEND_CHANGES}", [])
    _execute(f"CREATE TEMPORARY TABLE {SPEND_CHANGES} AS {select}", params)
    try:
        ended = _execute(
            f"""
            UPDATE followups_customerwarning SET condition_ended_on = %s
            WHERE condition_ended_on IS NULL AND kind IN (%s, %s) AND NOT EXISTS (
                SELECT 1 FROM {SPEND_CHANGES} t
                WHERE t.customer_id = followups_customerwarning.customer_id
                  AND t.kind = followups_customerwarning.kind)
            """,
            [today, WarningKind.SPEND_FALL.value, WarningKind.SPEND_RISE.value],
        )
        date = sql.date_param()
        raised_spend = _execute(
            f"""
            INSERT INTO followups_customerwarning ({INSERT_COLUMNS})
            SELECT t.customer_id, t.kind, {date}, %s, {date}, {date},
                   t.recent_cents / 100.0, t.prior_cents / 100.0, NULL, NULL, NULL, NULL,
                   '', %s
            FROM {SPEND_CHANGES} t
            WHERE NOT EXISTS (
                SELECT 1 FROM followups_customerwarning w
                WHERE w.customer_id = t.customer_id AND w.kind = t.kind
                  AND (w.handled_at IS NULL OR w.condition_ended_on IS NULL))
            """,
            [
                today,
                run.pk,
                windows["recent_after"] + datetime.timedelta(days=1),
                windows["recent_to"],
                now,
            ],
        )
    finally:
        _execute(f"DROP TABLE IF EXISTS {SPEND_CHANGES}", [])
    since = now - datetime.timedelta(days=COMPLAINT_LOOKBACK_DAYS)
    raised_complaints = _execute(
        f"""
        INSERT INTO followups_customerwarning ({INSERT_COLUMNS})
        SELECT c.id, %s, {sql.date_param()}, %s, NULL, NULL, NULL, NULL, s.id, NULL, NULL,
               NULL, '', %s
        FROM customers_servicerecord s JOIN customers_customer c ON c.id = s.customer_id
        WHERE s.kind = %s AND s.occurred_at > %s AND s.occurred_at <= %s AND {ELIGIBLE}
        ON CONFLICT (service_record_id) DO NOTHING
        """,
        [
            WarningKind.COMPLAINT.value,
            today,
            run.pk,
            now,
            ServiceKind.COMPLAINT.value,
            since,
            now,
        ],
    )
    return {"raised_spend": raised_spend, "raised_complaints": raised_complaints, "ended": ended}


def warning_handle(
    *, actor, warning: CustomerWarning, note: str, now: datetime.datetime | None = None
) -> CustomerWarning:
    """Handled, with what was done: the warning leaves My day and the backlog page. A
    spend warning's episode still has to end (the figures recover) before the same kind
    can be raised again."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done about it.")})
    with transaction.atomic():
        locked = (
            CustomerWarning.objects.select_for_update(of=("self",))
            .select_related("customer__owner__team")
            .get(pk=warning.pk)
        )
        if not customer_can_edit(user=actor, customer=locked.customer):
            raise PermissionDenied
        if locked.handled_at is not None:
            raise ValidationError(_("This warning was already handled."))
        locked.handled_at = now
        locked.handled_by = actor
        locked.handled_note = note[:1000]
        locked.save(update_fields=["handled_at", "handled_by", "handled_note"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=locked,
            customer=locked.customer,
            detail={"warning": locked.kind, "handled": locked.handled_note},
        )
    return locked
