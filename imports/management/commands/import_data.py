"""manage.py import_data FILE --kind customers|contacts|bookings|records

The same engine as the import pages: checks the file (nothing written) or, with
--commit, imports it (all rows or none; --valid-only for the valid ones), prints the
report and exits with status 1 when rows were refused."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.models import ImportKind, ImportMapping
from imports.selectors import report_problems
from imports.services import (
    import_job_check,
    import_job_commit,
    import_job_create,
    import_job_map,
    import_mapping_apply,
)


class Command(BaseCommand):
    help = gettext_lazy(
        "Import customers, contact people, bookings or contact records from an XLSX or CSV "
        "file with the same checks as the import pages. Without --commit only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument("--owner", help=gettext_lazy("Owner of new customers (user name)."))
        parser.add_argument(
            "--user",
            help=gettext_lazy("Import as this staff member (user name); default: --owner."),
        )
        parser.add_argument("--mapping", help=gettext_lazy("A saved mapping template's name."))
        parser.add_argument("--sheet", help=gettext_lazy("The sheet to read (default: first)."))
        parser.add_argument("--commit", action="store_true", help=gettext_lazy("Write."))
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help=gettext_lazy("With --commit: import the valid rows, list the refused ones."),
        )

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No active staff member %(name)s.") % {"name": username}) from None

    def handle(
        self,
        *args,
        file,
        kind,
        owner=None,
        user=None,
        mapping=None,
        sheet=None,
        commit=False,
        valid_only=False,
        **options,
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        owner_user = self._user(owner) if owner else None
        actor = self._user(user) if user else owner_user
        if actor is None:
            raise CommandError(_("Say who imports: --user (or --owner)."))
        try:
            with path.open("rb") as handle:
                job = import_job_create(
                    actor=actor,
                    upload=File(handle, name=path.name),
                    kind=kind,
                    owner=owner_user,
                    sheet=sheet,
                )
            if mapping:
                template = ImportMapping.objects.filter(kind=kind, name=mapping).first()
                if template is None:
                    raise CommandError(_("No saved mapping %(name)s.") % {"name": mapping})
                import_job_map(
                    actor=actor, job=job, mapping=import_mapping_apply(job=job, template=template)
                )
            if commit:
                report = import_job_commit(actor=actor, job=job, valid_only=valid_only)
            else:
                report = import_job_check(actor=actor, job=job)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error) or _("Not allowed.")]
            raise CommandError(" ".join(str(message) for message in messages)) from None
        self._print(job, report)
        if report["counts"]["refused"]:
            raise CommandError(
                _("%(count)d row(s) refused.") % {"count": report["counts"]["refused"]},
                returncode=1,
            )

    def _print(self, job, report) -> None:
        write = self.stdout.write
        where = job.encoding or job.sheet
        write(
            _("File: %(name)s (%(where)s), header in row %(row)d")
            % {"name": job.original_name, "where": where, "row": job.header_row}
        )
        mapped = ", ".join(f"{header} → {name}" for header, name in job.mapping.items() if name)
        write(_("Columns: %(mapped)s") % {"mapped": mapped})
        counts = report["counts"]
        write(
            _(
                "%(rows)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(refused)d refused."
            )
            % {"rows": report["rows"], **counts}
        )
        for problem in report_problems(job):
            write(
                _("Row %(row)s, %(column)s (%(value)s): %(message)s")
                % {
                    "row": problem["row"],
                    "column": problem["column"] or "-",
                    "value": problem["value"],
                    "message": problem["message"],
                }
            )
        if report.get("problems_total", 0) > len(report.get("problems", [])):
            write(_("… and more problems, not listed."))
        if report["committed"]:
            write(
                self.style.SUCCESS(
                    _("Imported: %(count)d row(s) written.") % {"count": report["committed_rows"]}
                )
            )
        else:
            write(_("Nothing was written."))
