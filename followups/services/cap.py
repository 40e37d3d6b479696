# ruff: noqa: S608 - SQL is assembled from fixed fragments; every value is a parameter.
"""The frequency cap 回访频率上限 (DOMAIN.md §4: no two non-urgent contacts with one
customer within `frequency_cap_days`), one rule function for its two doors:

- the daily planning job, after it planned the day (the customers it planned for), and
- a contact logged (`customers.signals.contacts_logged`, after the contact committed):
  a contact made counts as much as a contact planned, so that customer's planned
  follow-ups within the cap of it move at once, not at the next run.

A follow-up is moved to the first allowed day (the latest blocker + the cap), with the
cap in `cap_days`; it is never dropped. What blocks it:

1. a contact made with the customer (a contact record) within the cap before its due
   date, or on any later day;
2. another open capped follow-up of the customer within the cap either side that goes
   ahead of it. The order (CAP_PRIORITY): an appointment agreed with the customer first
   (it is never moved: the customer expects the visit), then the post-trip visit (it asks
   about a trip just made; it must not wait weeks behind routine calls), then the
   key-account monthly visit, then the regular contact. Within a kind, the earlier due
   date (then the older row) goes first.

Greetings, standing weekly visits and feedback responses are never capped and block
nothing (UNCAPPED_KINDS): they fall on their day or are urgent."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from followups import sql
from followups.models import UNCAPPED_KINDS, FollowupKind, FollowupPolicy, FollowupStatus
from followups.services.work import visit_appointments_complete

# The order in which planned follow-ups of one customer claim their day. Earlier in the
# tuple goes first; a confirmed appointment goes before all of them.
CAP_PRIORITY = (FollowupKind.POST_TRIP, FollowupKind.KEY_ACCOUNT, FollowupKind.REGULAR)
CAPPED_KINDS = tuple(kind.value for kind in FollowupKind if kind not in UNCAPPED_KINDS)
if set(CAPPED_KINDS) != {kind.value for kind in CAP_PRIORITY}:
    raise ImportError("Every capped follow-up kind needs its place in CAP_PRIORITY.")
MAX_CAP_PASSES = 12


def _rank_sql(alias: str) -> str:
    whens = " ".join(
        f"WHEN {alias}.kind = '{kind.value}' THEN {rank}"
        for rank, kind in enumerate(CAP_PRIORITY, start=1)
    )
    return (
        f"(CASE WHEN {alias}.appointment_confirmed_at IS NOT NULL THEN 0 {whens} "
        f"ELSE {len(CAP_PRIORITY) + 1} END)"
    )


def frequency_cap_apply(
    *,
    cap: int,
    run_id: int | None = None,
    contacts_since: datetime.datetime | None = None,
    customer_ids=None,
) -> set[int]:
    """Move the open capped follow-ups in scope that break the cap; returns the ids
    moved. Scope: the customers `run_id` planned for and those with a contact made
    since `contacts_since` (the job's safety net for contacts written without the
    signal: a bulk load, an import), or `customer_ids` (the signal). Each pass is one
    UPDATE; a pass only pushes dates later, so it settles after as many passes as one
    customer has capped follow-ups."""
    if cap == 0 or (run_id is None and not customer_ids):
        return set()
    kinds = ", ".join(["%s"] * len(CAPPED_KINDS))
    window_start = sql.add_days("f.due_on", "%s")
    blocker = f"""
        SELECT MAX(x) FROM (
            SELECT {sql.local_date("r.contacted_at")} AS x FROM customers_contactrecord r
            WHERE r.customer_id = f.customer_id
              AND {sql.local_date("r.contacted_at")} > {window_start}
            UNION ALL
            SELECT g.due_on FROM followups_followup g
            WHERE g.customer_id = f.customer_id AND g.id <> f.id AND g.status = %s
              AND g.kind IN ({kinds})
              AND g.due_on > {window_start} AND g.due_on < {sql.add_days("f.due_on", "%s")}
              AND ({_rank_sql("g")} < {_rank_sql("f")}
                   OR ({_rank_sql("g")} = {_rank_sql("f")}
                       AND (g.due_on < f.due_on OR (g.due_on = f.due_on AND g.id < f.id))))
        ) blockers
    """
    blocker_params = [-cap, FollowupStatus.OPEN.value, *CAPPED_KINDS, -cap, cap]
    if run_id is not None:
        # Uncorrelated, so each side is read once (a hashed set), not once per row.
        scope = (
            "f.customer_id IN (SELECT n.customer_id FROM followups_followup n"
            " WHERE n.run_id = %s UNION SELECT m.customer_id FROM customers_contactrecord m"
            " WHERE m.contacted_at >= %s)"
        )
        scope_params = [run_id, contacts_since or timezone.now()]
    else:
        scope, scope_params = sql.in_ids("f.customer_id", customer_ids)
    candidate = (
        f"f.status = %s AND f.kind IN ({kinds}) AND f.appointment_confirmed_at IS NULL AND {scope}"
    )
    candidate_params = [FollowupStatus.OPEN.value, *CAPPED_KINDS, *scope_params]
    new_due = sql.add_days(f"({blocker})", "%s")
    if sql.is_postgres():
        statement = f"""
            UPDATE followups_followup AS f SET due_on = moved.new_due, cap_days = %s
            FROM (
                SELECT f.id, {new_due} AS new_due FROM followups_followup f
                WHERE {candidate}
            ) moved
            WHERE moved.id = f.id AND moved.new_due > f.due_on
            RETURNING f.id
        """
        params = [cap, *blocker_params, cap, *candidate_params]
    else:
        statement = f"""
            UPDATE followups_followup AS f SET due_on = {new_due}, cap_days = %s
            WHERE {candidate} AND {new_due} > f.due_on
            RETURNING id
        """
        params = [*blocker_params, cap, cap, *candidate_params, *blocker_params, cap]
    moved: set[int] = set()
    with connection.cursor() as cursor:
        for _pass in range(MAX_CAP_PASSES):
            cursor.execute(statement, params)
            ids = {row[0] for row in cursor.fetchall()}
            if not ids:
                break
            moved |= ids
    return moved


def regular_contacts_supersede(*, customer_ids=None) -> int:
    """An open regular contact is superseded by any contact logged since it was planned
    (the next one is planned from that contact by the cadence). All customers (the
    planning job) or `customer_ids` (a contact just logged)."""
    scope, scope_params = "", []
    if customer_ids is not None:
        if not customer_ids:
            return 0
        scope, scope_params = sql.in_ids("followups_followup.customer_id", customer_ids)
        scope = f"AND {scope}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE followups_followup SET status = %s
            WHERE status = %s AND kind = %s {scope} AND EXISTS (
                SELECT 1 FROM customers_contactrecord r
                WHERE r.customer_id = followups_followup.customer_id
                  AND r.contacted_at >= followups_followup.created_at)
            """,
            [
                FollowupStatus.SUPERSEDED.value,
                FollowupStatus.OPEN.value,
                FollowupKind.REGULAR.value,
                *scope_params,
            ],
        )
        return max(cursor.rowcount, 0)


def contacts_logged_receiver(sender, *, customer_ids, record_ids=(), actor=None, **kwargs):
    """Receiver of customers.signals.contacts_logged (connected in FollowupsConfig.ready):
    as the planning job would do it, at once: the appointment the visit used is done,
    regular contacts are superseded, and the cap moves what is now too close to the
    contact. Idempotent."""
    policy = FollowupPolicy.in_force(today=timezone.localdate())
    with transaction.atomic():
        visit_appointments_complete(record_ids=record_ids)
        regular_contacts_supersede(customer_ids=customer_ids)
        frequency_cap_apply(cap=policy.frequency_cap_days, customer_ids=customer_ids)
