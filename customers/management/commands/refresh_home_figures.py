"""The home pages' stored figures summed again, by hand (no broker needed)."""

from django.core.management.base import BaseCommand

from customers.services.figures import owner_figures_refresh


class Command(BaseCommand):
    help = "Sum every owner's home-page figures again (month's money, customers, grades)."

    def handle(self, *args, **options):
        owners = owner_figures_refresh()
        if owners is None:
            self.stdout.write("A later refresh is already stored; nothing done.")
        else:
            self.stdout.write(f"Home figures of {owners} owners stored.")
