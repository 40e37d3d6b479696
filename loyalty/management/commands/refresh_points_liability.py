"""The stored points liability summed again, by hand (no broker needed)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loyalty.services import points_liability_refresh


class Command(BaseCommand):
    help = gettext_lazy(
        "Sum the points liability again (outstanding points by card level and by expiry "
        "month) for the liability page."
    )

    def handle(self, *args, **options):
        rows = points_liability_refresh()
        if rows is None:
            self.stdout.write(_("A later refresh is already stored; nothing done."))
        else:
            self.stdout.write(_("Points liability stored (%(rows)d rows).") % {"rows": rows})
