from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from tiers.services import half_yearly_review


class Command(BaseCommand):
    help = gettext_lazy(
        "Run the half-yearly re-evaluation: propose grade changes for the committee. "
        "Safe to run again: a second run for the same date does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, today=None, **options):
        day = parse_today(today)
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
