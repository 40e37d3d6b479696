"""The stored figures of the home pages (customers.models.figures), refreshed.

Why a stored sum and why refreshed by a job: a whole book's month (a team lead's, a
manager's) is some 140,000 payments at a million customers, seconds to sum on every
page view (and counting a million customers by grade is no better); summed once per
owner it is a few dozen rows a page adds up in a millisecond. Bookings and customers
are written through many doors (the booking form, imports, the API, booking syncs,
refunds and cancellations, hand-overs, the recycle bin, grade changes), so keeping the
sums up to date on every write would need every door to remember it; recomputing them
set-based every ten minutes (config/celery.py) costs about a second at that size and
cannot drift. The pages say "as of" when.
"""

import datetime

from django.db import connection
from django.utils import timezone

from customers.dbstats import tables_analyze
from customers.jobs import stored_figures_swap
from customers.models import OwnerFigures, OwnerFiguresRefresh, OwnerOverdueCustomer
from customers.summaries import owner_figures_compute, owner_overdue_customers_insert_sql


def owner_figures_refresh(*, now: datetime.datetime | None = None) -> int | None:
    """Sum every owner's figures as of `now` (customers.summaries.owner_figures_compute)
    and their customers owing the most overdue money (one INSERT ... SELECT,
    `owner_overdue_customers_insert_sql`), and replace the stored ones with them, in
    one transaction: a page reads the old
    figures or the new, never half. Returns the owners written; None when a refresh of
    a later moment is already stored (safe to run twice, and at once: the refresh row
    is locked for the whole swap)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with stored_figures_swap(OwnerFiguresRefresh, now=now) as refresh:
        if refresh is None:
            return None
        rows = [
            OwnerFigures(owner_id=owner, **values)
            for owner, values in sorted(owner_figures_compute(today=today).items())
        ]
        OwnerFigures.objects.all().delete()
        OwnerFigures.objects.bulk_create(rows)
        OwnerOverdueCustomer.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(*owner_overdue_customers_insert_sql(today=today))
            overdue_customers = cursor.rowcount
        tables_analyze(
            OwnerFigures, OwnerOverdueCustomer, changed_rows=len(rows) + overdue_customers
        )
    return len(rows)
