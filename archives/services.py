"""Writes. Each service takes the acting user, checks what it must, changes the data in
one transaction and records an audit entry. Time is a parameter (`now`, `today`) so
tests set the clock; callers pass `timezone.localdate()` (Asia/Shanghai)."""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import CUSTODIAN
from archives.models import (
    DEFAULT_RETENTION_YEARS,
    ArchiveDocument,
    ArchiveStatus,
    BusinessArchive,
    DestructionRecord,
    RetentionPolicy,
    RetentionRun,
    TourGroup,
    TourGroupBooking,
)
from archives.retention import retention_change_propose
from archives.selectors import (
    archive_can_upload,
    archive_missing_kinds,
    bookings_for_tour_choice,
)
from archives.uploads import check_upload, private_storage
from customers.audit import audit_record
from customers.dbstats import tables_analyze
from customers.models import AuditAction, Booking
from customers.services.outbox import message_queue

logger = logging.getLogger(__name__)

# What personal data in a destroyed archive is replaced with.
ANONYMISED = "[destroyed]"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_years_for(*, trip_type: str) -> int:
    policy = RetentionPolicy.objects.filter(trip_type=trip_type).values_list("years", flat=True)
    return policy.first() or DEFAULT_RETENTION_YEARS.get(
        trip_type, max(DEFAULT_RETENTION_YEARS.values())
    )


def _link_bookings(*, tour: TourGroup, bookings: Iterable[Booking]) -> int:
    links = [TourGroupBooking(tour=tour, booking=booking) for booking in bookings]
    TourGroupBooking.objects.bulk_create(links)
    return len(links)


@transaction.atomic
def tour_group_create(*, actor, tour: TourGroup, bookings: Iterable[Booking] = ()) -> TourGroup:
    """Save a new tour group with the bookings it carried, and open its business archive
    with the retention policy in force today for its trip type. Only bookings of
    customers the actor is responsible for: special read access never lets anyone act."""
    bookings = list(bookings)
    allowed = set(
        bookings_for_tour_choice(user=actor)
        .filter(pk__in=[booking.pk for booking in bookings])
        .values_list("pk", flat=True)
    )
    if any(booking.pk not in allowed for booking in bookings):
        raise PermissionDenied
    tour.created_by = actor
    tour.full_clean()
    tour.save()
    linked = _link_bookings(tour=tour, bookings=bookings)
    years = retention_years_for(trip_type=tour.trip_type)
    archive = BusinessArchive.objects.create(
        tour=tour, retention_years=years, retention_end=add_years(tour.end_date, years)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=archive,
        detail={"group_number": tour.group_number, "bookings": linked, "retention_years": years},
    )
    return tour


@transaction.atomic
def tour_group_update(
    *,
    actor,
    tour: TourGroup,
    changed: Iterable[str] = (),
    reason: str = "",
    now: datetime.datetime | None = None,
) -> TourGroup:
    """Save changed tour facts. A new end date moves the keep-until date by the archive's
    own years; a new trip type applies that type's current policy. What changed is read
    from the database, not from the caller. A later keep-until date applies at once; an
    earlier one waits for a manager (archives.retention). A destroyed archive's tour
    cannot be changed."""
    archive = BusinessArchive.objects.select_for_update().get(tour_id=tour.pk)
    if archive.is_destroyed:
        raise ValidationError(_("The archive of this tour has been destroyed; it cannot change."))
    before = TourGroup.objects.get(pk=tour.pk)
    tour.full_clean()
    tour.save()
    change = None
    if (before.end_date, before.trip_type) != (tour.end_date, tour.trip_type):
        years = archive.retention_years
        if before.trip_type != tour.trip_type:
            years = retention_years_for(trip_type=tour.trip_type)
        change = retention_change_propose(
            actor=actor,
            archive=archive,
            tour_before=before,
            tour=tour,
            years=years,
            end=add_years(tour.end_date, years),
            reason=reason,
            now=now,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=tour,
        detail={
            "fields": sorted(set(changed)),
            "retention_end": archive.retention_end.isoformat(),
            "retention_change": change.pk if change else None,
        },
    )
    return tour


