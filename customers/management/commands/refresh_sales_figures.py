"""The home pages' month figures summed again, by hand (no broker needed)."""

from django.core.management.base import BaseCommand

from customers.services.figures import sales_figures_refresh


class Command(BaseCommand):
    help = "Sum every owner's month figures again (the home pages read them)."

    def handle(self, *args, **options):
        owners = sales_figures_refresh()
        if owners is None:
            self.stdout.write("A later refresh is already stored; nothing done.")
        else:
            self.stdout.write(f"Month figures of {owners} owners stored.")
