from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from followups.services import planning_run


class Command(BaseCommand):
    help = gettext_lazy(
        "Plan the day's return visits, greetings and feedback responses, and alert the "
        "managers about overdue feedback. Safe to run again: a second run for the same "
        "date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, today=None, **options):
        day = parse_today(today)
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
        message = _("%(count)d early warning(s) raised.")
        self.stdout.write(message % {"count": run.warnings_raised})
