"""What the kinds share: staff named in a column, and finding the customer a booking,
contact person or contact record belongs to (one query per chunk)."""

from collections import defaultdict
from collections.abc import Collection
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from customers.bulk_writing import loaded_instances
from customers.id_numbers import blind_index
from customers.models import Customer, CustomerKind
from customers.models.fields import stored_blind_index
from customers.selectors import customer_list_responsible, owner_choices
from customers.validators import normalize_org_name
from imports.engine import Importer, Row

NO_CUSTOMER = _(
    "No customer on file matches this row's ID number, mobile or name; import the "
    "customers first (or correct the row)."
)
NO_CUSTOMER_COLUMNS = _("Give the customer's ID number, mobile or name.")
SEVERAL_CUSTOMERS = _(
    "The ID number, mobile and name of this row name different customers on file."
)
AMBIGUOUS_NAME = _(
    "%(count)d of the customers you work on are called %(name)s; add their ID number or "
    "mobile to say which."
)
# 撞单 as on the customer form: name only the owner, nothing of the other archive.
NOT_YOURS = _("This customer is looked after by %(owner)s; you may not record this for them.")
DELETED_CUSTOMER = _("The customer is in the recycle bin; ask an archive custodian to restore it.")


def column_in(model, name: str, values: Collection[str]) -> Q:
    """`name IN values` for a chunk's worth of values. On PostgreSQL as `= ANY(%s)` with
    the values as one array parameter: Django prepares each value of an IN list one by
    one, which cost a chunk of 1,000 rows more than the query itself (0.26–0.48 s
    against 0.07–0.09 s per chunk, measured on the loaded benchmark machine). The
    values must be stored values (normalised identifiers). Same index, same rows."""
    if not values:
        return Q(pk__in=[])
    if connection.vendor != "postgresql":
        return Q(**{f"{name}__in": list(values)})
    column = model._meta.get_field(name).column
    quote = connection.ops.quote_name
    sql = f"{quote(model._meta.db_table)}.{quote(column)} = ANY(%s)"
    return Q(RawSQL(sql, (list(values),), output_field=BooleanField()))  # noqa: S611 - names quoted, values a parameter


def customers_by_id_number(id_numbers: Collection[str]) -> Q:
    """The customers whose ID number is one of `id_numbers` (normalised). The one place
    the importer looks customers up by ID number: the numbers are stored encrypted, so
    this is a condition on their blind index (customers.id_numbers; what id_number_q
    does, with the chunk's digests as one array parameter)."""
    return customers_by_id_index({blind_index(n) for n in id_numbers})


def customers_by_id_index(digests: Collection[str]) -> Q:
    """The customers whose blind index is one of `digests` (blind_index of their
    numbers): for callers that keep the digests to match the customers found with."""
    return column_in(Customer, "id_number_index", set(digests) - {""})


def customers_by_mobile(mobiles: Collection[str]) -> Q:
    return column_in(Customer, "mobile", mobiles)


def organisations_by_name(names: Collection[str]) -> Q:
    """Organisations (any kind but individual) by normalised name (the archive's key)."""
    if not names:
        return Q(pk__in=[])
    return column_in(Customer, "name_normalised", names) & ~Q(kind=CustomerKind.INDIVIDUAL)


@cache
def _customer_columns() -> list[str]:
    """Every column of a customer the finder loads: all but the encrypted ID number."""
    return [f.attname for f in Customer._meta.concrete_fields if f.attname != "id_number"]


def _key(text: str) -> str:
    return "".join(str(text).split()).lower()


class StaffDirectory:
    """Staff named in a cell by user name or full name."""

    def __init__(self, *, actor):
        self.actor = actor
        self._owners = None
        self._everyone = None

    @staticmethod
    def _index(users) -> dict[str, object]:
        found = {}
        for user in users:
            for name in (user.username, user.full_name, user.display_name):
                if name:
                    found.setdefault(_key(name), user)
        return found

    def owner_for(self, value: str):
        """The rep `value` names, if the actor may give customers to them."""
        if self._owners is None:
            self._owners = self._index(owner_choices(user=self.actor).select_related("team"))
        return self._owners.get(_key(value))

    def anyone(self, value: str):
        if self._everyone is None:
            self._everyone = self._index(get_user_model().objects.filter(is_active=True))
        return self._everyone.get(_key(value))


