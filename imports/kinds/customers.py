"""Customers: matched on ID number, mobile or organisation name (the archive's duplicate
keys), validated by the service's own `customer_prepare` and the model's field
validators, refused when they match someone else's customer (撞单, naming only the owner,
with the service's own words), created and updated in bulk with their change history."""

from collections import defaultdict
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from customers.bulk_writing import audit_many, insert_links, insert_with_history, new_instances
from customers.field_checks import FieldChecks
from customers.forms import CustomerForm
from customers.models import AuditAction, ChannelPartner, Customer, CustomerKind, Destination, Tag
from customers.selectors import customer_can_edit
from customers.services import customer_prepare
from customers.services.archive import (
    ANONYMISED_MESSAGE,
    AUDITED_FIELDS,
    DUPLICATE_DELETED_MESSAGE,
    DUPLICATE_MESSAGES,
)
from customers.signals import announce_customers_reassigned, customers_saved_many
from customers.validators import normalize_org_name, validate_id_number
from imports.engine import NEW, REFUSED, UNCHANGED, UPDATED, Importer, Row
from imports.kinds.common import (
    StaffDirectory,
    customers_by_id_number,
    customers_by_mobile,
    organisations_by_name,
)

M2M = {"desired_destinations": Destination, "tags": Tag}
# The customer form's own fields, less those that name other rows (set from their columns).
RELATION_FIELDS = ("owner", "channel_partner", "desired_destinations", "tags")
PLAIN_FIELDS = frozenset(name for name in CustomerForm.Meta.fields if name not in RELATION_FIELDS)
# Fields `customer_prepare` and the import fill, never read back from a cell.
CHANGE_FIELDS = [name for name in AUDITED_FIELDS if name not in ("deleted_at", "deleted_by")]
KEY_FIELDS = ("id_number", "mobile", "name")
# The fields customer_prepare derives or defaults, validated with those the file fills.
# (Foreign keys are the import's to resolve: their validation is a query.)
DERIVED = frozenset({"kind", "name", "birthday", "sex", "status"})
RESOLVED = frozenset({"owner", "channel_partner"})
# The model's own field validation, as the form's full_clean runs it. customer_prepare
# has just parsed the ID number with the function the field validates it with.
FIELD_CHECKS = FieldChecks(Customer, skip={"id_number": (validate_id_number,)})
DUPLICATE_IN_FILE = _("The same %(field)s as row %(row)d of this file.")
SEVERAL_MATCHES = _(
    "This row matches %(count)d different customers on file (by ID number, mobile or "
    "organisation name); correct it so that it names one."
)
OWNER_REFUSED = _("%(value)s is not a rep you may give customers to.")


def _keys(values: dict) -> dict[str, str]:
    """The duplicate keys of a row: ID number, mobile, organisation name."""
    kind = values.get("kind") or CustomerKind.INDIVIDUAL
    return {
        "id_number": values.get("id_number", ""),
        "mobile": values.get("mobile", ""),
        "name": normalize_org_name(values.get("name", ""))
        if kind != CustomerKind.INDIVIDUAL
        else "",
    }


