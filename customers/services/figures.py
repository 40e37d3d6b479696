"""The stored month figures of the home pages (customers.models.figures), refreshed.

Why a stored sum and why refreshed by a job: a whole book's month (a team lead's, a
manager's) is some 140,000 payments at a million customers, seconds to sum on every
page view; summed once per owner it is a few dozen rows a page adds up in a
millisecond. Bookings are written through many doors (the booking form, imports, the
API, booking syncs, refunds and cancellations, a customer handed to another owner or
put in the recycle bin), so keeping the sums up to date on every write would need every
door to remember it; recomputing them set-based every ten minutes (config/celery.py)
costs well under a second at that size and cannot drift. The pages say "as of" when.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from customers.dbstats import tables_analyze
from customers.models import SalesFigures, SalesFiguresRefresh
from customers.summaries import FIGURE_NAMES, sales_month_figures_per_owner

REFRESH_ROW = 1


def sales_figures_refresh(*, now: datetime.datetime | None = None) -> int | None:
    """Sum every owner's month to date (and the same days a year before) as of `now`
    and replace the stored figures with them, in one transaction: a page reads the old
    figures or the new, never half. Returns the owners written; None when a refresh of
    a later moment is already stored (safe to run twice, and at once: the refresh row
    is locked for the whole swap)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        SalesFiguresRefresh.objects.get_or_create(
            pk=REFRESH_ROW, defaults={"day": today, "refreshed_at": now}
        )
        refresh = SalesFiguresRefresh.objects.select_for_update().get(pk=REFRESH_ROW)
        if refresh.refreshed_at > now:
            return None
        rows = [
            SalesFigures(
                owner_id=row["customer__owner"], **{name: row[name] for name in FIGURE_NAMES}
            )
            for row in sales_month_figures_per_owner(today=today)
        ]
        SalesFigures.objects.all().delete()
        SalesFigures.objects.bulk_create(rows)
        refresh.day, refresh.refreshed_at = today, now
        refresh.save(update_fields=["day", "refreshed_at"])
        tables_analyze(SalesFigures, changed_rows=len(rows))
    return len(rows)
