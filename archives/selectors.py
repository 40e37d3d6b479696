"""Reads. Every archive page, download and admin list gets its archives from
`archive_list_visible`, which rests on customers' one door for visibility."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.roles import CUSTODIAN, MANAGER, SALES, TEAM_LEAD, has_role
from archives.models import (
    OPTIONAL_BY_DEFAULT,
    ArchiveDocument,
    ArchiveStatus,
    BusinessArchive,
    DocumentKind,
    DocumentRequirement,
    RetentionChange,
    RetentionChangeStatus,
    TourGroupBooking,
)
from customers.models import Booking, BookingStatus
from customers.selectors import customer_list_responsible, customer_list_visible


def archive_sees_all(user) -> bool:
    return user.is_superuser or has_role(user, CUSTODIAN, MANAGER)


def archive_list_visible(*, user) -> QuerySet[BusinessArchive]:
    """The archives `user` may open: custodians and managers all; anyone else those whose
    tour carried at least one customer they can see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return BusinessArchive.objects.none()
    if archive_sees_all(user):
        return BusinessArchive.objects.all()
    carried_visible = TourGroupBooking.objects.filter(
        tour_id=OuterRef("tour_id"),
        booking__customer__in=customer_list_visible(user=user),
    )
    return BusinessArchive.objects.filter(Exists(carried_visible))


def archive_get_visible(*, user, pk: Any) -> BusinessArchive:
    try:
        return (
            archive_list_visible(user=user)
            .select_related("tour", "archived_by", "legal_hold_set_by")
            .get(pk=pk)
        )
    except (BusinessArchive.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def document_get_visible(*, user, pk: Any) -> ArchiveDocument:
    """A document of an archive `user` may open; anything else is 404."""
    try:
        return (
            ArchiveDocument.objects.filter(archive__in=archive_list_visible(user=user))
            .select_related("archive__tour")
            .get(pk=pk)
        )
    except (ArchiveDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def archive_can_upload(*, user, archive: BusinessArchive) -> bool:
    """Custodians and managers, the tour's creator, and the reps responsible for a
    customer it carried (the owner, and the owner's team lead). Special read access to a
    customer does not let anyone add to its archives."""
    if archive.is_destroyed:
        return False
    if user.has_perm("archives.add_archivedocument"):
        return True
    if archive.tour.created_by_id == user.pk:
        return True
    responsible = Q(booking__customer__owner=user)
    if has_role(user, TEAM_LEAD):
        responsible |= Q(booking__customer__owner__team__lead=user)
    return TourGroupBooking.objects.filter(responsible, tour_id=archive.tour_id).exists()


def archive_can_close(*, user, archive: BusinessArchive) -> bool:
    return archive.status == ArchiveStatus.OPEN and user.has_perm("archives.close_businessarchive")


def tour_group_can_create(*, user) -> bool:
    return user.is_superuser or has_role(user, SALES, TEAM_LEAD, MANAGER, CUSTODIAN)


def required_kinds() -> frozenset[str]:
    """The kinds the policy requires now (the migration's default where no row exists)."""
    rows = dict(DocumentRequirement.objects.values_list("kind", "required"))
    return frozenset(
        kind for kind in DocumentKind.values if rows.get(kind, kind not in OPTIONAL_BY_DEFAULT)
    )


@dataclass
class ChecklistRow:
    kind: str
    label: str
    required: bool
    documents: list[ArchiveDocument] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return bool(self.documents)

    @property
    def missing(self) -> bool:
        return self.required and not self.documents


def archive_checklist(*, archive: BusinessArchive) -> list[ChecklistRow]:
    """The twelve kinds in the handbook's order, each with its documents and whether it
    is required: two queries however many documents the archive holds."""
    required = required_kinds()
    rows = {
        kind: ChecklistRow(kind=kind, label=str(label), required=kind in required)
        for kind, label in DocumentKind.choices
    }
    for document in archive.documents.select_related("uploaded_by").order_by("uploaded_at", "id"):
        rows[document.kind].documents.append(document)
    return list(rows.values())


def archive_missing_kinds(*, archive: BusinessArchive) -> list[ChecklistRow]:
    return [row for row in archive_checklist(archive=archive) if row.missing]


def archive_list_annotate(queryset: QuerySet[BusinessArchive]) -> QuerySet[BusinessArchive]:
    """What the list shows per row, in the same query: the tour and how many required
    documents are missing."""
    present = ArchiveDocument.objects.filter(
        archive_id=OuterRef(OuterRef("pk")), kind=OuterRef("kind")
    )
    missing = (
        DocumentRequirement.objects.filter(required=True)
        .filter(~Exists(present))
        .order_by()
        .values("required")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.select_related("tour").annotate(
        missing_count=Coalesce(Subquery(missing[:1]), Value(0), output_field=IntegerField()),
    )


def archive_filter_past_retention(queryset, *, today: datetime.date):
    """The custodian's queue: retention ended, no legal hold, not yet destroyed."""
    return queryset.filter(retention_end__lt=today, legal_hold=False).exclude(
        status=ArchiveStatus.DESTROYED
    )


def bookings_for_tour_choice(*, user) -> QuerySet[Booking]:
    """Bookings `user` may put on a tour: of customers they are responsible for (special
    read access does not count), not cancelled or refunded, not already travelling with
    another group."""
    return (
        Booking.objects.filter(customer__in=customer_list_responsible(user=user))
        .filter(status__in=[BookingStatus.BOOKED, BookingStatus.PAID])
        .exclude(tour_group_links__isnull=False)
        .select_related("customer")
        .order_by("-start_date", "customer__name", "id")
    )


def tour_travellers_visible(*, user, archive: BusinessArchive) -> tuple[list[Booking], int]:
    """The tour's bookings whose customer `user` can see, and how many others it carried:
    an archive does not reveal the names of other reps' customers."""
    bookings = Booking.objects.filter(tour_group_links__tour_id=archive.tour_id)
    visible = list(
        bookings.filter(customer__in=customer_list_visible(user=user))
        .select_related("customer")
        .order_by("customer__name", "id")
    )
    return visible, bookings.count() - len(visible)


def archive_retention_history(*, archive: BusinessArchive) -> list[RetentionChange]:
    """Every change of the archive's keep-until date, newest first (issue 10)."""
    return list(
        archive.retention_changes.select_related("requested_by", "decided_by").order_by(
            "-requested_at", "-id"
        )
    )


def retention_changes_pending(*, user) -> QuerySet[RetentionChange]:
    """The earlier keep-until dates waiting for a manager, of archives `user` may open."""
    return (
        RetentionChange.objects.filter(
            status=RetentionChangeStatus.PENDING,
            archive__in=archive_list_visible(user=user),
        )
        .select_related("archive__tour", "requested_by")
        .order_by("requested_at", "id")
    )
