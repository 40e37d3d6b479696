"""Contact people of organisations, and contact records: each row finds its customer
(one query per chunk), is matched with what is on file so that importing the same file
again changes nothing, and is validated by the models' own rules (a contact record runs
the contact rules other apps register, like the visit-needs-an-appointment rule)."""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from customers.bulk_writing import audit_many, insert_plain, insert_with_history
from customers.models import AuditAction, ContactPerson, ContactRecord
from customers.selectors import customer_can_edit
from customers.services.last_contact import customers_last_contact_refresh
from customers.signals import announce_contacts_logged
from imports.engine import NEW, UNCHANGED, UPDATED, Importer, Row
from imports.kinds.common import CustomerFinder, StaffDirectory

NOT_ORGANISATION = _(
    "This customer is an individual traveller; contact people belong to organisations."
)
PERSON_IN_FILE = _("%(name)s of this organisation is also in row %(row)d of this file.")
RECORD_IN_FILE = _("The same contact (customer, channel and time) is also in row %(row)d.")
FUTURE = _("A contact cannot be logged in the future.")
NEXT_BEFORE = _("The next contact must come after this one.")
NOT_STAFF = _("%(value)s is not a member of staff whose contacts you may record.")

PERSON_FIELDS = ["title", "mobile", "email", "is_primary", "started_on"]
RECORD_FIELDS = ["outcome", "notes", "next_step", "next_contact_on", "by_id"]


def _name_key(name: str) -> str:
    return "".join(name.split()).lower()


class ContactPersonImporter(Importer):
    kind = "contacts"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.finder = CustomerFinder(
            self, may_write=lambda customer: customer_can_edit(user=self.actor, customer=customer)
        )
        self.seen: dict[tuple[int, str], int] = {}

    def check_chunk(self, rows: list[Row]) -> None:
        live = [row for row in rows if not row.problems]
        self.finder.find(live)
        live = [row for row in live if not row.problems]
        customers = {row.extra["customer"].pk for row in live}
        current = defaultdict(dict)
        for person in ContactPerson.objects.filter(
            customer_id__in=customers, ended_on__isnull=True
        ):
            current[person.customer_id].setdefault(_name_key(person.name), person)
        for row in live:
            customer = row.extra["customer"]
            if not customer.is_organisation:
                self.refuse(row, "customer_name", NOT_ORGANISATION)
                continue
            key = (customer.pk, _name_key(row.values["name"]))
            if key in self.seen:
                self.refuse(
                    row, "name", PERSON_IN_FILE, {"name": row.values["name"], "row": self.seen[key]}
                )
                continue
            self.seen[key] = row.number
            person = current[customer.pk].get(key[1])
            if person is None:
                person = ContactPerson(
                    customer=customer,
                    name=row.values["name"],
                    created_by=self.actor,
                    started_on=self.today,
                )
                before = None
            else:
                before = {name: getattr(person, name) for name in PERSON_FIELDS}
            for name in PERSON_FIELDS:
                if name in row.values:
                    setattr(person, name, row.values[name])
            try:
                person.clean_fields(exclude=["customer", "created_by", "replaced_by"])
                person.clean()
            except ValidationError as error:
                self.refuse_error(row, error)
                continue
            row.obj = person
            if before is None:
                row.outcome = NEW
            else:
                row.changed = [n for n in PERSON_FIELDS if before[n] != getattr(person, n)]
                row.outcome = UPDATED if row.changed else UNCHANGED

    def check_the_rest(self, row: Row) -> None:
        checked = {name for name in ("name", *PERSON_FIELDS) if name in row.values}
        person = ContactPerson(**{name: row.values[name] for name in checked})
        try:
            person.clean_fields(
                exclude=[f.name for f in ContactPerson._meta.fields if f.name not in checked]
            )
        except ValidationError as error:
            self.refuse_error(row, error)

    def write_chunk(self, rows: list[Row]) -> None:
        new = [row.obj for row in rows if row.outcome == NEW]
        updated = [row for row in rows if row.outcome == UPDATED]
        if new:
            insert_with_history(ContactPerson, new, actor=self.actor)
        if updated:
            bulk_update_with_history(
                [row.obj for row in updated],
                ContactPerson,
                fields=sorted({name for row in updated for name in row.changed}),
                batch_size=500,
                default_user=self.actor,
            )
        audit_many(
            actor=self.actor,
            action=AuditAction.CREATE,
            items=[(person, {"import": self.job.pk}) for person in new],
        )
        audit_many(
            actor=self.actor,
            action=AuditAction.CHANGE,
            items=[(row.obj, {"import": self.job.pk, "fields": row.changed}) for row in updated],
        )


