"""The importer's customers, built from their rows by customers.bulk_writing's
loaded_instances, are the instances `.defer("id_number")` gives: the same values, the
same deferred number (never decrypted), every other column read without a
query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.bulk_writing import loaded_instances
from customers.models import Customer
from customers.models.fields import stored_blind_index
from imports.kinds.common import _customer_columns
from tests.factories import CustomerFactory, make_id_number


@pytest.mark.django_db
def test_loaded_customers_are_what_defer_loads(sales1):
    for n in range(3):
        CustomerFactory(owner=sales1, id_number=make_id_number(700 + n), mobile=f"1380013{n:04d}")
    expected = list(Customer.all_objects.defer("id_number").order_by("pk"))
    attnames = _customer_columns()
    make = loaded_instances(Customer, attnames, db=connection.alias)
    rows = Customer.all_objects.order_by("pk").values_list(*attnames)
    got = [make(row) for row in rows]
    assert len(got) == len(expected) == 3
    for ours, theirs in zip(got, expected, strict=True):
        ours_values = {k: v for k, v in ours.__dict__.items() if k != "_state"}
        theirs_values = {k: v for k, v in theirs.__dict__.items() if k != "_state"}
        assert ours_values == theirs_values
        assert ours.get_deferred_fields() == theirs.get_deferred_fields() == {"id_number"}
        assert (ours._state.adding, ours._state.db) == (False, theirs._state.db)
        assert ours == theirs
    with CaptureQueriesContext(connection) as queries:
        for customer, theirs in zip(got, expected, strict=True):
            # (Reading the blind index attribute derives it from the number; the
            # importer reads the stored one.)
            for name in set(attnames) - {"id_number_index"}:
                getattr(customer, name)
            assert stored_blind_index(customer) == stored_blind_index(theirs) != ""
    assert queries.captured_queries == []
    # The number itself is still there for whoever reads it (one query, as deferred).
    assert got[0].id_number == make_id_number(700)