class CustomerFinder:
    """Finds each row's customer from its ID number, mobile or name columns, among all
    customers (to tell 'not on file' from 'not yours'); names match organisations, and a
    traveller only when exactly one of the actor's customers has that name."""

    def __init__(self, importer: Importer, *, may_write):
        self.importer = importer
        self.may_write = may_write
        # ID number → its blind index, computed once per distinct number of the file.
        self.digests: dict[str, str] = {}

    def digest(self, id_number: str) -> str:
        found = self.digests.get(id_number)
        if found is None:
            found = self.digests[id_number] = blind_index(id_number)
        return found

    def find(self, rows: list[Row]) -> None:
        """Sets row.extra["customer"] or refuses the row. Customers are matched on the
        blind index of the row's ID number: the archive's numbers are never decrypted
        (the column is not even read)."""
        ids, mobiles, names = set(), set(), set()
        for row in rows:
            ids.add(row.values.get("customer_id_number", ""))
            mobiles.add(row.values.get("customer_mobile", ""))
            if row.values.get("customer_name"):
                names.add(row.values["customer_name"].strip())
        ids.discard("")
        mobiles.discard("")
        org_names = {normalize_org_name(name) for name in names} - {""}
        condition = Q(pk__in=[])
        if ids:
            condition |= customers_by_id_index({self.digest(number) for number in ids})
        if mobiles:
            condition |= customers_by_mobile(mobiles)
        if org_names:
            condition |= organisations_by_name(org_names)
        by_id, by_mobile, by_org = {}, {}, {}
        for customer in self._customers(condition):
            digest = stored_blind_index(customer)
            if digest:
                by_id[digest] = customer
            if customer.mobile:
                by_mobile[customer.mobile] = customer
            if customer.is_organisation:
                by_org[customer.name_normalised] = customer
        by_person = defaultdict(list)
        if names:
            people = (
                customer_list_responsible(user=self.importer.actor)
                .filter(kind=CustomerKind.INDIVIDUAL, name__in=names)
                .select_related("owner__team")
            )
            for customer in people:
                by_person[customer.name].append(customer)
        allowed: dict[int, bool] = {}  # customer → may the actor write: once per chunk
        for row in rows:
            if row.problems:
                continue
            self._one(row, by_id, by_mobile, by_org, by_person, allowed)

    @staticmethod
    def _customers(condition: Q) -> list[Customer]:
        """The customers `condition` finds, their owners (with team) attached: loaded
        once each (a chunk's thousand customers have a handful of owners; joined, each
        customer row built its owner and team again)."""
        attnames = _customer_columns()
        make = loaded_instances(Customer, attnames, db=connection.alias)
        rows = Customer.all_objects.filter(condition).values_list(*attnames)
        # As .defer("id_number") loads them (the number is never decrypted), built
        # without from_db's per-field pairing (customers.bulk_writing.loaded_instances).
        customers = [make(row) for row in rows]
        owner_ids = {customer.owner_id for customer in customers} - {None}
        if owner_ids:
            users = get_user_model().objects.filter(pk__in=owner_ids).select_related("team")
            owners = {user.pk: user for user in users}
            cache = Customer._meta.get_field("owner")
            for customer in customers:
                if customer.owner_id in owners:
                    cache.set_cached_value(customer, owners[customer.owner_id])
        return customers

    def _one(self, row, by_id, by_mobile, by_org, by_person, allowed) -> None:
        importer = self.importer
        id_number = row.values.get("customer_id_number")
        mobile = row.values.get("customer_mobile")
        name = (row.values.get("customer_name") or "").strip()
        if not (id_number or mobile or name):
            importer.refuse(row, None, NO_CUSTOMER_COLUMNS)
            return
        hits = {}
        if id_number:
            by_number = by_id.get(self.digest(id_number))
            if by_number is not None:
                hits[by_number.pk] = by_number
        if mobile and mobile in by_mobile:
            hits[by_mobile[mobile].pk] = by_mobile[mobile]
        if name and not hits:
            organisation = by_org.get(normalize_org_name(name))
            if organisation is not None:
                hits[organisation.pk] = organisation
            else:
                people = by_person.get(name, [])
                if len(people) > 1:
                    importer.refuse(
                        row, "customer_name", AMBIGUOUS_NAME, {"count": len(people), "name": name}
                    )
                    return
                if people:
                    hits[people[0].pk] = people[0]
        if len(hits) > 1:
            importer.refuse(row, None, SEVERAL_CUSTOMERS)
            return
        if not hits:
            column = next(
                name
                for name in ("customer_id_number", "customer_mobile", "customer_name")
                if row.values.get(name)
            )
            importer.refuse(row, column, NO_CUSTOMER)
            return
        customer = next(iter(hits.values()))
        if customer.is_deleted:
            importer.refuse(row, None, DELETED_CUSTOMER)
            return
        if customer.pk not in allowed:
            allowed[customer.pk] = self.may_write(customer)
        if not allowed[customer.pk]:
            importer.refuse(
                row,
                None,
                NOT_YOURS,
                {"owner": customer.owner.display_name},
            )
            return
        row.extra["customer"] = customer
