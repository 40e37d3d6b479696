import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followups.services import planning_run


class Command(BaseCommand):
    help = gettext_lazy(
        "Plan the day's return visits, greetings and feedback responses, and alert the "
        "managers about overdue feedback. Safe to run again: a second run for the same "
        "date does nothing."
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
        run = planning_run(today=day)
        if run is None:
            message = _("Follow-ups already planned for %(date)s; nothing done.")
            self.stdout.write(message % {"date": day.isoformat()})
            return
        message = _(
            "%(date)s: %(created)d follow-up(s) planned (%(detail)s), %(moved)d moved by the "
            "frequency cap, %(overdue)d feedback item(s) newly overdue."
        )
        detail = ", ".join(f"{kind} {count}" for kind, count in run.created_counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "date": day.isoformat(),
                    "created": run.created_total,
                    "detail": detail,
                    "moved": run.moved_by_cap,
                    "overdue": run.overdue_feedback,
                }
            )
        )
