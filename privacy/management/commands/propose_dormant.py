from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from privacy.dormant import dormant_propose


class Command(BaseCommand):
    help = gettext_lazy(
        "Propose for anonymisation every person with no business and no contact for the "
        "policy's years. Safe to run again: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, today=None, **options):
        day = parse_today(today)
        run = dormant_propose(today=day)
        if run is None:
            message = _("Dormant customers already proposed for %(date)s; nothing done.")
            self.stdout.write(message % {"date": day.isoformat()})
            return
        message = _("%(date)s: %(count)d dormant customer(s) newly proposed for anonymisation.")
        self.stdout.write(
            self.style.SUCCESS(message % {"date": day.isoformat(), "count": run.proposed_count})
        )
