from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from loyalty.services import points_monthly


class Command(BaseCommand):
    help = gettext_lazy(
        "The monthly points job: earn for paid bookings the signal missed, refresh card "
        "levels, expire points past their validity and warn customers 30 days ahead. "
        "Safe to run again: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, today=None, **options):
        day = parse_today(today)
        run = points_monthly(today=day)
        if run is None:
            self.stdout.write(
                _("Points job already run for %(date)s; nothing done.") % {"date": day.isoformat()}
            )
            return
        message = _(
            "%(date)s: %(swept)d booking(s) caught up, %(levels)d card level(s) changed, "
            "%(lots)d lot(s) expired (%(points)d points), %(notices)d customer(s) warned."
        )
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "date": day.isoformat(),
                    "swept": run.swept_bookings,
                    "levels": run.levels_changed,
                    "lots": run.expired_lots,
                    "points": run.expired_points,
                    "notices": run.notices_sent,
                }
            )
        )
