from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore an archive written by manage.py backup: the database into an existing, "
        "empty PostgreSQL database (--database URL) and the documents into a folder "
        "(--media DIR: only files missing or different are written). Every member is "
        "checked against the manifest; the restored row counts are compared with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database",
            metavar="URL",
            help=gettext_lazy("postgres://user:password@host:5432/name (empty)"),
        )
        parser.add_argument(
            "--media", metavar="DIR", type=Path, help=gettext_lazy("the document store")
        )

    def handle(self, *args, archive, database=None, media=None, **options):
        if not database and not media:
            raise CommandError(_("Give --database URL, --media DIR, or both."))
        if not archive.is_file():
            raise CommandError(_("%(archive)s: no such file") % {"archive": archive})
        try:
            result = backup_restore(archive=archive, database_url=database, media_dir=media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if database:
            if result.count_mismatches:
                for table, (expected, found) in sorted(result.count_mismatches.items()):
                    self.stderr.write(
                        _("%(table)s: %(expected)d rows in the backup, %(found)d restored")
                        % {"table": table, "expected": expected, "found": found}
                    )
                raise CommandError(_("The restored row counts differ from the backup's manifest."))
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Database restored: %(tables)d tables, %(rows)s rows, every count as "
                        "in the manifest."
                    )
                    % {"tables": result.tables_checked, "rows": f"{result.rows:,}"}
                )
            )
        if media:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Documents restored into %(media)s: %(written)s written, %(unchanged)s "
                        "already present and identical."
                    )
                    % {
                        "media": media,
                        "written": f"{result.files_written:,}",
                        "unchanged": f"{result.files_unchanged:,}",
                    }
                )
            )
