"""Resident ID numbers encrypted at rest (customers/id_numbers.py): what a database dump
shows, key rotation, and every lookup through the blind index."""

import base64
import datetime
import io

import pytest
from django.core.checks import run_checks
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from customers import id_numbers
from customers.models import Customer
from customers.selectors import customer_find_duplicates
from customers.services import customer_create
from tests.factories import CustomerFactory, make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = make_id_number(593, datetime.date(1991, 6, 26))  # valid check digit
OLD_KEYS = f"old:{base64.b64encode(b'o' * 32).decode()}"
NEW_KEYS = f"new:{base64.b64encode(b'n' * 32).decode()}"
INDEX_KEY = base64.b64encode(b"i" * 32).decode()


def _raw_column(table: str, column: str = "id_number") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 (fixed names)
        return [row[0] for row in cursor.fetchall()]


def _dump(table: str) -> str:
    """Every column of every row, as a database dump would show them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())


def test_a_raw_select_shows_no_id_number_and_the_model_reads_it_back(sales1):
    customer = CustomerFactory(owner=sales1, id_number=FULL_ID)
    customer.name = "改个名字"
    customer.save()  # a second history row
    for table in ("customers_customer", "customers_historicalcustomer"):
        dump = _dump(table)
        assert FULL_ID not in dump and FULL_ID[:14] not in dump
        assert all(token.startswith("e1:") for token in _raw_column(table))
    assert Customer.objects.get(pk=customer.pk).id_number == FULL_ID
    assert Customer.objects.values_list("id_number", flat=True).get() == FULL_ID
    assert customer.history.first().id_number == FULL_ID


def test_the_same_number_encrypts_differently_each_time_and_a_changed_token_fails():
    first, second = id_numbers.encrypt(FULL_ID), id_numbers.encrypt(FULL_ID)
    assert first != second
    assert id_numbers.decrypt(first) == id_numbers.decrypt(second) == FULL_ID
    body = base64.b64decode(first.split(":", 2)[2])
    altered = first.split(":", 2)
    altered[2] = base64.b64encode(body[:-1] + bytes([body[-1] ^ 1])).decode()
    with pytest.raises(id_numbers.IdNumberKeyError, match="does not match key"):
        id_numbers.decrypt(":".join(altered))


def test_the_blind_index_is_keyed_and_stored_for_exact_lookups(sales1):
    customer = CustomerFactory(owner=sales1, id_number=FULL_ID)
    stored = _raw_column("customers_customer", "id_number_index")
    assert stored == [id_numbers.blind_index(FULL_ID)]
    with override_settings(ID_NUMBER_INDEX_KEY=INDEX_KEY):
        assert id_numbers.blind_index(FULL_ID) != stored[0]
    spaced = f"{FULL_ID[:6]} {FULL_ID[6:14]} {FULL_ID[14:].lower()}"
    assert list(Customer.objects.filter(id_numbers.id_number_q(spaced))) == [customer]
    many = [FULL_ID, make_id_number(77), ""]
    assert list(Customer.objects.filter(id_numbers.id_number_q(many))) == [customer]
    assert not Customer.objects.filter(id_numbers.id_number_q("")).exists()


def test_filtering_the_encrypted_column_by_a_number_is_refused_not_silently_empty(sales1):
    CustomerFactory(owner=sales1, id_number=FULL_ID)
    with pytest.raises(FieldError, match="id_number_q"):
        list(Customer.objects.filter(id_number=FULL_ID))
    with pytest.raises(FieldError):
        list(Customer.objects.filter(id_number__startswith="1101"))
    assert Customer.objects.exclude(id_number="").count() == 1


def test_the_duplicate_check_finds_the_number_through_the_blind_index(sales1, sales2):
    CustomerFactory(owner=sales1, id_number=FULL_ID)
    full_width = FULL_ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    found = customer_find_duplicates(id_number=full_width)
    assert [(d.field, d.customer.owner) for d in found] == [("id_number", sales1)]
    with pytest.raises(ValidationError) as refused:
        customer_create(
            actor=sales2,
            customer=Customer(kind="individual", name="撞单", id_number=FULL_ID, owner=sales2),
        )
    assert "already on file" in str(refused.value.message_dict["id_number"])


def test_the_database_refuses_a_second_customer_with_the_same_number(sales1):
    CustomerFactory(owner=sales1, id_number=FULL_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.bulk_create(
            [Customer(kind="individual", name="绕过检查", id_number=FULL_ID, owner=sales1)]
        )


def test_bulk_update_and_update_carry_the_blind_index_along(sales1):
    customer = CustomerFactory(owner=sales1, id_number=FULL_ID)
    other = make_id_number(55)
    customer.id_number = other
    Customer.objects.bulk_update([customer], ["id_number"])
    assert Customer.objects.filter(id_numbers.id_number_q(other)).get().id_number == other
    Customer.objects.filter(pk=customer.pk).update(id_number=FULL_ID)
    assert Customer.objects.filter(id_numbers.id_number_q(FULL_ID)).get().id_number == FULL_ID
    assert not Customer.objects.filter(id_numbers.id_number_q(other)).exists()


def test_rotation_reencrypts_every_row_under_the_new_key_and_a_rerun_does_nothing(sales1):
    with override_settings(ID_NUMBER_KEYS=OLD_KEYS):
        customers = [CustomerFactory(owner=sales1) for _ in range(5)]
        numbers = {c.pk: c.id_number for c in customers}
    assert all(t.startswith("e1:old:") for t in _raw_column("customers_customer"))
    with override_settings(ID_NUMBER_KEYS=f"{NEW_KEYS},{OLD_KEYS}"):
        out = io.StringIO()
        call_command("reencrypt_id_numbers", batch_size=2, stdout=out)
        assert "customers.Customer: 5 ID number(s) re-encrypted under key new" in out.getvalue()
        again = io.StringIO()
        call_command("reencrypt_id_numbers", stdout=again)
        assert "customers.Customer: 0 ID number(s)" in again.getvalue()
        assert "customers.HistoricalCustomer: 0 ID number(s)" in again.getvalue()
    for table in ("customers_customer", "customers_historicalcustomer"):
        assert all(t.startswith("e1:new:") for t in _raw_column(table))
    # The old key can go: every number still reads, and is still found.
    with override_settings(ID_NUMBER_KEYS=NEW_KEYS):
        for customer in Customer.objects.all():
            assert customer.id_number == numbers[customer.pk]
        some = numbers[customers[2].pk]
        assert Customer.objects.filter(id_numbers.id_number_q(some)).get() == customers[2]


def test_a_number_under_a_key_no_longer_configured_says_which_key_is_missing(sales1):
    with override_settings(ID_NUMBER_KEYS=OLD_KEYS):
        customer = CustomerFactory(owner=sales1)
    with (
        override_settings(ID_NUMBER_KEYS=NEW_KEYS),
        pytest.raises(id_numbers.IdNumberKeyError, match="key old"),
    ):
        Customer.objects.get(pk=customer.pk)


def test_a_new_index_key_needs_reindex_and_then_finds_again(sales1):
    customer = CustomerFactory(owner=sales1, id_number=FULL_ID)
    with override_settings(ID_NUMBER_INDEX_KEY=INDEX_KEY):
        assert not Customer.objects.filter(id_numbers.id_number_q(FULL_ID)).exists()
        call_command("reencrypt_id_numbers", reindex=True, stdout=io.StringIO())
        assert Customer.objects.filter(id_numbers.id_number_q(FULL_ID)).get() == customer


def test_legacy_plain_rows_are_encrypted_by_the_command(sales1):
    customer = CustomerFactory(owner=sales1, id_number=FULL_ID)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET id_number = %s WHERE id = %s", [FULL_ID, customer.pk]
        )
    call_command("reencrypt_id_numbers", stdout=io.StringIO())
    assert _raw_column("customers_customer")[0].startswith("e1:")
    assert Customer.objects.get(pk=customer.pk).id_number == FULL_ID


def _error_ids(**settings):
    with override_settings(**settings):
        return {message.id for message in run_checks(include_deployment_checks=True)}


def test_check_deploy_reports_missing_keys_and_malformed_ones():
    assert "customers.E100" in _error_ids(ID_NUMBER_KEYS="", ID_NUMBER_INDEX_KEY="")
    assert "customers.E100" in _error_ids(ID_NUMBER_INDEX_KEY="")
    assert "customers.E101" in _error_ids(ID_NUMBER_KEYS="k1:not-base64!")
    same = base64.b64encode(b"s" * 32).decode()
    assert "customers.E101" in _error_ids(ID_NUMBER_KEYS=f"k1:{same}", ID_NUMBER_INDEX_KEY=same)
    assert not {"customers.E100", "customers.E101"} & _error_ids()


def test_without_keys_nothing_is_written_in_clear(sales1):
    with override_settings(ID_NUMBER_KEYS=""), pytest.raises(id_numbers.IdNumberKeyError):
        CustomerFactory(owner=sales1, id_number=FULL_ID)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_existing_rows_and_fills_birthdays(sales1):
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        ("customers", "0018_search_indexes_postgresql"),
        (
            "customers",
            "0020_id_number_unique_by_blind_index",
        ),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    OldCustomer = old_apps.get_model("customers", "Customer")
    old = OldCustomer.objects.create(
        kind="individual", name="老档案", owner_id=sales1.pk, id_number=FULL_ID, birthday=None
    )
    assert _raw_column("customers_customer") == [FULL_ID]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward through the encryption and on to the latest schema: the migrations that
    # stepping back to `before` undid (the apps built on later ones too) must be back for
    # the tests that follow.
    executor.migrate([after])
    assert _raw_column("customers_customer")[0].startswith("e1:")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    customer = Customer.all_objects.get(pk=old.pk)
    assert customer.id_number == FULL_ID
    assert str(customer.birthday) == "1991-06-26"
    assert Customer.all_objects.filter(id_numbers.id_number_q(FULL_ID)).get() == customer


def test_check_deploy_refuses_the_published_development_keys(settings):
    own = base64.b64encode(b"o" * 32).decode()
    own_index = base64.b64encode(b"i" * 32).decode()
    assert "customers.E102" in _error_ids()  # the test settings run on the development keys
    assert "customers.E102" in _error_ids(
        ID_NUMBER_KEYS=f"k2:{own},dev:{settings.DEVELOPMENT_ID_NUMBER_KEY}",
        ID_NUMBER_INDEX_KEY=own_index,
    )
    assert "customers.E102" in _error_ids(
        ID_NUMBER_KEYS=f"k2:{own}", ID_NUMBER_INDEX_KEY=settings.DEVELOPMENT_ID_NUMBER_INDEX_KEY
    )
    assert "customers.E102" not in _error_ids(
        ID_NUMBER_KEYS=f"k2:{own}", ID_NUMBER_INDEX_KEY=own_index
    )
