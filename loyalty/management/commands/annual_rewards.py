from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.management.dates import TODAY_HELP, parse_today
from loyalty.services import annual_rewards_issue


class Command(BaseCommand):
    help = gettext_lazy(
        "Issue the annual spend rewards for last calendar year's purchases and tell the "
        "owners. Safe to run again: a year is issued once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=TODAY_HELP)
        parser.add_argument(
            "--year", type=int, help=gettext_lazy("Spend year (default: the year before today).")
        )

    def handle(self, *args, today=None, year=None, **options):
        day = parse_today(today)
        year = year or day.year - 1
        if year >= day.year:
            raise CommandError(_("Only a finished year can be rewarded."))
        run = annual_rewards_issue(year=year, today=day)
        if run is None:
            self.stdout.write(
                _("Annual rewards for %(year)d were already issued; nothing done.") % {"year": year}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(year)d: %(count)d reward(s) issued, %(owners)d owner(s) told.")
                % {"year": year, "count": run.issued_count, "owners": run.notified_owners}
            )
        )
