from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from loyalty.services import points_liability_refresh, points_sweep


class Command(BaseCommand):
    help = gettext_lazy(
        "Earn points for paid bookings that have none yet (after an import, or when the "
        "signal was missed) and reverse missed refunds, booking by booking. Safe to run "
        "again and to interrupt: each booking earns once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)
        parser.add_argument(
            "--limit", type=int, help=gettext_lazy("At most this many bookings (oldest first).")
        )

    def handle(self, *args, today=None, limit=None, **options):
        day = parse_today(today)
        count = points_sweep(today=day, limit=limit)
        if count:  # a catch-up earns many lots at once: the liability page shows them now
            points_liability_refresh()
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d booking(s) brought up to date.") % {"count": count})
        )