def archive_document_add(
    *,
    actor,
    archive: BusinessArchive,
    kind: str,
    upload=None,
    paper_location: str = "",
    reference: str = "",
    notes: str = "",
) -> ArchiveDocument:
    """Add an uploaded file or a paper original's location to the archive. The file is
    checked by content and stored under a generated name; refused files are not stored."""
    if not archive_can_upload(user=actor, archive=archive):
        raise PermissionDenied
    paper_location = paper_location.strip()
    if bool(upload) == bool(paper_location):
        raise ValidationError(_("Upload a file or say where the paper original is kept, not both."))
    document = ArchiveDocument(
        archive=archive,
        kind=kind,
        paper_location=paper_location,
        reference=reference.strip(),
        notes=notes.strip(),
        uploaded_by=actor,
    )
    if upload:
        checked = check_upload(upload)
        document.original_filename = checked.original_filename
        document.size = checked.size
        document.content_type = checked.content_type
        document.sha256 = checked.sha256
    document.full_clean(exclude=["file"])
    if upload:
        document.file.save(checked.original_filename, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=document,
                detail={
                    "archive": archive.pk,
                    "kind": kind,
                    "paper": not upload,
                    "sha256": document.sha256,
                },
            )
    except Exception:
        if document.file:
            private_storage.delete(document.file.name)  # no file without its row
        raise
    return document


@transaction.atomic
def archive_mark_archived(
    *, actor, archive: BusinessArchive, now: datetime.datetime | None = None
) -> BusinessArchive:
    """File the archive as complete 已归档. Refused while a required document is missing;
    the message lists what is missing."""
    if not actor.has_perm("archives.close_businessarchive"):
        raise PermissionDenied
    archive = BusinessArchive.objects.select_for_update().select_related("tour").get(pk=archive.pk)
    if archive.status != ArchiveStatus.OPEN:
        raise ValidationError(_("Only an open archive can be marked archived."))
    missing = archive_missing_kinds(archive=archive)
    if missing:
        raise ValidationError(
            _("The archive cannot be marked archived: missing %(kinds)s."),
            code="missing_documents",
            params={"kinds": ", ".join(row.label for row in missing)},
        )
    archive.status = ArchiveStatus.ARCHIVED
    archive.archived_at = now or timezone.now()
    archive.archived_by = actor
    archive.save(update_fields=["status", "archived_at", "archived_by"])
    audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=archive, detail={"status": archive.status}
    )
    return archive


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    return reason


@transaction.atomic
def archive_legal_hold_set(
    *, actor, archive: BusinessArchive, reason: str, now: datetime.datetime | None = None
) -> BusinessArchive:
    """Put the archive under legal hold 诉讼保全: it neither expires nor can be destroyed."""
    if not actor.has_perm("archives.hold_businessarchive"):
        raise PermissionDenied
    reason = _require_reason(reason)
    archive = BusinessArchive.objects.select_for_update().select_related("tour").get(pk=archive.pk)
    if archive.is_destroyed:
        raise ValidationError(_("This archive has been destroyed."))
    archive.legal_hold = True
    archive.legal_hold_reason = reason
    archive.legal_hold_set_by = actor
    archive.legal_hold_set_at = now or timezone.now()
    archive.save(
        update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_by", "legal_hold_set_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=archive,
        detail={"legal_hold": True, "reason": reason},
    )
    return archive


@transaction.atomic
def archive_legal_hold_clear(*, actor, archive: BusinessArchive, reason: str) -> BusinessArchive:
    """Lift a legal hold. If retention has ended meanwhile, the next daily run marks it."""
    if not actor.has_perm("archives.hold_businessarchive"):
        raise PermissionDenied
    reason = _require_reason(reason)
    archive = BusinessArchive.objects.select_for_update().select_related("tour").get(pk=archive.pk)
    if not archive.legal_hold:
        return archive
    archive.legal_hold = False
    archive.legal_hold_reason = ""
    archive.legal_hold_set_by = None
    archive.legal_hold_set_at = None
    archive.save(
        update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_by", "legal_hold_set_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=archive,
        detail={"legal_hold": False, "reason": reason},
    )
    return archive


def archive_destroy_refusal(*, archive: BusinessArchive, today: datetime.date) -> str | None:
    """Why this archive may not be destroyed on `today`, or None when it may."""
    if archive.is_destroyed:
        return _("It has already been destroyed.")
    if archive.legal_hold:
        return _("It is under legal hold.")
    if archive.retention_end >= today:
        return _("It must be kept until %(date)s.") % {
            "date": date_format(archive.retention_end, "Y-m-d")
        }
    return None


