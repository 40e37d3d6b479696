"""The stored last contact (Customer.last_contacted_at), kept by every contact write.

The list's "never contacted" filter reads it (a partial index on the customers with
none) instead of probing the contact records of every customer: at a million customers
that probe read all of them whenever nobody matched (1.6 s). Every door that writes
contact records goes through here, set-based over the customers it touched:
`contact_record_create` (the customer page, follow-up completion, feedback responses,
the admin's add), the contact-record import (new and changed rows) and the admin's
delete. The migration that added the column filled it the same way for everyone."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Subquery

from customers.models import ContactRecord, Customer


def customers_last_contact_refresh(*, customer_ids: Iterable[int]) -> int:
    """Set each customer's last_contacted_at to their latest contact record (NULL when
    they have none); one UPDATE whatever the number. Returns the customers changed."""
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        return 0
    latest = (
        ContactRecord.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(latest=Max("contacted_at"))
        .values("latest")
    )
    return Customer.all_objects.filter(pk__in=ids).update(last_contacted_at=Subquery(latest))


def customers_last_contact_refresh_all() -> None:
    """Everyone's last_contacted_at from the contact records, set-based (two UPDATEs,
    the same on PostgreSQL and SQLite): for writers that insert contact records in bulk
    outside the services (demo and bench data), and the same as the migration did."""
    customer, record = Customer._meta.db_table, ContactRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {customer} SET last_contacted_at = latest.at
            FROM (SELECT customer_id, MAX(contacted_at) AS at FROM {record} GROUP BY customer_id)
                AS latest
            WHERE {customer}.id = latest.customer_id
              AND ({customer}.last_contacted_at IS NULL
                   OR {customer}.last_contacted_at <> latest.at)
            """  # noqa: S608 - our own table names
        )
    none = ContactRecord.objects.filter(customer_id=OuterRef("pk"))
    Customer.all_objects.filter(last_contacted_at__isnull=False).exclude(Exists(none)).update(
        last_contacted_at=None
    )
