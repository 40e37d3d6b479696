from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.integrity import documents_verify


class Command(BaseCommand):
    help = gettext_lazy(
        "Check every stored archive document against the SHA-256 recorded at upload and "
        "e-mail the custodians about missing or altered files. Exit status 1 when any."
    )

    def handle(self, *args, **options):
        check = documents_verify()
        if check is None:
            self.stderr.write(
                _("Another document check is running; this one did nothing. Try again later.")
            )
            raise SystemExit(2)
        summary = _(
            "%(checked)d files checked (%(mib).1f MiB read): %(missing)d missing, "
            "%(altered)d altered; %(notified)d custodian(s) notified."
        ) % {
            "checked": check.checked,
            "mib": check.bytes_read / 2**20,
            "missing": check.missing,
            "altered": check.altered,
            "notified": check.notified_count,
        }
        if check.ok:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        for problem in check.problems:
            self.stdout.write(
                f"{problem['problem']}: {problem['group_number']} "
                f"document {problem['document']} {problem['file']}"
            )
        self.stderr.write(self.style.ERROR(summary))
        raise SystemExit(1)