class ContactRecordImporter(Importer):
    kind = "records"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.finder = CustomerFinder(
            self, may_write=lambda customer: customer_can_edit(user=self.actor, customer=customer)
        )
        self.staff = StaffDirectory(actor=self.actor)
        self.seen: dict[tuple, int] = {}
        self.customer_ids: set[int] = set()
        self.record_ids: list[int] = []

    def check_chunk(self, rows: list[Row]) -> None:
        live = [row for row in rows if not row.problems]
        self.finder.find(live)
        live = [row for row in live if not row.problems]
        customers = {row.extra["customer"].pk for row in live}
        moments = {row.values["contacted_at"] for row in live}
        existing = {
            (record.customer_id, record.channel, record.contacted_at): record
            for record in ContactRecord.objects.filter(
                customer_id__in=customers, contacted_at__in=moments
            )
        }
        latest = timezone.now() + datetime.timedelta(minutes=5)
        for row in live:
            by = self.actor
            if "by" in row.values:
                by = self.staff.owner_for(row.values["by"])
                if by is None:
                    self.refuse(row, "by", NOT_STAFF, {"value": row.values["by"]})
                    continue
            customer = row.extra["customer"]
            when = row.values["contacted_at"]
            key = (customer.pk, row.values["channel"], when)
            if key in self.seen:
                self.refuse(row, "contacted_at", RECORD_IN_FILE, {"row": self.seen[key]})
                continue
            self.seen[key] = row.number
            if when > latest:
                self.refuse(row, "contacted_at", FUTURE)
                continue
            next_on = row.values.get("next_contact_on")
            if next_on and next_on < timezone.localtime(when).date():
                self.refuse(row, "next_contact_on", NEXT_BEFORE)
                continue
            record = existing.get(key)
            before = None
            if record is None:
                record = ContactRecord(customer=customer, channel=row.values["channel"])
                record.contacted_at = when
            else:
                before = {name: getattr(record, name) for name in RECORD_FIELDS}
            record.by = by
            for name in ("outcome", "notes", "next_step", "next_contact_on"):
                if name in row.values:
                    setattr(record, name, row.values[name])
            try:
                record.clean_fields(exclude=["customer", "by"])
                record.clean()  # the contact rules (an on-site visit needs an appointment)
            except ValidationError as error:
                self.refuse_error(row, error)
                continue
            row.obj = record
            if before is None:
                row.outcome = NEW
            else:
                row.changed = [n for n in RECORD_FIELDS if before[n] != getattr(record, n)]
                row.outcome = UPDATED if row.changed else UNCHANGED

    def write_chunk(self, rows: list[Row]) -> None:
        new = [row.obj for row in rows if row.outcome == NEW]
        updated = [row for row in rows if row.outcome == UPDATED]
        if new:
            insert_plain(ContactRecord, new)
        if updated:
            ContactRecord.objects.bulk_update(
                [row.obj for row in updated],
                fields=sorted(
                    {"by" if n == "by_id" else n for row in updated for n in row.changed}
                ),
                batch_size=500,
            )
        # Changed rows keep their customer and moment (they are matched by them).
        customers_last_contact_refresh(customer_ids=[record.customer_id for record in new])
        self.customer_ids.update(record.customer_id for record in new)
        self.record_ids.extend(record.pk for record in new)
        audit_many(
            actor=self.actor,
            action=AuditAction.CREATE,
            items=[(record, {"import": self.job.pk}) for record in new],
        )
        audit_many(
            actor=self.actor,
            action=AuditAction.CHANGE,
            items=[(row.obj, {"import": self.job.pk, "fields": row.changed}) for row in updated],
        )

    def after_commit(self) -> None:
        if self.record_ids:
            # One announcement for the file: the follow-ups' frequency cap counts them.
            announce_contacts_logged(
                customer_ids=self.customer_ids, record_ids=self.record_ids, actor=self.actor
            )
