import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiers.services import half_yearly_review


class Command(BaseCommand):
    help = gettext_lazy(
        "Run the half-yearly re-evaluation: propose grade changes for the committee. "
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
            message = _("--today must be YYYY-MM-DD: %(error)s")
            raise CommandError(message % {"error": error}) from None
        evaluation = half_yearly_review(today=day)
        if evaluation is None:
            message = _("The evaluation of %(date)s already exists; nothing done.")
            self.stdout.write(message % {"date": day.isoformat()})
            return
        message = _("%(date)s: %(count)d proposal(s) wait for the committee.")
        self.stdout.write(
            self.style.SUCCESS(
                message % {"date": day.isoformat(), "count": evaluation.proposal_count}
            )
        )
