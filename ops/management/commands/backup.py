from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = gettext_lazy(
        "Back up the database (pg_dump, custom format) and the archive documents "
        "(PRIVATE_MEDIA_ROOT) into one archive with a manifest of SHA-256s and row counts. "
        "Restore with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help=gettext_lazy("where to write the archive (default: BACKUP_DIR, ./backups)"),
        )

    def handle(self, *args, output_dir=None, **options):
        try:
            result = backup_create(output_dir=output_dir or settings.BACKUP_DIR)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name in result.documents_missing:
            self.stderr.write(
                _("document file missing from the store at backup: %(name)s") % {"name": name}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(path)s: %(tables)d tables, %(rows)s rows, %(files)s documents, %(mib).1f MiB")
                % {
                    "path": result.path,
                    "tables": result.tables,
                    "rows": f"{result.rows:,}",
                    "files": f"{result.files:,}",
                    "mib": result.bytes / 2**20,
                }
            )
        )
