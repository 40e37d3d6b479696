import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP
from tiers.services import monthly_statistics, statistics_default_month


class Command(BaseCommand):
    help = gettext_lazy(
        "Compute the monthly tier statistics (spend, RFM, quadrant, grade by spend) for "
        "every customer. Safe to run again: a month already computed is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help=gettext_lazy("The month to compute (YYYY-MM). Default: last month.")
        )
        parser.add_argument("--today", help=TODAY_HELP)

    def handle(self, *args, month=None, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
            target = (
                datetime.date.fromisoformat(f"{month}-01")
                if month
                else statistics_default_month(today=day)
            )
        except ValueError as error:
            message = _("Use --month YYYY-MM and --today YYYY-MM-DD: %(error)s")
            raise CommandError(message % {"error": error}) from None
        try:
            run = monthly_statistics(month=target, today=day)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if run is None:
            message = _("Statistics for %(month)s already computed; nothing done.")
            self.stdout.write(message % {"month": f"{target:%Y-%m}"})
            return
        message = _("%(month)s: statistics for %(count)d customer(s) under policy v%(version)s.")
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "month": f"{target:%Y-%m}",
                    "count": run.customer_count,
                    "version": run.policy.version,
                }
            )
        )
