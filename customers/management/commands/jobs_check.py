from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.jobs import jobs_check_deadlines


class Command(BaseCommand):
    help = gettext_lazy(
        "Alert the managers about job periods not done by their deadline (once per "
        "period) and queue those jobs again. Beat runs it hourly."
    )

    def handle(self, *args, **options):
        alerts = jobs_check_deadlines()
        for alert in alerts:
            self.stdout.write(
                _("Late: %(job)s %(period)s") % {"job": alert.job, "period": alert.period}
            )
        if not alerts:
            self.stdout.write(_("No new late periods."))