def archive_destroy(
    *,
    actor,
    archive: BusinessArchive,
    reason: str,
    today: datetime.date,
    now: datetime.datetime | None = None,
) -> DestructionRecord:
    """Destroy an archive whose retention has ended, on a custodian's approval: delete its
    documents (rows now, files once the transaction commits), anonymise the personal data
    of the tour, unlink the bookings (they stay, as the customers' purchase history), and
    keep a permanent destruction record. Never before the retention end, never under a
    legal hold: both are re-checked with the archive row locked."""
    if not actor.has_perm("archives.destroy_businessarchive"):
        raise PermissionDenied
    reason = _require_reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        archive = (
            BusinessArchive.objects.select_for_update().select_related("tour").get(pk=archive.pk)
        )
        refusal = archive_destroy_refusal(archive=archive, today=today)
        if refusal:
            raise ValidationError(
                _("%(group)s cannot be destroyed. %(why)s"),
                code="not_destroyable",
                params={"group": archive.tour.group_number, "why": refusal},
            )
        tour = archive.tour
        documents = list(archive.documents.all())
        file_names = [document.file.name for document in documents if document.file]
        ArchiveDocument.objects.filter(archive=archive).delete()
        unlinked, _counts = TourGroupBooking.objects.filter(tour=tour).delete()
        tour.guide = ANONYMISED
        tour.save(update_fields=["guide"])
        archive.status = ArchiveStatus.DESTROYED
        archive.destroyed_at = now
        archive.save(update_fields=["status", "destroyed_at"])
        record = DestructionRecord.objects.create(
            archive=archive,
            group_number=tour.group_number,
            trip_type=tour.trip_type,
            tour_end=tour.end_date,
            retention_end=archive.retention_end,
            destroyed_at=now,
            approved_by=actor,
            reason=reason,
            document_count=len(documents),
            file_count=len(file_names),
            paper_count=len(documents) - len(file_names),
            kinds=dict(Counter(document.kind for document in documents)),
            paper_locations=[d.paper_location for d in documents if d.is_paper],
            travellers_unlinked=unlinked,
        )
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=archive,
            detail={
                "destruction_record": record.pk,
                "documents": len(documents),
                "files": len(file_names),
                "reason": reason,
            },
        )
        # Only once the destruction is committed: a rolled-back destruction keeps its files.
        transaction.on_commit(lambda: _delete_files(file_names))
    return record


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            private_storage.delete(name)
        except OSError:
            logger.exception("Destroyed archive document %s could not be deleted", name)


def _custodian_addresses() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, groups__name=CUSTODIAN)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def retention_expire(*, today: datetime.date) -> RetentionRun | None:
    """The daily retention job: mark every archive whose retention ended before `today`
    and is not held (one UPDATE), record the run, and tell the custodians.

    The run date is claimed first, inside the transaction that does the work: a second
    run for the same date, or a second worker at the same time (which waits on the unique
    index until the first commits), finds the claim and returns None without doing
    anything."""
    with transaction.atomic():
        run, created = RetentionRun.objects.get_or_create(run_date=today)
        if not created:
            return None
        run.expired_count = BusinessArchive.objects.filter(
            retention_end__lt=today, legal_hold=False, expired_on__isnull=True
        ).update(expired_on=today)
        # The custodians' "expired" lists read expired_on (customers.dbstats).
        tables_analyze(BusinessArchive, changed_rows=run.expired_count)
        run.save(update_fields=["expired_count"])
        if run.expired_count:
            _notify_custodians(run)
    return run


def _notify_custodians(run: RetentionRun) -> None:
    """One e-mail to the custodians, in the office language, queued in the outbox in the
    run's transaction: it goes out after the commit, and again while mail is down; the
    run never fails because of mail (the queue in the admin shows the archives)."""
    recipients = _custodian_addresses()
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "%(count)d business archive has reached its retention end",
            "%(count)d business archives have reached their retention end",
            run.expired_count,
        ) % {"count": run.expired_count}
        advice = _(
            "They are listed in the administration under Business archives, filter "
            "“past retention”. Check each one and destroy it, or set a legal hold."
        )
        message_queue(
            kind="archives.retention",
            recipients=recipients,
            subject=subject,
            body=f"{subject}\n\n{advice}",
            reference=f"retention_run:{run.pk}",
        )
    run.notified_count = len(recipients)
    run.save(update_fields=["notified_count"])
