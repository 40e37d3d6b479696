from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.services import retention_expire
from customers.management.dates import TODAY_HELP, parse_today


class Command(BaseCommand):
    help = gettext_lazy(
        "Mark business archives whose retention has ended and e-mail the custodians. "
        "Safe to run again: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, today=None, **options):
        day = parse_today(today)
        run = retention_expire(today=day)
        if run is None:
            message = _("Retention already run for %(date)s; nothing done.")
            self.stdout.write(message % {"date": day.isoformat()})
            return
        message = _(
            "%(date)s: %(expired)d archive(s) newly expired, %(notified)d custodian(s) notified."
        )
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "date": day.isoformat(),
                    "expired": run.expired_count,
                    "notified": run.notified_count,
                }
            )
        )