class CustomerImporter(Importer):
    kind = "customers"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.staff = StaffDirectory(actor=self.actor)
        self.seen: dict[str, dict[str, int]] = {key: {} for key in KEY_FIELDS}
        self.reassigned: list[int] = []
        self.references: dict[str, dict[str, int]] = {}
        self.new_customer = new_instances(Customer, kind=CustomerKind.INDIVIDUAL)

    # --- checking ------------------------------------------------------------------

    def _in_file_duplicate(self, row: Row, keys: dict[str, str]) -> bool:
        for key, value in keys.items():
            if not value:
                continue
            first = self.seen[key].get(value)
            if first is not None:
                label = Customer._meta.get_field(key).verbose_name
                self.refuse(row, key, DUPLICATE_IN_FILE, {"field": label, "row": first})
                return True
        for key, value in keys.items():
            if value:
                self.seen[key][value] = row.number
        return False

    def _lookup(self, rows: list[Row]) -> dict[tuple[str, str], Customer]:
        wanted = defaultdict(set)
        for row in rows:
            for key, value in row.extra["keys"].items():
                if value:
                    wanted[key].add(value)
        condition = Q(pk__in=[])
        if wanted["id_number"]:
            condition |= customers_by_id_number(wanted["id_number"])
        if wanted["mobile"]:
            condition |= customers_by_mobile(wanted["mobile"])
        if wanted["name"]:
            condition |= organisations_by_name(wanted["name"])
        found: dict[tuple[str, str], Customer] = {}
        for customer in Customer.all_objects.filter(condition).select_related(
            "owner__team", "channel_partner"
        ):
            for key, attr in (("id_number", "id_number"), ("mobile", "mobile")):
                value = getattr(customer, attr)
                if value:
                    found[(key, value)] = customer
            if customer.is_organisation and customer.name_normalised:
                found[("name", customer.name_normalised)] = customer
        return found

    def _m2m_current(self, customers: list[Customer]) -> dict[str, dict[int, set[str]]]:
        current: dict[str, dict[int, set[str]]] = {}
        ids = [customer.pk for customer in customers]
        for name, model in M2M.items():
            if name not in self.columns or not ids:
                continue
            through = getattr(Customer, name).through
            target = model._meta.model_name
            rows = through.objects.filter(customer_id__in=ids).values_list(
                "customer_id", f"{target}__name"
            )
            per = defaultdict(set)
            for customer_id, label in rows:
                per[customer_id].add(label)
            current[name] = per
        return current

    def _target_owner(self, row: Row):
        """(owner, explicit): the owner the row asks for, or the import's chosen one."""
        if "owner" in row.values:
            owner = self.staff.owner_for(row.values["owner"])
            if owner is None:
                self.refuse(row, "owner", OWNER_REFUSED, {"value": row.values["owner"]})
            return owner, True
        return self.job.owner, False

    @cached_property
    def field_checks(self) -> FieldChecks:
        return FIELD_CHECKS.only((set(self.columns) | DERIVED) - RESOLVED)

    def check_chunk(self, rows: list[Row]) -> None:
        live = [row for row in rows if not row.problems]
        for row in live:
            row.extra["keys"] = _keys(row.values)
        live = [row for row in live if not self._in_file_duplicate(row, row.extra["keys"])]
        found = self._lookup(live)
        matched = {}
        for row in live:
            hits = {
                found[(key, value)].pk: (key, found[(key, value)])
                for key, value in row.extra["keys"].items()
                if value and (key, value) in found
            }
            if len(hits) > 1:
                self.refuse(row, None, SEVERAL_MATCHES, {"count": len(hits)})
                continue
            matched[row.number] = next(iter(hits.values())) if hits else None
        current = self._m2m_current([hit[1] for hit in matched.values() if hit])
        for row in live:
            if row.problems:
                continue
            owner, explicit = self._target_owner(row)
            if row.problems:
                continue
            hit = matched.get(row.number)
            if hit is None:
                self._check_new(row, owner)
            else:
                self._check_match(row, hit[0], hit[1], owner, explicit, current)

    def _apply(self, row: Row, customer: Customer) -> None:
        for name, value in row.values.items():
            if name in PLAIN_FIELDS:
                setattr(customer, name, value)
        if "channel_partner" in row.values:
            row.extra["channel_partner"] = row.values["channel_partner"]

    def _validate(self, row: Row, customer: Customer) -> bool:
        try:
            customer_prepare(customer=customer, check_duplicates=False)
            # The fields the file fills and those customer_prepare derives; the others keep
            # their defaults (new) or what is on file (matched), valid already.
            self.field_checks.clean(customer, row.values, also=DERIVED)
        except ValidationError as error:
            self.refuse_error(row, error)
            return False
        return True

    def check_the_rest(self, row: Row) -> None:
        customer = self.new_customer(owner=self.actor, dormancy_counts_from=self.today)
        self._apply(row, customer)
        try:
            self.field_checks.clean(customer, row.values)
        except ValidationError as error:
            self.refuse_error(row, error)

    def _check_new(self, row: Row, owner) -> None:
        # Added today, the job's day (customer_prepare would ask the clock per row).
        customer = self.new_customer(owner=owner or self.actor, dormancy_counts_from=self.today)
        self._apply(row, customer)
        if not self._validate(row, customer):
            return
        row.obj = customer
        row.outcome = NEW

    def _check_match(self, row, key, customer: Customer, owner, explicit, current) -> None:
        if customer.is_anonymised:
            self.refuse(row, key, ANONYMISED_MESSAGE)
            return
        if customer.is_deleted:
            label = Customer._meta.get_field(key).verbose_name
            self.refuse(row, key, DUPLICATE_DELETED_MESSAGE, {"field": label})
            return
        editable = customer_can_edit(user=self.actor, customer=customer)
        other_owner = owner is not None and owner.pk != customer.owner_id
        if not editable or (other_owner and not explicit):
            # 撞单: the row is someone else's customer; name the owner, nothing more.
            self.refuse(row, key, DUPLICATE_MESSAGES[key], {"owner": customer.owner.display_name})
            return
        before = {
            name: getattr(customer, Customer._meta.get_field(name).attname)
            for name in CHANGE_FIELDS
        }
        self._apply(row, customer)
        if other_owner:
            customer.owner = owner
        if not self._validate(row, customer):
            return
        changed = [
            name
            for name in CHANGE_FIELDS
            if before[name] != getattr(customer, Customer._meta.get_field(name).attname)
        ]
        if "channel_partner" in row.extra:
            partner = customer.channel_partner.name if customer.channel_partner_id else ""
            if partner != row.extra["channel_partner"]:
                changed.append("channel_partner")
        for name in M2M:
            if name in row.values:
                have = current.get(name, {}).get(customer.pk, set())
                if not set(row.values[name]) <= have:
                    changed.append(name)
        row.obj = customer
        row.changed = changed
        row.outcome = UPDATED if changed else UNCHANGED

    # --- writing -------------------------------------------------------------------

    def _reference_ids(self, model, names: set[str]) -> dict[str, int]:
        """Destinations, tags and channel partners by name; new names are added."""
        cache = self.references.setdefault(model._meta.model_name, {})
        missing = {name for name in names if name not in cache}
        if missing:
            cache.update(dict(model.objects.filter(name__in=missing).values_list("name", "pk")))
            new = [model(name=name) for name in missing if name not in cache]
            if new:
                model.objects.bulk_create(new, ignore_conflicts=True)
                cache.update(dict(model.objects.filter(name__in=missing).values_list("name", "pk")))
        return cache

    def write_chunk(self, rows: list[Row]) -> None:
        partners = {row.extra["channel_partner"] for row in rows if "channel_partner" in row.extra}
        partner_ids = self._reference_ids(ChannelPartner, partners) if partners else {}
        for row in rows:
            if "channel_partner" in row.extra:
                row.obj.channel_partner_id = partner_ids[row.extra["channel_partner"]]
            row.obj.name_normalised = normalize_org_name(row.obj.name)
        new = [row for row in rows if row.outcome == NEW]
        updated = [row for row in rows if row.outcome == UPDATED]
        if new:
            insert_with_history(Customer, [row.obj for row in new], actor=self.actor)
        if updated:
            now = timezone.now()
            fields = {"updated_at"}
            for row in updated:
                row.obj.updated_at = now
                fields.update(name for name in row.changed if name not in M2M)
                if "owner" in row.changed:
                    self.reassigned.append(row.obj.pk)
            bulk_update_with_history(
                [row.obj for row in updated],
                Customer,
                fields=sorted(fields),
                batch_size=500,
                default_user=self.actor,
                manager=Customer.all_objects,
            )
        self._write_m2m(rows)
        audit_many(
            actor=self.actor,
            action=AuditAction.CREATE,
            items=[(row.obj, {"import": self.job.pk}) for row in new],
        )
        audit_many(
            actor=self.actor,
            action=AuditAction.CHANGE,
            items=[(row.obj, {"import": self.job.pk, "fields": row.changed}) for row in updated],
        )
        # Webhooks' outbox, in this transaction: one send per chunk, not per row.
        customers_saved_many.send(
            sender=Customer,
            created_ids=[row.obj.pk for row in new],
            updated={row.obj.pk: [f for f in row.changed if f not in M2M] for row in updated},
            actor=self.actor,
        )

    def _write_m2m(self, rows: list[Row]) -> None:
        for name, model in M2M.items():
            wanted = {label for row in rows for label in row.values.get(name, [])}
            if not wanted:
                continue
            ids = self._reference_ids(model, wanted)
            target = f"{model._meta.model_name}_id"
            insert_links(
                getattr(Customer, name).through,
                "customer_id",
                target,
                [(row.obj.pk, ids[label]) for row in rows for label in row.values.get(name, [])],
            )

    def after_commit(self) -> None:
        if self.reassigned:
            # One announcement for the file (follow-ups move to the new owners), not one
            # per row.
            announce_customers_reassigned(customer_ids=self.reassigned, actor=self.actor)


__all__ = ["REFUSED", "CustomerImporter"]
