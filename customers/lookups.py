"""Ids beyond what the column can hold match nothing, in `__in` lookups as well.

Django already treats `pk=99999999999999999999` (and <, <=, >, >=) as "no row" instead of
sending a number SQLite cannot bind (OverflowError: a server error). `__in` is not
covered, and every multi-select (ModelMultipleChoiceField, django-filter's multiple
choice filters, the admin's) and every list of ids from a form ends in one. Registering
these lookups once makes every door (pages, admin, filters, services) answer "not
found" / "not one of the available choices" on SQLite and PostgreSQL alike.
"""

import copy

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _IdsInRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            field = self.lhs.output_field
            internal_type = getattr(field, "target_field", field).get_internal_type()
            if internal_type in connection.ops.integer_field_ranges:
                low, high = connection.ops.integer_field_range(internal_type)
                kept = [
                    value
                    for value in self.rhs
                    if not isinstance(value, int) or low <= value <= high
                ]
                if len(kept) != len(self.rhs):
                    # A copy: the lookup may be shared by clones of the query.
                    lookup = copy.copy(self)
                    lookup.rhs = kept  # none left: In raises EmptyResultSet (no rows)
                    return super(_IdsInRange, lookup).process_rhs(compiler, connection)
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_IdsInRange, In):
    pass


class RelatedIdsIn(_IdsInRange, RelatedIn):
    pass


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(RelatedIdsIn)
