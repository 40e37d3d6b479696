"""Delete stored import files past their retention (the daily beat job, by hand)."""

from django.core.management.base import BaseCommand

from imports.services.retention import import_file_retention_days, import_files_expire


class Command(BaseCommand):
    help = "Delete uploaded import files older than the retention days (the records stay)."

    def handle(self, *args, **options):
        deleted = import_files_expire()
        self.stdout.write(
            f"{deleted} import file(s) older than {import_file_retention_days()} days deleted."
        )
