"""Bookings: addressed by the source system and its booking number, as
`customers.services.booking_sync_from_source` addresses them (the same booking again
changes nothing, a changed one is updated with history, a number on file for another
customer is refused) — but a chunk at a time: one query for the chunk's bookings, one
for their customers, bulk writes. Points are earned once, after the commit, by the
loyalty sweep (set-based), not by a signal per row."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from customers.models import AuditAction, Booking, BookingStatus, Destination, TripType
from customers.selectors import booking_can_edit
from customers.services.booking_sync import SYNCED_FIELDS
from customers.signals import bookings_paid_many
from imports.engine import NEW, UNCHANGED, UPDATED, Importer, Row
from imports.kinds.common import CustomerFinder
from imports.writing import audit_many, insert_with_history

DEFAULT_SOURCE = "import"
# How many bookings the points sweep brings up to date right after an import; a bigger
# first import is caught up by `manage.py earn_missed_points` (or the monthly job).
POINTS_SYNC_LIMIT = 20_000
DUPLICATE_IN_FILE = _("Booking number %(number)s is also in row %(row)d of this file.")
# The sync's own words (customers/services/booking_sync.py), so they read the same.
OTHER_CUSTOMER = (
    "Booking %(number)s from %(source)s is on file for another customer; it cannot be "
    "moved by a sync."
)
HEAD_COUNT = _("A booking has at least one traveller.")
VALUE_FIELDS = [name for name in SYNCED_FIELDS if name != "destination"]


class BookingImporter(Importer):
    kind = "bookings"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.finder = CustomerFinder(
            self, may_write=lambda customer: booking_can_edit(user=self.actor, customer=customer)
        )
        self.seen: dict[tuple[str, str], int] = {}
        self.destinations: dict[str, int] = {}
        self.touched: list[int] = []
        self.points_synced = 0

    def check_chunk(self, rows: list[Row]) -> None:
        live = []
        for row in rows:
            if row.problems:
                continue
            source = row.values.get("source") or DEFAULT_SOURCE
            row.values["source"] = source
            key = (source, row.values["source_number"])
            first = self.seen.get(key)
            if first is not None:
                self.refuse(
                    row, "source_number", DUPLICATE_IN_FILE, {"number": key[1], "row": first}
                )
                continue
            self.seen[key] = row.number
            live.append(row)
        self.finder.find(live)
        live = [row for row in live if not row.problems]
        numbers = {row.values["source_number"] for row in live}
        existing = {
            (booking.source, booking.source_number): booking
            for booking in Booking.objects.filter(source_number__in=numbers).select_related(
                "destination"
            )
        }
        for row in live:
            booking = existing.get((row.values["source"], row.values["source_number"]))
            if booking is None:
                self._check_new(row)
            else:
                self._check_match(row, booking)

    def _apply(self, row: Row, booking: Booking) -> None:
        for name in VALUE_FIELDS:
            if name in row.values:
                setattr(booking, name, row.values[name])

    def _validate(self, row: Row, booking: Booking) -> bool:
        try:
            booking.clean_fields(
                exclude=["customer", "destination", "created_by", "source_number", "source"]
            )
            booking.clean()
            if booking.head_count is not None and booking.head_count < 1:
                raise ValidationError({"head_count": HEAD_COUNT})
        except ValidationError as error:
            self.refuse_error(row, error)
            return False
        return True

    def _check_new(self, row: Row) -> None:
        booking = Booking(
            customer=row.extra["customer"],
            source=row.values["source"],
            source_number=row.values["source_number"],
            created_by=self.actor,
            status=BookingStatus.BOOKED,
        )
        self._apply(row, booking)
        if self._validate(row, booking):
            row.obj = booking
            row.outcome = NEW

    def _check_match(self, row: Row, booking: Booking) -> None:
        if booking.customer_id != row.extra["customer"].pk:
            self.refuse(
                row,
                "source_number",
                OTHER_CUSTOMER,
                {"number": booking.source_number, "source": booking.source},
            )
            return
        before = {name: getattr(booking, name) for name in VALUE_FIELDS}
        self._apply(row, booking)
        if not self._validate(row, booking):
            return
        changed = [name for name in VALUE_FIELDS if before[name] != getattr(booking, name)]
        if "destination" in row.values and row.values["destination"] != booking.destination.name:
            changed.append("destination")
        row.obj = booking
        row.changed = changed
        row.outcome = UPDATED if changed else UNCHANGED

    def _destination_ids(self, rows: list[Row]) -> None:
        wanted = {}
        for row in rows:
            name = row.values.get("destination")
            if name and name not in self.destinations:
                wanted.setdefault(name, row.obj.trip_type == TripType.OUTBOUND)
        if not wanted:
            return
        self.destinations.update(
            dict(Destination.objects.filter(name__in=wanted).values_list("name", "pk"))
        )
        new = [
            Destination(name=name, is_outbound=outbound)
            for name, outbound in wanted.items()
            if name not in self.destinations
        ]
        if new:
            Destination.objects.bulk_create(new, ignore_conflicts=True)
            self.destinations.update(
                dict(Destination.objects.filter(name__in=wanted).values_list("name", "pk"))
            )

    def write_chunk(self, rows: list[Row]) -> None:
        self._destination_ids(rows)
        for row in rows:
            if "destination" in row.values:
                row.obj.destination_id = self.destinations[row.values["destination"]]
        new = [row.obj for row in rows if row.outcome == NEW]
        updated = [row for row in rows if row.outcome == UPDATED]
        if new:
            insert_with_history(Booking, new, actor=self.actor)
        if updated:
            fields = sorted({name for row in updated for name in row.changed})
            bulk_update_with_history(
                [row.obj for row in updated],
                Booking,
                fields=fields,
                batch_size=500,
                default_user=self.actor,
            )
        self.touched.extend(booking.pk for booking in new if booking.status == BookingStatus.PAID)
        # Webhooks' outbox, in this transaction: the bookings that became paid, per chunk.
        bookings_paid_many.send(
            sender=Booking,
            booking_ids=[booking.pk for booking in new if booking.status == BookingStatus.PAID]
            + [
                row.obj.pk
                for row in updated
                if "status" in row.changed and row.obj.status == BookingStatus.PAID
            ],
            actor=self.actor,
        )
        self.touched.extend(row.obj.pk for row in updated)
        audit_many(
            actor=self.actor,
            action=AuditAction.CREATE,
            items=[(booking, {"import": self.job.pk}) for booking in new],
        )
        audit_many(
            actor=self.actor,
            action=AuditAction.CHANGE,
            items=[(row.obj, {"import": self.job.pk, "fields": row.changed}) for row in updated],
        )

    def after_commit(self) -> None:
        """Points as if typed, once: the loyalty sweep finds the paid bookings without
        their earn entry (and changed ones that hold too many or too few points) in two
        queries and syncs each once."""
        if not self.touched:
            return
        from loyalty.services import points_sweep

        self.points_synced = points_sweep(today=self.today, limit=POINTS_SYNC_LIMIT)
