from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by manage.py backup: the database into an existing, "
        "empty PostgreSQL database (--database URL) and the documents into a folder "
        "(--media DIR: only files missing or different are written). Every member is "
        "checked against the manifest; the restored row counts are compared with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database", metavar="URL", help="postgres://user:password@host:5432/name (empty)"
        )
        parser.add_argument("--media", metavar="DIR", type=Path, help="the document store")

    def handle(self, *args, archive, database=None, media=None, **options):
        if not database and not media:
            raise CommandError("Give --database URL, --media DIR, or both.")
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            result = backup_restore(archive=archive, database_url=database, media_dir=media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if database:
            if result.count_mismatches:
                for table, (expected, found) in sorted(result.count_mismatches.items()):
                    self.stderr.write(f"{table}: {expected} rows in the backup, {found} restored")
                raise CommandError("The restored row counts differ from the backup's manifest.")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Database restored: {result.tables_checked} tables, {result.rows:,} rows, "
                    "every count as in the manifest."
                )
            )
        if media:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Documents restored into {media}: {result.files_written:,} written, "
                    f"{result.files_unchanged:,} already present and identical."
                )
            )
