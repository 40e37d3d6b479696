"""The stored points liability (loyalty.models.liability), summed again.

Why stored and refreshed by a job, as the home pages' figures are
(customers.services.figures): summing every open lot on each view of the page costs a
second or more at a million lots, while the ledger changes through many doors (earns,
refunds, redemptions and their cancellations, adjustments, the monthly expiry, imports),
each of which would have to remember to keep running totals right. One statement sums
them again every ten minutes (config/celery.py), at the end of the monthly points job
(loyalty.services.jobs.points_monthly) and of a catch-up of missed points
(`earn_missed_points`), and when a manager presses "Refresh now"; the page says "as of"
when.
"""

import datetime

from django.db import connection
from django.utils import timezone

from accounts.roles import require_manager
from customers.audit import audit_record
from customers.jobs import stored_figures_swap
from customers.models import AuditAction
from loyalty.liability import liability_figures_sql
from loyalty.models import LiabilityFigures, LiabilityFiguresRefresh


def points_liability_refresh(*, now: datetime.datetime | None = None, actor=None) -> int | None:
    """Sum the liability as of `now` (the lots outstanding on its Shanghai date) and
    replace the stored rows with it in one transaction: the page reads the old rows or
    the new, never half. One INSERT … SELECT (loyalty.liability.liability_figures_sql).
    Returns the rows written (levels and months); None when a refresh of a later moment
    is already stored (safe to run twice, and at once: the refresh row is locked for
    the whole swap). With `actor` (a manager's "Refresh now") it is audited."""
    if actor is not None:
        require_manager(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    figures = connection.ops.quote_name(LiabilityFigures._meta.db_table)
    with stored_figures_swap(LiabilityFiguresRefresh, now=now) as refresh:
        if refresh is None:
            return None
        LiabilityFigures.objects.all().delete()
        select, params = liability_figures_sql(today=today)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {figures} (refresh_id, level, month, cards, points) "  # noqa: S608
                f"SELECT %s, t.* FROM ({select}) t",
                [refresh.pk, *params],
            )
            rows = cursor.rowcount
        if actor is not None:
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                object_type="loyalty_liability",
                detail={"refresh": True, "day": today.isoformat(), "rows": rows},
            )
    return rows
