"""The document check: every stored archive document against the SHA-256 recorded when
it was uploaded (issue 15). A file that is gone, or whose bytes changed (a disk fault, a
bad restore, someone editing the store by hand), is reported to the custodians, who
restore it from a backup (`manage.py restore --media-only`, README).

One query streams the documents (no per-row query); each file is read in 1 MiB blocks
(hashlib.file_digest), so memory stays flat whatever the file sizes. A size that differs
from the recorded one is "altered" without reading the file."""

import datetime
import hashlib
import logging
import os

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archives.models import ArchiveDocument, DocumentCheck
from archives.uploads import private_storage
from customers.services.outbox import message_queue

logger = logging.getLogger(__name__)

MISSING = "missing"
ALTERED = "altered"
# Problems listed in the custodians' e-mail; the run in the admin keeps them all.
MAIL_LIST_LIMIT = 50
# A run still marked running after this long lost its worker: the task's hard time limit
# (archives/tasks.py) has long passed, so a new run may take over.
ABANDONED_AFTER = datetime.timedelta(hours=1)


def _claim(now: datetime.datetime) -> DocumentCheck | None:
    """The new run's row, or None while another run holds the claim."""
    DocumentCheck.objects.filter(is_running=True, started_at__lt=now - ABANDONED_AFTER).update(
        is_running=False
    )
    try:
        with transaction.atomic():
            return DocumentCheck.objects.create(started_at=now)
    except IntegrityError:
        return None


def _custodian_addresses() -> list[str]:
    from archives.services import _custodian_addresses as addresses

    return addresses()


def document_file_problem(path: str, *, size: int | None, sha256: str) -> tuple[str | None, int]:
    """(MISSING / ALTERED / None, bytes read) for one stored file."""
    try:
        actual_size = os.stat(path).st_size
    except FileNotFoundError:
        return MISSING, 0
    if size is not None and actual_size != size:
        return ALTERED, 0
    if not sha256:  # an upload from before checksums were recorded: presence only
        return None, 0
    try:
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return MISSING, 0
    return (None if digest == sha256.lower() else ALTERED), actual_size


def documents_verify(*, now: datetime.datetime | None = None) -> DocumentCheck | None:
    """Check every stored document; record the run; tell the custodians of any problem
    (one e-mail through the outbox, written with the run's result). None, doing nothing,
    while another check is running."""
    now = now or timezone.now()
    check = _claim(now)
    if check is None:
        return None
    rows = (
        ArchiveDocument.objects.exclude(file="")
        .order_by("pk")
        .values_list("pk", "archive_id", "archive__tour__group_number", "file", "size", "sha256")
    )
    problems = []
    for pk, archive_id, group_number, name, size, sha256 in rows.iterator(chunk_size=2000):
        problem, read = document_file_problem(private_storage.path(name), size=size, sha256=sha256)
        check.checked += 1
        check.bytes_read += read
        if problem:
            problems.append(
                {
                    "document": pk,
                    "archive": archive_id,
                    "group_number": group_number,
                    "file": name,
                    "problem": problem,
                }
            )
    check.missing = sum(1 for p in problems if p["problem"] == MISSING)
    check.altered = len(problems) - check.missing
    check.problems = problems
    check.finished_at = timezone.now()
    check.is_running = False
    with transaction.atomic():
        if problems:
            check.notified_count = _notify_custodians(check)
            logger.error(
                "Document check %s: %d missing, %d altered of %d files",
                check.pk,
                check.missing,
                check.altered,
                check.checked,
            )
        check.save()
    return check


def _notify_custodians(check: DocumentCheck) -> int:
    recipients = _custodian_addresses()
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        count = check.missing + check.altered
        subject = ngettext(
            "Document check: %(count)d archive document is missing or altered",
            "Document check: %(count)d archive documents are missing or altered",
            count,
        ) % {"count": count}
        labels = {MISSING: _("missing"), ALTERED: _("altered")}
        lines = [
            _("%(group)s, document %(document)d (%(file)s): %(problem)s")
            % {
                "group": p["group_number"],
                "document": p["document"],
                "file": p["file"],
                "problem": labels[p["problem"]],
            }
            for p in check.problems[:MAIL_LIST_LIMIT]
        ]
        if count > MAIL_LIST_LIMIT:
            lines.append(_("… and %(more)d more.") % {"more": count - MAIL_LIST_LIMIT})
        advice = _(
            "%(checked)d stored files were checked against the checksums recorded at upload: "
            "%(missing)d missing, %(altered)d altered. Restore them from the latest backup "
            "taken before the problem (see “Backups and restores” in the README). The full "
            "list is in the administration under Document checks."
        ) % {"checked": check.checked, "missing": check.missing, "altered": check.altered}
        body = "\n".join([subject, "", advice, "", *lines])
    message_queue(
        kind="archives.document_check",
        recipients=recipients,
        subject=subject,
        body=body,
        reference=f"document_check:{check.pk}",
    )
    return len(recipients)
