import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.services import retention_expire


class Command(BaseCommand):
    help = gettext_lazy(
        "Mark business archives whose retention has ended and e-mail the custodians. "
        "Safe to run again: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help=gettext_lazy("Run as if today were this date (YYYY-MM-DD, Asia/Shanghai)."),
        )

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            message = _("--today must be YYYY-MM-DD: %(error)s") % {"error": error}
            raise CommandError(message) from None
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
