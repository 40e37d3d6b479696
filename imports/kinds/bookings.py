"""Bookings: addressed by the source system and its booking number, through the one
booking sync the API uses too (`customers.services.booking_sync_plan` /
`booking_sync_apply`, a chunk at a time): the same booking again changes nothing, a
changed one is updated with history and audit, a number on file for another customer is
refused, every row is validated with the model's own rules, and the chunk is written
with a constant number of statements. The check plans without writing; the commit plans
with the chunk's bookings locked and then writes the rows the engine lets through.
Points are earned once per chunk after the commit, set-based (loyalty's receiver of
`bookings_saved_many`), not by a signal per row."""

from django.utils.translation import gettext_lazy as _

from customers.models import Booking, Destination, TripType
from customers.selectors import booking_can_edit
from customers.services.booking_sync import (
    CREATED,
    FORBIDDEN,
    REFUSED,
    SYNCED_FIELDS,
    UPDATED,
    BookingSyncItem,
    booking_sync_apply,
    booking_sync_plan,
)
from customers.signals import bookings_saved_many
from imports.engine import CHUNK, NEW, UNCHANGED, Importer, Row
from imports.kinds.common import NOT_YOURS, CustomerFinder

DEFAULT_SOURCE = "import"
DUPLICATE_IN_FILE = _("Booking number %(number)s is also in row %(row)d of this file.")
VALUE_FIELDS = [name for name in SYNCED_FIELDS if name != "destination"]
_OUTCOMES = {CREATED: NEW, UPDATED: UPDATED}


class BookingImporter(Importer):
    kind = "bookings"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.finder = CustomerFinder(
            self, may_write=lambda customer: booking_can_edit(user=self.actor, customer=customer)
        )
        self.seen: dict[tuple[str, str], int] = {}
        # Destinations by name: on file, or new places (unsaved until the commit writes).
        self.destinations: dict[str, Destination] = {}
        self.plan = None
        self.saved: list[int] = []

    def _destinations(self, rows: list[Row]) -> None:
        wanted = {
            row.values["destination"]
            for row in rows
            if row.values.get("destination") and row.values["destination"] not in self.destinations
        }
        if not wanted:
            return
        for destination in Destination.objects.filter(name__in=wanted):
            self.destinations[destination.name] = destination
        for row in rows:
            name = row.values.get("destination")
            if name and name not in self.destinations:
                self.destinations[name] = Destination(
                    name=name, is_outbound=row.values.get("trip_type") == TripType.OUTBOUND
                )

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
        self._destinations(live)
        items = []
        for row in live:
            values = {name: row.values[name] for name in VALUE_FIELDS if name in row.values}
            if "destination" in row.values:
                values["destination"] = self.destinations[row.values["destination"]]
            items.append(
                BookingSyncItem(
                    customer=row.extra["customer"],
                    source=row.values["source"],
                    number=row.values["source_number"],
                    values=values,
                )
            )
        self.plan, results = booking_sync_plan(
            actor=self.actor,
            items=items,
            lock=self.commit,
            audit_detail={"import": self.job.pk},
            announce=False,
        )
        for index, (row, result) in enumerate(zip(live, results, strict=True)):
            row.extra["index"] = index
            if result.outcome == REFUSED:
                self.refuse_error(row, result.error)
            elif result.outcome == FORBIDDEN:
                owner = row.extra["customer"].owner
                self.refuse(row, None, NOT_YOURS, {"owner": owner.display_name})
            else:
                row.obj = result.booking
                row.changed = result.changed
                row.outcome = _OUTCOMES.get(result.outcome, UNCHANGED)

    def write_chunk(self, rows: list[Row]) -> None:
        names = {row.values["destination"] for row in rows if row.values.get("destination")}
        new_places = [
            self.destinations[name] for name in names if self.destinations[name].pk is None
        ]
        if new_places:
            Destination.objects.bulk_create(new_places, ignore_conflicts=True)
            found = dict(
                Destination.objects.filter(
                    name__in=[place.name for place in new_places]
                ).values_list("name", "pk")
            )
            for place in new_places:
                place.pk = found[place.name]
                place._state.adding = False
        booking_sync_apply(self.plan, only={row.extra["index"] for row in rows})
        self.saved.extend(self.plan.saved_ids)

    def after_commit(self) -> None:
        """Points as if typed, once, set-based: the saved bookings announced a chunk at
        a time (loyalty earns each chunk's paid bookings in a few statements)."""
        for start in range(0, len(self.saved), CHUNK):
            bookings_saved_many.send(
                sender=Booking, booking_ids=self.saved[start : start + CHUNK], actor=self.actor
            )
