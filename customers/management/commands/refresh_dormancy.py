"""The daily refresh of the stored semi-dormancy dates, by hand (no broker needed)."""

import datetime

from django.core.management.base import BaseCommand

from customers.services.dormancy import customers_dormancy_refresh


class Command(BaseCommand):
    help = "Recompute every customer's stored semi-dormancy date (the list's filter)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        changed = customers_dormancy_refresh(today=today)
        self.stdout.write(f"{changed} customers' dormancy dates changed.")
