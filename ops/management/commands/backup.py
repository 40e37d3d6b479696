from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the archive documents "
        "(PRIVATE_MEDIA_ROOT) into one archive with a manifest of SHA-256s and row counts. "
        "Restore with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="where to write the archive (default: BACKUP_DIR, ./backups)",
        )

    def handle(self, *args, output_dir=None, **options):
        try:
            result = backup_create(output_dir=output_dir or settings.BACKUP_DIR)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name in result.documents_missing:
            self.stderr.write(f"document file missing from the store at backup: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.path}: {result.tables} tables, {result.rows:,} rows, "
                f"{result.files:,} documents, {result.bytes / 2**20:.1f} MiB"
            )
        )
